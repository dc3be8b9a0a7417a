//! Loop detection's unit tests.

use super::*;
use proptest::prelude::*;

fn buf(text: &str) -> UriBuf {
    UriBuf::parse_absolute(text).unwrap()
}

fn key(url: &UriBuf) -> String {
    let mut out = String::new();
    push_key(&mut out, url);
    out
}

fn key_and_layout(url: &UriBuf) -> (String, KeyLayout) {
    let mut out = String::new();
    let layout = push_key(&mut out, url);
    (out, layout)
}

#[test]
fn equivalent_urls_are_found() {
    let mut seen = Seen::default();
    seen.push(&Method::GET, &buf("https://a.test/x?y#f"));
    for (text, found) in [
        ("https://a.test/x?y", true),
        ("HTTPS://A.TEST:443/x?y#g", true),
        ("https://a.test/%78?y", true),
        ("https://a.test/X?y", false),
        ("https://a.test/x?Y", false),
        ("https://a.test:8443/x?y", false),
        ("http://a.test/x?y", false),
        ("https://b.test/x?y", false),
        ("https://a.test/x%3Fy", false),
    ] {
        let (get, post) = (Method::GET, Method::POST);
        let first = buf("https://a.test/x?y#f");
        assert_eq!(
            seen.contains(&get, &first, &get, &buf(text)),
            found,
            "{text}"
        );
        assert!(!seen.contains(&get, &first, &post, &buf(text)), "{text}");
    }
}

#[test]
fn a_followed_hop_is_recorded_at_the_next_lookup() {
    let get = Method::GET;
    let mut seen = Seen::default();
    let mut current = buf("https://a.test/");
    seen.push(&get, &current);
    for text in ["https://a.test/%7e", "https://a.test/b", "https://u@a.test"] {
        let url = buf(text);
        assert!(!seen.contains(&get, &current, &get, &url));
        seen.push_later();
        current = url;
        assert!(seen.contains(&get, &current, &get, &current), "{text}");
        assert!(!seen.pending);
    }
    for text in ["https://a.test/~", "https://u@a.test/", "https://a.test"] {
        assert!(seen.contains(&get, &current, &get, &buf(text)), "{text}");
    }
    assert_eq!(seen.entries.len(), 4);
}

#[test]
fn the_probe_rules_out_only_other_keys() {
    let get = Method::GET;
    let mut seen = Seen::default();
    seen.push(&get, &buf("https://a.test/p?q=1"));
    let first = buf("https://a.test/p?q=1");
    for (text, found) in [
        // As long as the key, or longer by escapes that decode.
        ("https://a.test/p?q=1", true),
        ("https://a.test/%70?q=1", true),
        ("https://a.test:0443/p?q=1", true),
        ("https://a.test:/p?q=1", true),
        // Ends in an escape: the last byte is not the key's.
        ("https://a.test/p?q=%31", true),
        ("https://a.test/p?q%3D1", false),
        ("https://a.test/p?q=2", false),
        ("https://a.test/p?q=", false),
        ("https://a.test/p?q=11", false),
        ("https://b.test/p?q=1", false),
        ("https://%61.test/p?q=1", true),
        ("https://%41.TEST/p?q=1", true),
        ("https://%62.test/p?q=1", false),
    ] {
        assert_eq!(
            seen.contains(&get, &first, &get, &buf(text)),
            found,
            "{text}"
        );
    }
    // An empty path is written `/`: one byte longer than the text.
    let mut seen = Seen::default();
    let root = buf("http://h/");
    seen.push(&get, &root);
    for (text, found) in [
        ("http://h", true),
        ("HTTP://H:80", true),
        ("http://h:8080", false),
    ] {
        assert_eq!(
            seen.contains(&get, &root, &get, &buf(text)),
            found,
            "{text}"
        );
    }
}

#[test]
fn later_entries_are_looked_up_past_one_that_passes_the_probe() {
    let (get, post) = (Method::GET, Method::POST);
    let mut seen = Seen::default();
    let texts = [
        "https://a.test/x1",
        "https://b.test/x1",
        "https://a.test/y1",
    ];
    let urls: Vec<UriBuf> = texts.iter().map(|t| buf(t)).collect();
    seen.push(&post, &urls[0]);
    seen.push(&get, &urls[1]);
    seen.push(&get, &urls[2]);
    // Same length and last byte as every entry: each is examined.
    assert!(seen.contains(&get, &urls[2], &get, &buf("https://A.test/y1")));
    assert!(seen.contains(&get, &urls[2], &post, &buf("https://a.test/x1")));
    assert!(!seen.contains(&get, &urls[2], &get, &buf("https://a.test/x1")));
    assert!(!seen.contains(&get, &urls[2], &get, &buf("https://c.test/x1")));
    assert!(seen.contains(&get, &urls[2], &get, &buf("https://b.test/%781")));
}

/// A URL built from pieces that exercise each rule of the key: case in
/// scheme and host, escapes that do or do not decode (in the host, the
/// path and the query, at the end or not), userinfo, every kind of
/// port, an empty path, a fragment; some pieces make no URL at all.
fn url_text() -> impl Strategy<Value = String> {
    let pick = |items: &'static [&'static str]| proptest::sample::select(items);
    let scheme = pick(&["http", "HTTP", "Http", "https", "HTTPS", "s"]);
    let userinfo = proptest::option::weighted(0.15, pick(&["u", "U", "%75", "u:p", ""]));
    let host_piece = pick(&[
        "a", "A", "%41", "%61", "b", "%62", ".", "%2e", "%2E", "%", "%zz",
    ]);
    let host = prop_oneof![
        6 => proptest::collection::vec(host_piece, 0..4).prop_map(|v| v.concat()),
        1 => Just("[::1]".to_owned()),
    ];
    let port = proptest::option::weighted(
        0.4,
        pick(&[
            "", "80", "443", "080", "0443", "8080", "08080", "0", "99999", "65536", "065535",
        ]),
    );
    let path_piece = pick(&[
        "", "a", "A", "~", "%7e", "%7E", "%2F", "%2f", "%41", "%", "%4", "b%", "1",
    ]);
    let path = proptest::collection::vec(proptest::collection::vec(path_piece, 0..3), 0..3);
    let query_piece = pick(&["", "a", "=", "%3d", "%3D", "A", "1", "%31", "%"]);
    let query = proptest::option::weighted(0.4, proptest::collection::vec(query_piece, 0..4));
    let fragment = proptest::option::weighted(0.2, pick(&["", "f", "%41"]));
    let authority = proptest::option::weighted(0.95, (userinfo, host, port));
    (scheme, authority, path, query, fragment).prop_map(
        |(scheme, authority, path, query, fragment)| {
            let mut text = format!("{scheme}:");
            if let Some((userinfo, host, port)) = authority {
                text.push_str("//");
                if let Some(u) = userinfo {
                    text.push_str(u);
                    text.push('@');
                }
                text.push_str(&host);
                if let Some(p) = port {
                    text.push(':');
                    text.push_str(p);
                }
            }
            for segment in path {
                text.push('/');
                text.push_str(&segment.concat());
            }
            if let Some(q) = query {
                text.push('?');
                text.push_str(&q.concat());
            }
            if let Some(f) = fragment {
                text.push('#');
                text.push_str(f);
            }
            text
        },
    )
}

/// A URL in canonical form: scheme, host, port, path, query.
type Canonical = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

fn canonical() -> impl Strategy<Value = Canonical> {
    let pick = |items: &'static [&'static str]| proptest::sample::select(items);
    (
        pick(&["http", "https"]),
        pick(&["a", "b", "ab", "[::1]"]),
        pick(&["", "8080", "99999"]),
        pick(&["", "/", "/a", "/a/b", "/~", "/%2F"]),
        pick(&["", "?", "?a=1", "?%3D"]),
    )
}

/// How a URL is written: which letters of the scheme and host change
/// case, which unreserved characters are escaped (and in which case of
/// hex digits), how the port is written, and the fragment.
type Form = (u64, u64, u64, usize, Option<&'static str>);

fn form() -> impl Strategy<Value = Form> {
    let fragment = proptest::option::weighted(0.3, proptest::sample::select(&["", "f"][..]));
    (
        any::<u64>(),
        any::<u64>(),
        any::<u64>(),
        0..4usize,
        fragment,
    )
}

/// `url` written in the form `form`: equivalent to every other form,
/// but for digits that are no port number (beyond 65535), which are
/// compared as text (written `99999`, `65536` or `099999`).
fn render(url: Canonical, form: Form) -> String {
    let (scheme, host, port, path, query) = url;
    let (flips, escapes, hex_case, port_form, fragment) = form;
    let mut i = 0;
    let mut bit = |word: u64| {
        i += 1;
        (word >> (i % 64)) & 1 == 1
    };
    let mut write = |out: &mut String, part: &str, fold: bool, escape: bool| {
        // (The two bytes after a `%` are part of an escape.)
        let mut in_escape = 0;
        for c in part.chars() {
            let unreserved = c.is_ascii_alphanumeric() || "-._~".contains(c);
            if c == '%' {
                in_escape = 2;
                out.push(c);
            } else if in_escape > 0 {
                in_escape -= 1;
                out.push(c);
            } else if escape && unreserved && bit(escapes) {
                let code = c as u8;
                out.push_str(&if bit(hex_case) {
                    format!("%{code:02x}")
                } else {
                    format!("%{code:02X}")
                });
            } else if fold && bit(flips) {
                out.push(c.to_ascii_uppercase());
            } else {
                out.push(c);
            }
        }
    };
    let mut text = String::new();
    write(&mut text, scheme, true, false);
    text.push_str("://");
    write(&mut text, host, true, !host.starts_with('['));
    let default = if scheme == "http" { "80" } else { "443" };
    match (port, port_form) {
        ("", 0) => {}
        ("", 1) => text.push(':'),
        ("", 2) => text.push_str(&format!(":{default}")),
        ("", _) => text.push_str(&format!(":00{default}")),
        ("99999", 0) => text.push_str(":99999"),
        ("99999", 1) => text.push_str(":65536"),
        (p, 0 | 1) => text.push_str(&format!(":{p}")),
        (p, _) => text.push_str(&format!(":0{p}")),
    }
    write(&mut text, path, false, true);
    write(&mut text, query, false, true);
    if let Some(f) = fragment {
        text.push('#');
        text.push_str(f);
    }
    text
}

fn method() -> impl Strategy<Value = Method> {
    proptest::sample::select(vec![Method::GET, Method::GET, Method::POST, Method::HEAD])
}

/// Requests whose URLs are mostly forms of a few URLs (so that many
/// share a key), some free (see `url_text`).
fn requests(n: std::ops::Range<usize>) -> impl Strategy<Value = Vec<(Method, String)>> {
    let pick = (
        method(),
        any::<proptest::sample::Index>(),
        form(),
        proptest::option::weighted(0.25, url_text()),
    );
    (
        proptest::collection::vec(canonical(), 1..4),
        proptest::collection::vec(pick, n),
    )
        .prop_map(|(pool, picks)| {
            picks
                .into_iter()
                .map(|(m, i, form, free)| (m, free.unwrap_or_else(|| render(*i.get(&pool), form))))
                .collect()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]
    /// The lookup answers exactly what comparing whole keys answers,
    /// for a chain of random requests, each also looked up against
    /// random URLs that are not recorded.
    #[test]
    fn lookup_equals_key_comparison(all in requests(1..12), split in 0..4usize) {
        let all: Vec<(Method, UriBuf)> = all
            .iter()
            .filter_map(|(m, t)| Some((m.clone(), UriBuf::parse_absolute(t).ok()?)))
            .collect();
        let (chain, others) = all.split_at(all.len() - split.min(all.len() / 2));
        let Some(((first_method, first), rest)) = chain.split_first() else { return Ok(()) };
        let mut seen = Seen::default();
        seen.push(first_method, first);
        let mut keys = vec![(first_method.clone(), key(first))];
        let (mut current_method, mut current) = (first_method, first);
        for (method, url) in rest {
            for (m, other) in others {
                let want = keys.contains(&(m.clone(), key(other)));
                prop_assert_eq!(seen.contains(current_method, current, m, other), want, "{}", other.as_str());
            }
            let k = (method.clone(), key(url));
            prop_assert_eq!(seen.contains(current_method, current, method, url), keys.contains(&k), "{}", url.as_str());
            prop_assert_eq!(seen.last(), key_and_layout(current));
            seen.push_later();
            (current_method, current) = (method, url);
            keys.push(k);
        }
    }
}

impl Seen {
    /// The last key recorded, moved to offset 0, with its text.
    fn last(&self) -> (String, KeyLayout) {
        let e = &self.entries.last().expect("an entry").key;
        (self.arena[e.start..e.end].to_owned(), e.moved(e.start, 0))
    }
}
