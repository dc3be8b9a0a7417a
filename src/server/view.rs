//! One view of a response for the rules, whether it came as raw bytes or as
//! an `http::Response`: status, field lines with offsets, and what is known
//! about the content.

use http::StatusCode;

use super::parse::{RawField, RawResponse};

/// One field line.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Field<'a> {
    pub value: &'a [u8],
    /// Offset of the value in the checked input (raw responses only).
    pub offset: Option<usize>,
    /// Offset of obsolete line folding in the field line (raw responses only).
    pub fold: Option<usize>,
}

/// What follows the head.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Content<'a> {
    /// A raw response: every byte after the head, starting at `offset`.
    Raw { rest: &'a [u8], offset: usize },
    /// An `http::Response` whose body had this many bytes.
    Known { len: u64 },
}

/// Where a [`View`]'s field lines are: borrowed as they are, each read as
/// a [`Field`] when asked for (no copy of the list per response).
#[derive(Clone, Copy, Debug)]
enum Fields<'a> {
    Raw(&'a [RawField<'a>]),
    Map(&'a http::HeaderMap),
}

/// A response as the rules see it.
#[derive(Clone, Debug)]
pub(crate) struct View<'a> {
    pub status: StatusCode,
    fields: Fields<'a>,
    pub content: Content<'a>,
}

/// The field lines of a [`View`] with one name, in order ([`View::all`]).
pub(crate) struct Named<'a> {
    lines: Lines<'a>,
    name: &'static str,
}

enum Lines<'a> {
    Raw(std::slice::Iter<'a, RawField<'a>>),
    Map(http::header::Iter<'a, http::HeaderValue>),
}

impl<'a> Iterator for Named<'a> {
    type Item = Field<'a>;

    fn next(&mut self) -> Option<Field<'a>> {
        let name = self.name;
        match &mut self.lines {
            Lines::Raw(lines) => lines
                .find(|f| f.name.eq_ignore_ascii_case(name))
                .map(|f| Field {
                    value: f.value,
                    offset: Some(f.offset),
                    fold: f.fold,
                }),
            Lines::Map(lines) => lines
                .find(|(n, _)| n.as_str().eq_ignore_ascii_case(name))
                .map(|(_, value)| Field {
                    value: value.as_bytes(),
                    offset: None,
                    fold: None,
                }),
        }
    }
}

impl<'a> View<'a> {
    pub fn from_raw(r: &'a RawResponse<'a>) -> Self {
        View {
            status: r.status,
            fields: Fields::Raw(&r.fields),
            content: Content::Raw {
                rest: r.rest,
                offset: r.head_len,
            },
        }
    }

    pub fn from_headers(status: StatusCode, headers: &'a http::HeaderMap, body_len: u64) -> Self {
        View {
            status,
            fields: Fields::Map(headers),
            content: Content::Known { len: body_len },
        }
    }

    /// Every field line with this (lower-case) name, in order.
    pub fn all(&self, name: &'static str) -> Named<'a> {
        let lines = match self.fields {
            Fields::Raw(fields) => Lines::Raw(fields.iter()),
            Fields::Map(headers) => Lines::Map(headers.iter()),
        };
        Named { lines, name }
    }

    /// The first field line with this name.
    pub fn first(&self, name: &'static str) -> Option<Field<'a>> {
        self.all(name).next()
    }

    /// Whether the content is non-empty, as far as the framing tells
    /// (RFC 9112 §6.3): a chunked body is non-empty when its first chunk is.
    pub fn has_content(&self) -> bool {
        match self.content {
            Content::Known { len } => len > 0,
            Content::Raw { rest, .. } => {
                if self.first("transfer-encoding").is_some() {
                    first_chunk_size(rest).is_none_or(|n| n > 0)
                } else {
                    match self.content_length() {
                        Some(n) => n > 0,
                        None => !rest.is_empty(),
                    }
                }
            }
        }
    }

    /// The single valid Content-Length, when there is exactly one value.
    pub fn content_length(&self) -> Option<u64> {
        let mut found = None;
        for f in self.all("content-length") {
            for part in f.value.split(|&b| b == b',') {
                let n = parse_length(trim(part))?;
                if found.is_some_and(|m| m != n) {
                    return None;
                }
                found = Some(n);
            }
        }
        found
    }
}

/// RFC 9110 §8.6: `Content-Length = 1*DIGIT`, as a u64.
pub(crate) fn parse_length(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &d| {
        n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}

/// Strips SP and HTAB from both ends.
pub(crate) fn trim(b: &[u8]) -> &[u8] {
    crate::model::trim_field_value(b).0
}

/// The size of the first chunk of a chunked body (RFC 9112 §7.1), when its
/// size line is readable.
fn first_chunk_size(rest: &[u8]) -> Option<u64> {
    let digits = rest.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    if digits == 0 || digits > 15 {
        return None;
    }
    let text = std::str::from_utf8(&rest[..digits]).ok()?;
    u64::from_str_radix(text, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths() {
        assert_eq!(parse_length(b"0"), Some(0));
        assert_eq!(parse_length(b"18446744073709551616"), None);
        assert_eq!(parse_length(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(
            parse_length(b"1844674407370955161"),
            Some(1844674407370955161)
        );
        assert_eq!(parse_length(b"-1"), None);
        assert_eq!(parse_length(b""), None);
        assert_eq!(first_chunk_size(b"1a\r\n"), Some(26));
        assert_eq!(first_chunk_size(b"0\r\n\r\n"), Some(0));
        assert_eq!(first_chunk_size(b"zz"), None);
    }
}
