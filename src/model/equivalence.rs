//! When two request URLs name the same resource, for loop detection.
//!
//! RFC 9110 §4.2.3 ("http(s) Normalization and Comparison") defers to
//! RFC 3986 §6.2.2 (syntax-based) and §6.2.3 (scheme-based) normalization:
//! the scheme and host are case-insensitive; percent-encoded octets compare
//! with their hex digits in either case, and an escaped unreserved character
//! equals the character itself; a port that is empty or the scheme's default
//! is the same as no port; an empty path is `/`. Everything else (the case of
//! the path and query, escaped reserved characters) is significant.
//! Dot segments are already gone from every URL the machine holds.

use std::fmt::Write;

/// Appends the comparison key of an absolute URL without fragment to `out`.
///
/// `scheme` and `host` are the URL's own; `port` is its effective port or
/// `None` when it is the scheme's default. A text that does not start with
/// `scheme://` is appended as it is.
pub(crate) fn push_key(out: &mut String, text: &str, scheme: &str, host: &str, port: Option<u16>) {
    let auth_start = scheme.len() + 3;
    if text.get(scheme.len()..auth_start) != Some("://") {
        out.push_str(text);
        return;
    }
    let auth_end = text[auth_start..]
        .find(['/', '?'])
        .map_or(text.len(), |i| auth_start + i);
    let authority = &text[auth_start..auth_end];
    for c in scheme.chars() {
        out.push(c.to_ascii_lowercase());
    }
    out.push_str("://");
    if let Some(at) = authority.rfind('@') {
        push_escapes_normalised(out, &authority[..=at], false);
    }
    push_escapes_normalised(out, host, true);
    if let Some(p) = port {
        // fmt::Write into the buffer: no temporary string.
        let _ = write!(out, ":{p}");
    }
    let rest = &text[auth_end..];
    // RFC 3986 §6.2.3: "an empty path component should be normalized to a path of "/"".
    if rest.is_empty() || rest.starts_with('?') {
        out.push('/');
    }
    push_escapes_normalised(out, rest, false);
}

fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// RFC 3986 §6.2.2.1 and §6.2.2.2: upper-case hex digits, decoded unreserved
/// characters; `lower` folds ASCII letters too (for the host).
fn push_escapes_normalised(out: &mut String, s: &str, lower: bool) {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let hex = |x: u8| (x as char).to_digit(16);
        if c == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                let v = (h * 16 + l) as u8;
                if unreserved(v) {
                    out.push(if lower { v.to_ascii_lowercase() } else { v } as char);
                } else {
                    out.push('%');
                    out.push(b[i + 1].to_ascii_uppercase() as char);
                    out.push(b[i + 2].to_ascii_uppercase() as char);
                }
                i += 3;
                continue;
            }
        }
        // Copy one whole character (the text is ASCII for every URL the
        // machine holds, but a char boundary is kept whatever it is).
        let len = s[i..].chars().next().map_or(1, char::len_utf8);
        if lower {
            for ch in s[i..i + len].chars() {
                out.push(ch.to_ascii_lowercase());
            }
        } else {
            out.push_str(&s[i..i + len]);
        }
        i += len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str, scheme: &str, host: &str, port: Option<u16>) -> String {
        let mut out = String::new();
        push_key(&mut out, text, scheme, host, port);
        out
    }

    #[test]
    fn equivalent_forms_share_a_key() {
        // RFC 3986 §6.2.3's example: these are equivalent.
        let a = key("http://example.com", "http", "example.com", None);
        let b = key("http://example.com/", "http", "example.com", None);
        let c = key("HTTP://Example.COM:/%7Esmith/", "HTTP", "Example.COM", None);
        let d = key("http://example.com/%7esmith/", "http", "example.com", None);
        assert_eq!(a, b);
        assert_eq!(c, d);
        assert_eq!(c, "http://example.com/~smith/");
        assert_eq!(
            key("http://h/a%2fb?q=%3d", "http", "h", None),
            "http://h/a%2Fb?q=%3D"
        );
        assert_eq!(
            key("http://u%41@h:81?x", "http", "h", Some(81)),
            "http://uA@h:81/?x"
        );
    }

    #[test]
    fn significant_differences_stay() {
        let k = |t: &str| key(t, "http", "h", None);
        assert_ne!(k("http://h/A"), k("http://h/a"));
        assert_ne!(k("http://h/a%2Fb"), k("http://h/a/b"));
        assert_ne!(k("http://h/?Q"), k("http://h/?q"));
        assert_eq!(k("http://h/%"), "http://h/%");
    }
}
