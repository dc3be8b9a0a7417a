//! The open-redirect probe's inputs: attacker return URLs and the request
//! URLs that carry them.
//!
//! An endpoint that takes a return URL (`?next=`, `?url=`,
//! `?redirect_uri=`) and puts it in Location unchecked is an open
//! redirector: a link on the trusted origin that lands on the attacker's
//! (CWE-601; RFC 9700 §4.11 forbids them for OAuth clients and servers).
//! Each value below points at [`ATTACKER_HOST`] in a form that naive checks
//! ("starts with `/`", "does not start with `//`", "contains my host")
//! let through and browsers still resolve off the origin. Most are seeds of
//! `corpus/location_parse/` and carry the seed's name; a test checks that
//! they have the same bytes. `{host}` stands for the server's own host.
//!
//! Each value is sent in every [`Encoding`]: servers that pass the query
//! through undecoded (nginx `$arg_next`, Apache `%{QUERY_STRING}`) only
//! return an attacker URL that was sent as written.
//!
//! The verdict (rule `open-redirect`) is given by the checker when the
//! [`RequestInfo`](super::RequestInfo) carries the probe
//! ([`RequestInfo::with_probe`](super::RequestInfo::with_probe)): the
//! Location is resolved with the WHATWG URL parser against the request URL,
//! as a browser does, and a host that is or ends in [`ATTACKER_HOST`] is
//! the finding.

/// The host every attack value points at (a reserved `.test` name).
pub const ATTACKER_HOST: &str = "evil.test";

/// (name, value): the attack values, `{host}` for the server's own host.
const ATTACKS: &[(&str, &str)] = &[
    ("attack-double-slash-host", "//evil.test"),
    ("attack-slash-backslash-host", "/\\evil.test"),
    ("attack-backslash-host", "\\\\evil.test"),
    ("attack-backslash-slash-host", "\\/evil.test"),
    ("attack-triple-slash-host", "///evil.test"),
    ("attack-quad-slash-host", "////evil.test"),
    ("attack-slash-tab-slash", "/\t/evil.test"),
    ("attack-leading-space-double-slash", " //evil.test"),
    ("attack-https-no-slashes", "https:evil.test"),
    ("attack-http-no-slashes", "http:evil.test"),
    ("attack-https-one-slash", "https:/evil.test"),
    ("attack-https-backslashes", "https:\\\\evil.test"),
    ("attack-https-slash-backslash", "https:/\\evil.test"),
    ("attack-https-three-slashes", "https:///evil.test"),
    ("attack-https-tab-before-slashes", "https:\t//evil.test"),
    ("attack-host-in-path", "https://evil.test/{host}"),
    ("pct-host-dot", "https://evil%2etest/"),
    ("pct-host-all", "https://%65%76%69%6c%2e%74%65%73%74/"),
    ("idn-fullwidth-full-stop", "https://evil\u{ff0e}test/"),
    ("idn-ideographic-full-stop", "https://evil\u{3002}test"),
    ("idn-halfwidth-full-stop", "https://evil\u{ff61}test/"),
    ("userinfo-trusted-at-evil", "https://{host}@evil.test/"),
    ("userinfo-schemerel-trusted-at-evil", "//{host}@evil.test/"),
    ("attack-whitelist-suffix", "https://{host}.evil.test/"),
];

/// The attack values for a server whose host is `own_host`, with the name
/// of the corpus seed each comes from.
///
/// # Examples
/// ```
/// let values = redirspec::server::attack_values("127.0.0.1");
/// assert!(values.iter().any(|(_, v)| v == "/\\evil.test"));
/// assert!(values.iter().any(|(_, v)| v == "https://127.0.0.1@evil.test/"));
/// ```
pub fn attack_values(own_host: &str) -> Vec<(&'static str, String)> {
    ATTACKS
        .iter()
        .map(|&(name, v)| (name, v.replace("{host}", own_host)))
        .collect()
}

/// How a probe writes an attack value into the query.
///
/// Servers differ in what they hand the application: most decode the query
/// once (`%2F` becomes `/`), but nginx's `$arg_next` and Apache's
/// `%{QUERY_STRING}` pass it through as it was sent, and a few layers decode
/// twice. Each value is sent in every form so that one of them arrives as the
/// attacker's URL whatever the server does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Encoding {
    /// `application/x-www-form-urlencoded`: every byte but ASCII letters,
    /// digits and `*-._` percent-encoded (`https%3A%2F%2Fevil.test`).
    Full,
    /// Only what the request line and the parameter need: what a browser
    /// sends for a link holding the value as written (URL Standard, special
    /// query percent-encode set) plus `&`, `+`, `#` and a `%` that starts no
    /// escape; `/`, `:`, `@`, `?`, `=` and `\` stay as they are
    /// (`https://evil.test/`, `/\evil.test`).
    Minimal,
    /// [`Encoding::Full`] applied twice (`https%253A%252F%252Fevil.test`),
    /// for servers that decode twice.
    Double,
}

impl Encoding {
    /// Every encoding, in the order probes are sent.
    pub const ALL: [Encoding; 3] = [Encoding::Full, Encoding::Minimal, Encoding::Double];

    /// `fully encoded`, `minimally encoded` or `double-encoded`.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Full => "fully encoded",
            Encoding::Minimal => "minimally encoded",
            Encoding::Double => "double-encoded",
        }
    }

    /// `value` as it is written into the query in this encoding.
    ///
    /// # Examples
    /// ```
    /// use redirspec::server::Encoding;
    /// assert_eq!(Encoding::Full.encode("https://e.test/"), "https%3A%2F%2Fe.test%2F");
    /// assert_eq!(Encoding::Minimal.encode("https://e.test/"), "https://e.test/");
    /// assert_eq!(Encoding::Minimal.encode("/\\e.test a&b"), "/\\e.test%20a%26b");
    /// assert_eq!(Encoding::Double.encode("//e.test"), "%252F%252Fe.test");
    /// ```
    pub fn encode(self, value: &str) -> String {
        let full = |v: &str| url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
        match self {
            Encoding::Full => full(value),
            Encoding::Double => full(&full(value)),
            Encoding::Minimal => {
                let bytes = value.as_bytes();
                let mut out = String::with_capacity(bytes.len());
                for (i, &b) in bytes.iter().enumerate() {
                    let escape = bytes
                        .get(i + 1..i + 3)
                        .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
                    let keep = b.is_ascii_alphanumeric()
                        || b"-._~!$()*,;:@/?=\\".contains(&b)
                        || (b == b'%' && escape);
                    if keep {
                        out.push(char::from(b));
                    } else {
                        out.push_str(&format!("%{b:02X}"));
                    }
                }
                out
            }
        }
    }
}

/// `base` with the query parameter `param` set to `value`
/// (form-urlencoded, replacing any earlier value of `param`): the
/// [`Encoding::Full`] form of [`probe_url_encoded`].
///
/// # Examples
/// ```
/// let base = url::Url::parse("http://127.0.0.1:8080/login?lang=en&next=/home").unwrap();
/// let u = redirspec::server::probe_url(&base, "next", "/\\evil.test");
/// assert_eq!(u.as_str(), "http://127.0.0.1:8080/login?lang=en&next=%2F%5Cevil.test");
/// ```
pub fn probe_url(base: &url::Url, param: &str, value: &str) -> url::Url {
    probe_url_encoded(base, param, value, Encoding::Full)
}

/// `base` with the query parameter `param` set to `value` written in
/// `encoding`, replacing any earlier value of `param`; the other parameters
/// are kept (form-urlencoded).
///
/// # Examples
/// ```
/// use redirspec::server::{probe_url_encoded, Encoding};
/// let base = url::Url::parse("http://127.0.0.1:8080/login?lang=en").unwrap();
/// let u = probe_url_encoded(&base, "next", "https://evil.test/", Encoding::Minimal);
/// assert_eq!(u.as_str(), "http://127.0.0.1:8080/login?lang=en&next=https://evil.test/");
/// let u = probe_url_encoded(&base, "next", "/\\evil.test", Encoding::Minimal);
/// assert_eq!(u.query(), Some("lang=en&next=/\\evil.test"));
/// ```
pub fn probe_url_encoded(
    base: &url::Url,
    param: &str,
    value: &str,
    encoding: Encoding,
) -> url::Url {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in base.query_pairs().filter(|(k, _)| k != param) {
        query.append_pair(&k, &v);
    }
    let mut query = query.finish();
    if !query.is_empty() {
        query.push('&');
    }
    query.extend(url::form_urlencoded::byte_serialize(param.as_bytes()));
    query.push('=');
    query.push_str(&encoding.encode(value));
    let mut url = base.clone();
    url.set_query(Some(&query));
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every attack value in every encoding: the URL carries exactly the
    /// encoded text (the `url` crate adds no escape of its own), and a
    /// server that decodes the query once gets the value back from the
    /// fully encoded form, the fully encoded text from the double-encoded one.
    #[test]
    fn encodings_reach_the_server_as_written() {
        let base = url::Url::parse("http://127.0.0.1:8080/login?a=1").unwrap();
        for (name, value) in attack_values("127.0.0.1") {
            for enc in Encoding::ALL {
                let u = probe_url_encoded(&base, "next", &value, enc);
                let q = u.query().unwrap();
                assert_eq!(
                    q,
                    format!("a=1&next={}", enc.encode(&value)),
                    "{name} {enc:?}"
                );
                let got: Vec<_> = u.query_pairs().collect();
                assert_eq!(got[0].1, "1");
                let once = &got[1].1;
                match enc {
                    Encoding::Full => assert_eq!(once, &value, "{name}"),
                    Encoding::Double => assert_eq!(once, &Encoding::Full.encode(&value)),
                    Encoding::Minimal => {
                        assert!(!q[10..].contains(['&', '#', ' ', '+']), "{name}: {q}");
                    }
                }
            }
        }
        let u = probe_url_encoded(
            &base,
            "next",
            "https://127.0.0.1@evil.test/",
            Encoding::Minimal,
        );
        assert_eq!(u.query(), Some("a=1&next=https://127.0.0.1@evil.test/"));
        assert_eq!(Encoding::Minimal.encode("100%"), "100%25");
        assert_eq!(Encoding::Minimal.encode("a+b"), "a%2Bb");
        assert_eq!(Encoding::Minimal.encode("\u{3002}"), "%E3%80%82");
    }

    #[test]
    fn values_are_the_corpus_seeds() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/location_parse");
        for &(name, value) in ATTACKS {
            let seed = std::fs::read(dir.join(name)).unwrap();
            let seed = String::from_utf8(seed).unwrap();
            assert_eq!(
                seed.replace("trusted.test", "{host}"),
                value,
                "{name} differs from its seed"
            );
        }
    }
}
