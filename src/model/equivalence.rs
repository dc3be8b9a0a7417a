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
//!
//! Two URLs are equivalent when their *keys* are equal: the key is the URL
//! without fragment, normalised as above.

use super::fast::push_decimal;
use super::origin::default_port;
use super::resolve::UriBuf;

/// Where the parts of a key are, as offsets into the buffer it was written to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct KeyLayout {
    /// The start of the key.
    pub start: usize,
    /// The end of the (lower-case) scheme.
    pub scheme_end: usize,
    /// The (normalised) host.
    pub host: (usize, usize),
    /// The port when it is not the scheme's default.
    pub port: Port,
    /// The start of the path (never empty) and query.
    pub rest: usize,
    /// The end of the key.
    pub end: usize,
}

#[cfg(test)]
impl KeyLayout {
    /// The same layout for the key copied from offset `from` to offset `to`.
    pub fn moved(self, from: usize, to: usize) -> KeyLayout {
        let m = |x: usize| x - from + to;
        KeyLayout {
            start: m(self.start),
            scheme_end: m(self.scheme_end),
            host: (m(self.host.0), m(self.host.1)),
            port: self.port,
            rest: m(self.rest),
            end: m(self.end),
        }
    }
}

/// A URL's port as the key sees it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Port {
    /// Absent, empty, or the scheme's default port.
    #[default]
    Default,
    /// Another port.
    Other(u16),
    /// Digits that are no port number (beyond 65535): written as they are.
    Invalid,
}

/// The port of `url` as the key sees it.
pub(crate) fn key_port(url: &UriBuf) -> Port {
    let Some(digits) = url.port().filter(|d| !d.is_empty()) else {
        return Port::Default;
    };
    let value = digits.bytes().try_fold(0u32, |v, d| {
        let v = v * 10 + u32::from(d.wrapping_sub(b'0'));
        (d.is_ascii_digit() && v <= 65535).then_some(v)
    });
    match value.and_then(|v| u16::try_from(v).ok()) {
        Some(p) if Some(p) == url.scheme().and_then(default_port) => Port::Default,
        Some(p) => Port::Other(p),
        None => Port::Invalid,
    }
}

/// Appends the comparison key of `url` (without its fragment) to `out` and
/// says where its parts are.
///
/// A URL without an authority (never one the machine follows) is appended
/// as it is, with an empty host.
pub(crate) fn push_key(out: &mut String, url: &UriBuf) -> KeyLayout {
    let start = out.len();
    let text = url.without_fragment();
    let parts = url.parts();
    let (Some(scheme), Some(_)) = (url.scheme(), parts.authority) else {
        out.push_str(text);
        return KeyLayout {
            start,
            scheme_end: start,
            host: (start, start),
            port: Port::Default,
            rest: start,
            end: out.len(),
        };
    };
    out.push_str(scheme);
    out[start..].make_ascii_lowercase();
    let scheme_end = out.len();
    out.push_str("://");
    if let Some(userinfo) = url.userinfo() {
        push_escapes_normalised(out, userinfo, false);
        out.push('@');
    }
    let host_start = out.len();
    push_escapes_normalised(out, url.host().unwrap_or_default(), true);
    let host = (host_start, out.len());
    let port = key_port(url);
    push_port(out, url, port);
    let rest = out.len();
    // RFC 3986 §6.2.3: "an empty path component should be normalized to a path of "/"".
    if parts.path.0 == parts.path.1 {
        out.push('/');
    }
    push_escapes_normalised(out, &text[parts.path.0..], false);
    KeyLayout {
        start,
        scheme_end,
        host,
        port,
        rest,
        end: out.len(),
    }
}

fn push_port(out: &mut String, url: &UriBuf, port: Port) {
    match port {
        Port::Default => {}
        Port::Other(p) => {
            out.push(':');
            push_decimal(out, p);
        }
        Port::Invalid => {
            out.push(':');
            out.push_str(url.port().unwrap_or_default());
        }
    }
}

/// Whether every escape in `s` is as the key writes it: upper-case hex
/// digits, and not an unreserved character (RFC 3986 §6.2.2.1-2). Such a
/// path and query is its own key.
pub(crate) fn escapes_are_normal(b: &[u8]) -> bool {
    // Most paths and queries have no escape at all (`contains` on bytes
    // looks a word at a time).
    if !b.contains(&b'%') {
        return true;
    }
    let mut i = 0;
    while let Some(at) = b[i..].iter().position(|&c| c == b'%') {
        i += at;
        let digit = |k: usize| b.get(k).copied().and_then(upper_hex);
        match (digit(i + 1), digit(i + 2)) {
            (Some(h), Some(l)) if !unreserved(h * 16 + l) => i += 3,
            _ => return false,
        }
    }
    true
}

fn upper_hex(x: u8) -> Option<u8> {
    match x {
        b'0'..=b'9' => Some(x - b'0'),
        b'A'..=b'F' => Some(x - b'A' + 10),
        _ => None,
    }
}

fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
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
pub(crate) fn push_escapes_normalised(out: &mut String, s: &str, lower: bool) {
    let b = s.as_bytes();
    // Most text has no escape: copied in one go.
    if !b.contains(&b'%') {
        push_run(out, s, lower);
        return;
    }
    // `run` is where the text not yet copied starts; it is always a char
    // boundary, since it only ever moves past ASCII bytes.
    let (mut run, mut i) = (0, 0);
    while let Some(at) = b[i..].iter().position(|&c| c == b'%') {
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
    out.push_str(run);
    if lower {
        let start = out.len() - run.len();
        out[start..].make_ascii_lowercase();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn key(text: &str) -> String {
        let mut out = String::from("junk");
        let url = UriBuf::parse_absolute(text).unwrap();
        let layout = push_key(&mut out, &url);
        let key = out.split_off(4);
        let l = layout.moved(4, 0);
        assert_eq!((l.start, l.end), (0, key.len()));
        assert!(key[..l.scheme_end].bytes().all(|b| !b.is_ascii_uppercase()));
        assert!(key[l.rest..].starts_with('/'), "{key}");
        assert_eq!(&key[l.scheme_end..l.scheme_end + 3], "://");
        key
    }

    #[test]
    fn equivalent_forms_share_a_key() {
        // RFC 3986 §6.2.3's example: these are equivalent.
        assert_eq!(key("http://example.com"), key("http://example.com/"));
        assert_eq!(key("http://example.com:80/"), key("http://example.com/"));
        assert_eq!(
            key("HTTP://Example.COM:/%7Esmith/"),
            key("http://example.com/%7esmith/")
        );
        assert_eq!(
            key("HTTP://Example.COM:/%7Esmith/"),
            "http://example.com/~smith/"
        );
        assert_eq!(key("http://h/a%2fb?q=%3d#f"), "http://h/a%2Fb?q=%3D");
        assert_eq!(key("http://u%41@h:81?x"), "http://uA@h:81/?x");
        assert_eq!(key("https://h:0443/"), "https://h/");
        assert_eq!(key("https://H%41.test:8443"), "https://ha.test:8443/");
        assert_eq!(key("https://h:99999/"), "https://h:99999/");
    }

    #[test]
    fn significant_differences_stay() {
        assert_ne!(key("http://h/A"), key("http://h/a"));
        assert_ne!(key("http://h/a%2Fb"), key("http://h/a/b"));
        assert_ne!(key("http://h/?Q"), key("http://h/?q"));
        assert_ne!(key("http://h:8080/"), key("http://h/"));
        assert_ne!(key("https://h/"), key("http://h/"));
    }

    #[test]
    fn escapes_normalise_in_runs() {
        let mut out = String::new();
        push_escapes_normalised(&mut out, "%zz%41%2f%", false);
        assert_eq!(out, "%zzA%2F%");
        out.clear();
        push_escapes_normalised(&mut out, "AbC%4A%4", true);
        assert_eq!(out, "abcj%4");
    }

    #[test]
    fn normal_escapes_are_their_own_key() {
        for (s, normal) in [
            ("/a%2F?b=%3A%20", true),
            ("/plain", true),
            ("/a%2f", false),
            ("/%7E", false),
            ("/%41", false),
            ("/%4", false),
            ("/%", false),
        ] {
            assert_eq!(escapes_are_normal(s.as_bytes()), normal, "{s}");
            let mut out = String::new();
            push_escapes_normalised(&mut out, s, false);
            if normal {
                assert_eq!(out, s);
            }
        }
    }
}
