//! Origins (RFC 6454 §4) and the comparisons credential removal needs.

/// The origin of a URL: scheme, host and effective port.
///
/// Schemes and hosts compare ASCII case-insensitively (RFC 3986 §3.1,
/// §3.2.2); a missing port is the scheme's default port (RFC 6454 §4).
#[derive(Clone, Copy, Debug)]
pub struct Origin<'a> {
    /// The scheme, as written.
    pub scheme: &'a str,
    /// The host, as written (an IP literal keeps its brackets).
    pub host: &'a str,
    /// The port, or the scheme's default port.
    pub port: Option<u16>,
}

impl Origin<'_> {
    /// Same scheme, host and port (Fetch "same origin", RFC 6454 §5).
    pub fn same_origin(&self, other: &Origin<'_>) -> bool {
        // The cheap comparisons first; byte equality before case folding.
        self.port == other.port
            && eq_ascii_fold(self.scheme, other.scheme)
            && eq_ascii_fold(self.host, other.host)
    }

    /// Same host, whatever the scheme and port.
    pub fn same_host(&self, other: &Origin<'_>) -> bool {
        eq_ascii_fold(self.host, other.host)
    }
}

/// ASCII case-insensitive equality, with a fast answer for equal bytes.
fn eq_ascii_fold(a: &str, b: &str) -> bool {
    a == b || a.eq_ignore_ascii_case(b)
}

/// The default port of a scheme: 80 for http, 443 for https (RFC 9110 §4.2.1,
/// §4.2.2), `None` for any other.
pub fn default_port(scheme: &str) -> Option<u16> {
    match scheme.len() {
        4 if scheme.eq_ignore_ascii_case("http") => Some(80),
        5 if scheme.eq_ignore_ascii_case("https") => Some(443),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o<'a>(scheme: &'a str, host: &'a str, port: Option<u16>) -> Origin<'a> {
        Origin {
            scheme,
            host,
            port: port.or(default_port(scheme)),
        }
    }

    #[test]
    fn default_ports_and_case() {
        assert!(o("HTTPS", "A.test", None).same_origin(&o("https", "a.TEST", Some(443))));
        assert!(!o("https", "a.test", None).same_origin(&o("http", "a.test", None)));
        assert!(!o("http", "a.test", None).same_origin(&o("http", "a.test", Some(8080))));
        assert!(o("http", "a.test", None).same_host(&o("https", "a.test", Some(8443))));
        assert!(!o("http", "a.test", None).same_host(&o("http", "b.a.test", None)));
    }
}
