//! The Location field value: raw bytes in, a URI reference or a typed error out.
//!
//! A Location value arrives as bytes and is never trusted. Before anything
//! else, the field value loses its leading and trailing whitespace
//! (RFC 9110 §5.5: "a field value does not include leading or trailing
//! whitespace"; Fetch's header value normalisation strips the same bytes).
//! A value that still contains NUL, CR or LF is not a field value at all
//! (RFC 9110 §5.5: "Field values containing CR, LF, or NUL characters are
//! invalid and dangerous") and is refused in both modes.
//!
//! Then one of two modes, chosen by the [`Policy`](super::Policy):
//! - [`LocationMode::Strict`]: the RFC 3986 `URI-reference` grammar
//!   (RFC 9110 §10.2.2: `Location = URI-reference`), checked byte by byte by
//!   [`parse_uri_reference`](super::parse_uri_reference); the first bad byte is
//!   reported with its offset in the *untrimmed* value.
//! - [`LocationMode::Whatwg`]: the WHATWG URL parser (the `url` crate), as
//!   Fetch, browsers and reqwest do. Bytes are UTF-8 decoded with replacement
//!   of invalid sequences first (the Encoding Standard's "UTF-8 decode"), as
//!   browsers decode Location.

use std::fmt;

use super::uri::{parse_uri_reference, UriRef};

/// Which parser reads a Location value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LocationMode {
    /// RFC 3986 `URI-reference`, exactly; RFC 3986 §5.2 resolution.
    Strict,
    /// The WHATWG URL parser (the `url` crate), as Fetch specifies.
    Whatwg,
}

/// Where in a URI reference a bad byte was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Component {
    /// The field value itself (NUL, CR or LF are never allowed).
    FieldValue,
    /// The userinfo, before `@`.
    Userinfo,
    /// The host.
    Host,
    /// The path.
    Path,
    /// The query, after `?`.
    Query,
    /// The fragment, after `#`.
    Fragment,
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Component::FieldValue => "field value",
            Component::Userinfo => "userinfo",
            Component::Host => "host",
            Component::Path => "path",
            Component::Query => "query",
            Component::Fragment => "fragment",
        })
    }
}

/// A byte, named for a person reading an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ByteName(pub u8);

impl fmt::Display for ByteName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            b' ' => f.write_str("space"),
            b'\t' => f.write_str("tab"),
            b'\r' => f.write_str("CR"),
            b'\n' => f.write_str("LF"),
            0 => f.write_str("NUL"),
            0x7f => f.write_str("DEL"),
            b'\\' => f.write_str("backslash"),
            b if b < 0x20 => write!(f, "control byte {b:#04x}"),
            b if b >= 0x80 => write!(f, "non-ASCII byte {b:#04x}"),
            b => write!(f, "'{}'", b as char),
        }
    }
}

/// Why a Location value cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LocationError {
    /// A byte the grammar does not allow in that component.
    #[error("{} at offset {offset} is not allowed in the {component}", ByteName(*byte))]
    InvalidByte {
        /// Offset of the byte in the field value.
        offset: usize,
        /// The byte.
        byte: u8,
        /// The component it was found in.
        component: Component,
    },
    /// A non-ASCII byte (RFC 3986 allows only ASCII; it must be percent-encoded).
    #[error(
        "non-ASCII byte {byte:#04x} at offset {offset} (RFC 3986 §2 wants it percent-encoded)"
    )]
    NonAscii {
        /// Offset of the byte in the field value.
        offset: usize,
        /// The byte.
        byte: u8,
    },
    /// A `%` not followed by two hex digits (RFC 3986 §2.1).
    #[error("bad percent-escape at offset {offset}")]
    BadPercentEscape {
        /// Offset of the `%`.
        offset: usize,
    },
    /// A non-digit in the port (RFC 3986 §3.2.3).
    #[error("bad port: non-digit at offset {offset}")]
    BadPort {
        /// Offset of the first non-digit.
        offset: usize,
    },
    /// A port beyond 65535, which no TCP connection can use.
    #[error("port at offset {offset} is out of range (0-65535)")]
    PortOutOfRange {
        /// Offset of the first digit of the port.
        offset: usize,
    },
    /// A malformed IP literal (RFC 3986 §3.2.2).
    #[error("bad IP literal at offset {offset}")]
    BadIpLiteral {
        /// Offset where the literal went wrong.
        offset: usize,
    },
    /// A `:` in the first segment of a relative path (RFC 3986 §3.3, `path-noscheme`).
    #[error("':' at offset {offset} in the first segment of a relative path (write ./ before it)")]
    ColonInFirstSegment {
        /// Offset of the `:`.
        offset: usize,
    },
    /// The value is longer than the policy allows.
    #[error("Location is {len} bytes long, over the limit of {max}")]
    TooLong {
        /// Length of the value.
        len: usize,
        /// The policy's limit.
        max: usize,
    },
    /// More than one Location field line.
    #[error("{count} Location field lines; Location is a single URI-reference")]
    Multiple {
        /// How many lines.
        count: usize,
    },
    /// A relative reference where the policy wants an absolute URI (RFC 2616 §14.30).
    #[error("relative reference, but the policy requires an absolute URI (RFC 2616 §14.30)")]
    RelativeNotAllowed,
    /// Userinfo in an http(s) URI (RFC 9110 §4.2.4: treat its presence as an error).
    #[error("userinfo in an http(s) URI (RFC 9110 §4.2.4)")]
    Userinfo,
    /// The target has no host (RFC 9110 §4.2.1: an http URI with an empty host is invalid).
    #[error("the target has no host (RFC 9110 §4.2.1)")]
    NoHost,
    /// The WHATWG URL parser rejects the value.
    #[error("the WHATWG URL parser rejects it: {0}")]
    Whatwg(url::ParseError),
}

impl LocationError {
    /// The offset of the offending byte in the field value, where there is one.
    pub fn offset(&self) -> Option<usize> {
        match *self {
            LocationError::InvalidByte { offset, .. }
            | LocationError::NonAscii { offset, .. }
            | LocationError::BadPercentEscape { offset }
            | LocationError::BadPort { offset }
            | LocationError::PortOutOfRange { offset }
            | LocationError::BadIpLiteral { offset }
            | LocationError::ColonInFirstSegment { offset } => Some(offset),
            LocationError::TooLong { .. }
            | LocationError::Multiple { .. }
            | LocationError::RelativeNotAllowed
            | LocationError::Userinfo
            | LocationError::NoHost
            | LocationError::Whatwg(_) => None,
        }
    }

    pub(crate) fn shifted(self, by: usize) -> Self {
        match self {
            LocationError::InvalidByte {
                offset,
                byte,
                component,
            } => LocationError::InvalidByte {
                offset: offset + by,
                byte,
                component,
            },
            LocationError::NonAscii { offset, byte } => LocationError::NonAscii {
                offset: offset + by,
                byte,
            },
            LocationError::BadPercentEscape { offset } => LocationError::BadPercentEscape {
                offset: offset + by,
            },
            LocationError::BadPort { offset } => LocationError::BadPort {
                offset: offset + by,
            },
            LocationError::PortOutOfRange { offset } => LocationError::PortOutOfRange {
                offset: offset + by,
            },
            LocationError::BadIpLiteral { offset } => LocationError::BadIpLiteral {
                offset: offset + by,
            },
            LocationError::ColonInFirstSegment { offset } => LocationError::ColonInFirstSegment {
                offset: offset + by,
            },
            other => other,
        }
    }
}

/// Strips optional whitespace (SP and HTAB) from both ends of a field value
/// (RFC 9110 §5.5) and returns the rest with the number of bytes cut in front.
pub fn trim_field_value(raw: &[u8]) -> (&[u8], usize) {
    let ows = |b: &u8| *b == b' ' || *b == b'\t';
    if !raw.first().is_some_and(ows) && !raw.last().is_some_and(ows) {
        return (raw, 0);
    }
    let start = raw
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(raw.len());
    let end = raw
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(start, |p| p + 1);
    (&raw[start..end], start)
}

/// The first two field-level checks: length, then trimming. The fast paths
/// (model/fast.rs) accept no NUL, CR or LF, so the machine runs
/// [`check_field_bytes`] only when they decline a value.
pub(crate) fn bounded_trimmed(raw: &[u8], max_len: usize) -> Result<(&[u8], usize), LocationError> {
    if raw.len() > max_len {
        return Err(LocationError::TooLong {
            len: raw.len(),
            max: max_len,
        });
    }
    Ok(trim_field_value(raw))
}

/// RFC 9110 §5.5: "Field values containing CR, LF, or NUL characters are
/// invalid and dangerous"; Fetch: a header value contains no 0x00, 0x0A,
/// 0x0D. `start` is the value's offset in the field line.
pub(crate) fn check_field_bytes(value: &[u8], start: usize) -> Result<(), LocationError> {
    match super::first_where::<true>(&NUL_CR_LF, value) {
        Some(p) => Err(LocationError::InvalidByte {
            offset: start + p,
            byte: value[p],
            component: Component::FieldValue,
        }),
        None => Ok(()),
    }
}

/// Whether a byte is NUL, CR or LF, for every byte.
static NUL_CR_LF: [bool; 256] = {
    let mut t = [false; 256];
    t[0] = true;
    t[b'\r' as usize] = true;
    t[b'\n' as usize] = true;
    t
};

/// Parses one Location field value in [`LocationMode::Strict`]: trimming,
/// field-level checks, then the RFC 3986 grammar.
///
/// # Errors
/// [`LocationError::TooLong`] over `max_len` bytes; otherwise the first bad
/// byte, with its offset in `raw` (before trimming).
///
/// # Examples
/// ```
/// use redirspec::model::{parse_location, LocationError};
/// let r = parse_location(b"  /next?x=1 ", 1024).unwrap();
/// assert_eq!(r.path(), "/next");
/// assert!(matches!(
///     parse_location(b"/a\r\nSet-Cookie: x=1", 1024),
///     Err(LocationError::InvalidByte { offset: 2, .. })
/// ));
/// ```
pub fn parse_location(raw: &[u8], max_len: usize) -> Result<UriRef<'_>, LocationError> {
    let (value, start) = bounded_trimmed(raw, max_len)?;
    // The one-pass parser for common values (model/fast.rs), with the
    // general parser's exact result; everything else goes to the general one.
    // The fast parser accepts no NUL, CR or LF: the field-level byte check
    // is needed only when it declines.
    match super::fast::parse_common(value) {
        Some(r) => Ok(r),
        None => {
            check_field_bytes(value, start)?;
            parse_uri_reference(value).map_err(|e| e.shifted(start))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_ows_only() {
        assert_eq!(trim_field_value(b" \t/a \t"), (&b"/a"[..], 2));
        assert_eq!(trim_field_value(b"   "), (&b""[..], 3));
        assert_eq!(trim_field_value(b"\x0b/a"), (&b"\x0b/a"[..], 0));
    }

    #[test]
    fn offsets_are_in_the_untrimmed_value() {
        assert_eq!(
            parse_location(b"  /a b", 100),
            Err(LocationError::InvalidByte {
                offset: 4,
                byte: b' ',
                component: Component::Path
            })
        );
        assert_eq!(
            parse_location(b" /a\0", 100),
            Err(LocationError::InvalidByte {
                offset: 3,
                byte: 0,
                component: Component::FieldValue
            })
        );
    }

    #[test]
    fn field_bytes_are_checked_at_every_offset() {
        for len in 0..20 {
            let clean = vec![b'a'; len];
            assert_eq!(check_field_bytes(&clean, 3), Ok(()));
            for at in 0..len {
                for bad in [0, b'\r', b'\n'] {
                    let mut v = clean.clone();
                    v[at] = bad;
                    // A later bad byte does not hide this one.
                    if at + 1 < len {
                        v[len - 1] = b'\n';
                    }
                    assert_eq!(
                        check_field_bytes(&v, 3),
                        Err(LocationError::InvalidByte {
                            offset: 3 + at,
                            byte: bad,
                            component: Component::FieldValue
                        }),
                        "{v:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn length_limit_is_inclusive() {
        assert!(parse_location(&[b'a'; 16], 16).is_ok());
        assert_eq!(
            parse_location(&[b'a'; 17], 16),
            Err(LocationError::TooLong { len: 17, max: 16 })
        );
    }

    #[test]
    fn messages_name_the_byte() {
        let e = parse_location(b"/\\evil", 100).unwrap_err();
        assert_eq!(
            e.to_string(),
            "backslash at offset 1 is not allowed in the path"
        );
        let e = parse_location(b"/a\tb", 100).unwrap_err();
        assert_eq!(e.to_string(), "tab at offset 2 is not allowed in the path");
    }
}
