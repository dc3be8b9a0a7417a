//! Raw HTTP/1.x response bytes -> a borrowed, bounded view, or a typed error.
//!
//! The head is parsed with `httparse` (RFC 9112 §2.1, §4, §5):
//! ```text
//! HTTP-message = start-line CRLF *( field-line CRLF ) CRLF [ message-body ]
//! status-line  = HTTP-version SP status-code SP [ reason-phrase ]
//! field-line   = field-name ":" OWS field-value OWS
//! ```
//! Bounds: at most [`MAX_HEADERS`] field lines and a head of at most
//! [`MAX_HEAD`] bytes; beyond either the input is refused with a
//! [`ParseError`], never read further. One leniency is on: obsolete line
//! folding (RFC 9112 §5.2) is accepted so that a folded Location can be
//! reported as a finding (its value keeps the CR LF) instead of as a parse
//! error. Everything else httparse refuses is refused.

use http::StatusCode;

/// Most field lines a response head may have: far above what servers send
/// (RFC 9110 §5.4 sets no limit; browsers allow a few hundred).
pub const MAX_HEADERS: usize = 1024;
/// Most bytes a response head (status line, field lines, empty line) may
/// have: 1 MiB, four times what Chromium accepts (256 KiB).
pub const MAX_HEAD: usize = 1 << 20;
/// Field lines parsed on the stack before the heap-allocated retry.
const STACK_HEADERS: usize = 64;

/// Why bytes are not an HTTP/1.x response head.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The head ends before its empty line.
    #[error("the response head is incomplete: no empty line ends it")]
    Incomplete,
    /// The head is longer than the limit.
    #[error("the response head is longer than {limit} bytes")]
    HeadTooLarge {
        /// The limit, [`MAX_HEAD`].
        limit: usize,
    },
    /// More field lines than the limit.
    #[error("the response has more than {limit} field lines")]
    TooManyHeaders {
        /// The limit, [`MAX_HEADERS`].
        limit: usize,
    },
    /// The HTTP-version is not `HTTP/1.0` or `HTTP/1.1`.
    #[error("the status line does not start with HTTP/1.0 or HTTP/1.1")]
    Version,
    /// The status code is not three digits from 100 to 999.
    #[error("the status code is not three digits from 100 to 999")]
    Status,
    /// A field name holds a byte that is not a token character.
    #[error("a field name holds a byte that is not a token character")]
    FieldName,
    /// A field value holds a byte no field value may hold (RFC 9110 §5.5:
    /// a control byte other than HTAB, such as a bare CR or a NUL).
    #[error("{} at offset {offset} in a field value (RFC 9110 §5.5)", crate::model::ByteName(*byte))]
    FieldValue {
        /// Offset of the byte in the input.
        offset: usize,
        /// The byte.
        byte: u8,
    },
    /// A line ends in something other than CRLF or LF.
    #[error("a line ends in something other than CRLF or LF")]
    NewLine,
    /// A token (the reason phrase, the version) holds a bad byte.
    #[error("the status line holds a byte that is not allowed there")]
    Token,
}

impl From<httparse::Error> for ParseError {
    fn from(e: httparse::Error) -> Self {
        match e {
            httparse::Error::HeaderName => ParseError::FieldName,
            // The offset is filled in by `parse_response`.
            httparse::Error::HeaderValue => ParseError::FieldValue { offset: 0, byte: 0 },
            httparse::Error::NewLine => ParseError::NewLine,
            httparse::Error::Status => ParseError::Status,
            httparse::Error::Token => ParseError::Token,
            httparse::Error::TooManyHeaders => ParseError::TooManyHeaders { limit: MAX_HEADERS },
            httparse::Error::Version => ParseError::Version,
        }
    }
}

/// One field line of a raw response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawField<'a> {
    /// The field name, as sent.
    pub name: &'a str,
    /// The field value, without leading and trailing whitespace.
    pub value: &'a [u8],
    /// Offset of the value's first byte in the input.
    pub offset: usize,
    /// Offset of the first CR or LF inside the field line: obsolete line
    /// folding (RFC 9112 §5.2), before or inside the value.
    pub fold: Option<usize>,
}

/// A parsed response head and the bytes that follow it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawResponse<'a> {
    /// The minor version: 0 for HTTP/1.0, 1 for HTTP/1.1.
    pub minor_version: u8,
    /// The status code.
    pub status: StatusCode,
    /// The field lines, in order.
    pub fields: Vec<RawField<'a>>,
    /// Length of the head, empty line included.
    pub head_len: usize,
    /// Every byte after the head (content, or whatever follows).
    pub rest: &'a [u8],
}

/// Where `part` starts inside `whole`, when it is a sub-slice of it.
fn offset_in(whole: &[u8], part: &[u8]) -> Option<usize> {
    let start = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    (start + part.len() <= whole.len()).then_some(start)
}

/// Parses a raw response head.
///
/// # Errors
/// A [`ParseError`] when the bytes are not a complete HTTP/1.x response head
/// within the bounds ([`MAX_HEAD`] bytes, [`MAX_HEADERS`] field lines).
///
/// # Examples
/// ```
/// use redirspec::server::parse_response;
/// let raw = b"HTTP/1.1 302 Found\r\nLocation: /next\r\nContent-Length: 0\r\n\r\n";
/// let r = parse_response(raw).unwrap();
/// assert_eq!(r.status.as_u16(), 302);
/// assert_eq!(r.fields[0].value, b"/next");
/// assert_eq!(r.fields[0].offset, 30);
/// assert!(r.rest.is_empty());
/// ```
pub fn parse_response(input: &[u8]) -> Result<RawResponse<'_>, ParseError> {
    let mut stack = [httparse::EMPTY_HEADER; STACK_HEADERS];
    match parse_into(input, &mut stack) {
        // Few heads have more than 64 field lines: only those pay for the
        // larger array.
        Err(ParseError::TooManyHeaders { .. }) => {
            let mut heap = vec![httparse::EMPTY_HEADER; MAX_HEADERS];
            parse_into(input, &mut heap)
        }
        other => other,
    }
}

fn parse_into<'a>(
    input: &'a [u8],
    headers: &mut [httparse::Header<'a>],
) -> Result<RawResponse<'a>, ParseError> {
    let head = &input[..input.len().min(MAX_HEAD)];
    let mut response = httparse::Response::new(headers);
    let mut config = httparse::ParserConfig::default();
    // RFC 9112 §5.2: a user agent that receives obs-fold "MUST replace each
    // received obs-fold with one or more SP octets": it is read, so we read
    // it too and report it on the field.
    config.allow_obsolete_multiline_headers_in_responses(true);
    let parsed = config
        .parse_response(&mut response, head)
        .map_err(|e| match e {
            httparse::Error::HeaderValue => match bad_value_byte(head) {
                Some((offset, byte)) => ParseError::FieldValue { offset, byte },
                None => ParseError::from(e),
            },
            _ => ParseError::from(e),
        });
    let head_len = match parsed? {
        httparse::Status::Complete(n) => n,
        httparse::Status::Partial if input.len() > MAX_HEAD => {
            return Err(ParseError::HeadTooLarge { limit: MAX_HEAD })
        }
        httparse::Status::Partial => return Err(ParseError::Incomplete),
    };
    let status = response
        .code
        .and_then(|c| StatusCode::from_u16(c).ok())
        .ok_or(ParseError::Status)?;
    let minor_version = response.version.ok_or(ParseError::Version)?;
    let fields = response
        .headers
        .iter()
        .map(|h| {
            let offset = offset_in(input, h.value).unwrap_or(head_len);
            let fold = offset_in(input, h.name.as_bytes()).and_then(|start| {
                let end = (offset + h.value.len()).clamp(start, input.len());
                let line = input.get(start..end)?;
                // Most lines have neither (the standard library's search,
                // outside the fuzzer's per-byte instrumentation, tells).
                if !line.contains(&b'\r') && !line.contains(&b'\n') {
                    return None;
                }
                line.iter()
                    .position(|&b| b == b'\r' || b == b'\n')
                    .map(|p| start + p)
            });
            RawField {
                name: h.name,
                value: h.value,
                offset,
                fold,
            }
        })
        .collect();
    Ok(RawResponse {
        minor_version,
        status,
        fields,
        head_len,
        rest: &input[head_len..],
    })
}

/// The first byte of a field line's value (or of an obs-fold continuation)
/// that no field value may hold: what httparse's `HeaderValue` error means.
fn bad_value_byte(head: &[u8]) -> Option<(usize, u8)> {
    let mut i = head.iter().position(|&b| b == b'\n')? + 1;
    let mut in_value = false;
    let mut line_start = true;
    while let Some(&b) = head.get(i) {
        if line_start {
            line_start = false;
            if b == b'\r' || b == b'\n' {
                return None; // the empty line: the head ended cleanly
            }
            in_value = b == b' ' || b == b'\t';
        }
        match b {
            b'\n' => {
                in_value = false;
                line_start = true;
            }
            b'\r' if head.get(i + 1) == Some(&b'\n') => {}
            b':' if !in_value => in_value = true,
            b'\t' | 0x20..=0x7e | 0x80..=0xff => {}
            _ if in_value => return Some((i, b)),
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_point_at_the_value() {
        let raw = b"HTTP/1.1 301 Moved\r\nX: y\r\nLocation:   /a b \r\n\r\nbody";
        let r = parse_response(raw).unwrap();
        let loc = r.fields[1];
        assert_eq!(loc.value, b"/a b");
        assert_eq!(&raw[loc.offset..loc.offset + 4], b"/a b");
        assert_eq!(r.rest, b"body");
    }

    #[test]
    fn obs_fold_is_kept_in_the_value() {
        let raw = b"HTTP/1.1 302 Found\r\nLocation: /a\r\n /b\r\n\r\n";
        let r = parse_response(raw).unwrap();
        assert_eq!(r.fields[0].value, b"/a\r\n /b");
    }

    /// Real servers send a few hundred field lines and heads of hundreds of
    /// KiB (cookies, CSP): up to the limits they parse.
    #[test]
    fn large_heads_within_the_limits_parse() {
        let mut raw = b"HTTP/1.1 302 Found\r\nLocation: /x\r\n".to_vec();
        for i in 0..(MAX_HEADERS - 1) {
            raw.extend_from_slice(format!("X-{i}: v\r\n").as_bytes());
        }
        raw.extend_from_slice(b"\r\n");
        let r = parse_response(&raw).unwrap();
        assert_eq!(r.fields.len(), MAX_HEADERS);
        assert_eq!(r.fields[0].value, b"/x");
        let mut raw = b"HTTP/1.1 200 OK\r\nSet-Cookie: ".to_vec();
        raw.resize(MAX_HEAD - 4, b'a');
        raw.extend_from_slice(b"\r\n\r\n");
        assert_eq!(parse_response(&raw).unwrap().head_len, MAX_HEAD);
        raw.insert(20, b'a');
        assert_eq!(
            parse_response(&raw),
            Err(ParseError::HeadTooLarge { limit: MAX_HEAD })
        );
    }

    #[test]
    fn bounds_give_typed_errors() {
        let mut raw = b"HTTP/1.1 200 OK\r\n".to_vec();
        for i in 0..=MAX_HEADERS {
            raw.extend_from_slice(format!("X-{i}: v\r\n").as_bytes());
        }
        raw.extend_from_slice(b"\r\n");
        assert_eq!(
            parse_response(&raw),
            Err(ParseError::TooManyHeaders { limit: MAX_HEADERS })
        );
        let mut raw = b"HTTP/1.1 200 OK\r\nX: ".to_vec();
        raw.resize(MAX_HEAD + 10, b'a');
        assert_eq!(
            parse_response(&raw),
            Err(ParseError::HeadTooLarge { limit: MAX_HEAD })
        );
        assert_eq!(
            parse_response(b"HTTP/1.1 200 OK\r\nX: y\r\n"),
            Err(ParseError::Incomplete)
        );
        assert_eq!(
            parse_response(b"HTTP/2 200\r\n\r\n"),
            Err(ParseError::Version)
        );
    }
}
