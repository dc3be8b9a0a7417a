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

use super::resolve::UriBuf;

/// Whether `url` without its fragment is already its own comparison key,
/// byte for byte (what [`push_key`] would append for it), so that a lookup
/// can compare the text itself instead of building a key.
///
/// Conservative: `true` only where no normalisation could change a byte: an
/// authority without userinfo, a lower-case scheme and host, only escapes
/// with upper-case hex digits that encode no unreserved character, a port that is absent or written in canonical form and not the
/// scheme's default, and a path that is not empty.
pub(crate) fn is_key(url: &UriBuf) -> bool {
    let r = url.as_ref();
    let p = r.parts();
    let text = r.without_fragment().as_bytes();
    let (Some(scheme_end), Some((_, authority_end))) = (p.scheme_end, p.authority) else {
        return false;
    };
    if p.userinfo_end.is_some()
        // RFC 3986 §6.2.3: an empty path is written `/` in the key.
        || text.get(authority_end) != Some(&b'/')
        || text[..authority_end].iter().any(u8::is_ascii_uppercase)
    {
        return false;
    }
    // An escape stays as it is in the key when its hex digits are upper case
    // and it does not encode an unreserved character (RFC 3986 §6.2.2.1-2).
    let kept = |i: usize| match (text.get(i + 1), text.get(i + 2)) {
        (Some(&h), Some(&l)) => match (upper_hex(h), upper_hex(l)) {
            (Some(h), Some(l)) => !unreserved(h * 16 + l),
            _ => false,
        },
        _ => false,
    };
    if !memchr::memchr_iter(b'%', text).all(kept) {
        return false;
    }
    match p.port {
        None => true,
        Some((a, b)) => {
            let digits = &text[a..b];
            let scheme = &text[..scheme_end];
            !digits.is_empty()
                && digits[0] != b'0'
                && digits.len() <= 5
                && digits
                    .iter()
                    .try_fold(0u32, |v, &d| {
                        d.is_ascii_digit().then(|| v * 10 + u32::from(d - b'0'))
                    })
                    .is_some_and(|v| {
                        v <= 65535
                            && !(scheme == b"http" && v == 80 || scheme == b"https" && v == 443)
                    })
        }
    }
}

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

fn upper_hex(x: u8) -> Option<u8> {
    match x {
        b'0'..=b'9' => Some(x - b'0'),
        b'A'..=b'F' => Some(x - b'A' + 10),
        _ => None,
    }
}

fn hex(x: u8) -> Option<u8> {
    match x {
        b'0'..=b'9' => Some(x - b'0'),
        b'a'..=b'f' => Some(x - b'a' + 10),
        b'A'..=b'F' => Some(x - b'A' + 10),
        _ => None,
    }
}

/// RFC 3986 §6.2.2.1 and §6.2.2.2: upper-case hex digits, decoded unreserved
/// characters; `lower` folds ASCII letters too (for the host).
///
/// The text between escapes is copied in runs, not character by character.
fn push_escapes_normalised(out: &mut String, s: &str, lower: bool) {
    let b = s.as_bytes();
    // `run` is where the text not yet copied starts; it is always a char
    // boundary, since it only ever moves past ASCII bytes.
    let (mut run, mut i) = (0, 0);
    while let Some(at) = memchr::memchr(b'%', &b[i..]) {
        i += at;
        let escape = match (b.get(i + 1).copied(), b.get(i + 2).copied()) {
            (Some(h), Some(l)) => hex(h).zip(hex(l)).map(|(x, y)| (h, l, x * 16 + y)),
            _ => None,
        };
        let Some((h, l, v)) = escape else {
            i += 1;
            continue;
        };
        push_run(out, &s[run..i], lower);
        if unreserved(v) {
            out.push(if lower { v.to_ascii_lowercase() } else { v } as char);
        } else {
            out.push('%');
            out.push(h.to_ascii_uppercase() as char);
            out.push(l.to_ascii_uppercase() as char);
        }
        i += 3;
        run = i;
    }
    push_run(out, &s[run..], lower);
}

fn push_run(out: &mut String, run: &str, lower: bool) {
    if lower && run.bytes().any(|b| b.is_ascii_uppercase()) {
        out.extend(run.chars().map(|c| c.to_ascii_lowercase()));
    } else {
        out.push_str(run);
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
        assert_eq!(k("http://h/%4"), "http://h/%4");
        assert_eq!(k("http://h/%zz%41"), "http://h/%zzA");
    }

    /// `is_key` is only ever true where the key is the text itself.
    #[test]
    fn is_key_means_the_key_is_the_text() {
        let cases: &[(&str, bool)] = &[
            ("https://a.test/x?y", true),
            ("https://a.test/x?y#Frag%41", true),
            ("https://a.test:8443/x", true),
            ("https://a.test:08443/x", false),
            ("https://a.test:443/x", false),
            ("http://a.test:443/x", true),
            ("https://a.test:/x", false),
            ("https://a.test", false),
            ("https://a.test?q", false),
            ("https://A.test/", false),
            ("HTTPS://a.test/", false),
            ("https://a.test/%41", false),
            ("https://a.test/?%7e", false),
            ("https://a.test/?%7E", false),
            ("https://a.test/?%2F%3a", false),
            ("https://a.test/a%2F?b=%3A%20#%7e", true),
            ("https://a.test/a%2f", false),
            ("https://u@a.test/", false),
            ("https://[::1]:8080/", true),
            ("https://[::A]/", false),
            ("https://a.test/P/Q", true),
            ("foo://a.test:80/", true),
        ];
        for &(text, expected) in cases {
            let u = UriBuf::parse_absolute(text).unwrap();
            assert_eq!(is_key(&u), expected, "{text}");
            let r = u.as_ref();
            let port = r
                .port()
                .filter(|p| !p.is_empty())
                .and_then(|p| p.parse::<u16>().ok())
                .filter(|&p| Some(p) != crate::model::default_port(r.scheme().unwrap()));
            let k = key(
                r.without_fragment(),
                r.scheme().unwrap(),
                r.host().unwrap(),
                port,
            );
            if expected {
                assert_eq!(k, r.without_fragment(), "{text}");
            }
        }
    }

    proptest::proptest! {
        /// On random URLs (cases, escapes, ports, userinfo, empty paths),
        /// `is_key` never claims a text that normalisation would change.
        #[test]
        fn is_key_agrees_with_push_key(
            text in "(https?|HTTPS?|Http)://([a-z]{1,2}@)?[a-zA-Z0-9.%]{1,6}(:[0-9]{0,6})?(/[a-zA-Z~%0-9]{0,4}){0,3}(\\?[a-z%0-9A-F=]{0,6})?(#[a-z]{0,2})?",
        ) {
            let Ok(u) = UriBuf::parse_absolute(&text) else { return Ok(()) };
            let r = u.as_ref();
            let scheme = r.scheme().unwrap();
            let Some(port) = r.port().filter(|p| !p.is_empty()).map(|p| p.parse::<u16>()).transpose().ok() else {
                return Ok(());
            };
            let port = port.filter(|&p| Some(p) != crate::model::default_port(scheme));
            let k = key(r.without_fragment(), scheme, r.host().unwrap(), port);
            if is_key(&u) {
                proptest::prop_assert_eq!(k, r.without_fragment());
            }
        }
    }
}
