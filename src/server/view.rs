//! One view of a response for the rules, whether it came as raw bytes or as
//! an `http::Response`: status, field lines with offsets, and what is known
//! about the content.

use http::StatusCode;

use super::parse::RawResponse;

/// One field line.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Field<'a> {
    pub name: &'a str,
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

/// A response as the rules see it.
#[derive(Clone, Debug)]
pub(crate) struct View<'a> {
    pub status: StatusCode,
    pub fields: Vec<Field<'a>>,
    pub content: Content<'a>,
}

impl<'a> View<'a> {
    pub fn from_raw(r: &RawResponse<'a>) -> Self {
        View {
            status: r.status,
            fields: r
                .fields
                .iter()
                .map(|f| Field {
                    name: f.name,
                    value: f.value,
                    offset: Some(f.offset),
                    fold: f.fold,
                })
                .collect(),
            content: Content::Raw {
                rest: r.rest,
                offset: r.head_len,
            },
        }
    }

    pub fn from_headers(status: StatusCode, headers: &'a http::HeaderMap, body_len: u64) -> Self {
        View {
            status,
            fields: headers
                .iter()
                .map(|(name, value)| Field {
                    name: name.as_str(),
                    value: value.as_bytes(),
                    offset: None,
                    fold: None,
                })
                .collect(),
            content: Content::Known { len: body_len },
        }
    }

    /// Every field line with this (lower-case) name, in order.
    pub fn all(&self, name: &'static str) -> impl Iterator<Item = &Field<'a>> + '_ {
        self.fields
            .iter()
            .filter(move |f| f.name.eq_ignore_ascii_case(name))
    }

    /// The first field line with this name.
    pub fn first(&self, name: &'static str) -> Option<&Field<'a>> {
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
