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

/// `base` with the query parameter `param` set to `value`
/// (form-urlencoded, replacing any earlier value of `param`).
///
/// # Examples
/// ```
/// let base = url::Url::parse("http://127.0.0.1:8080/login?lang=en&next=/home").unwrap();
/// let u = redirspec::server::probe_url(&base, "next", "/\\evil.test");
/// assert_eq!(u.as_str(), "http://127.0.0.1:8080/login?lang=en&next=%2F%5Cevil.test");
/// ```
pub fn probe_url(base: &url::Url, param: &str, value: &str) -> url::Url {
    let kept: Vec<(String, String)> = base
        .query_pairs()
        .filter(|(k, _)| k != param)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut url = base.clone();
    url.set_query(None);
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in &kept {
            q.append_pair(k, v);
        }
        q.append_pair(param, value);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

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
