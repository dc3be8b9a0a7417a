//! The requests a chain has sent, for loop detection.
//!
//! RFC 9110 §15.4: "A client SHOULD detect and intervene in cyclical
//! redirections (i.e., "infinite" redirection loops)." A request repeats an
//! earlier one when the method is the same and the URLs are equivalent
//! (RFC 9110 §4.2.3, see `equivalence`).
//!
//! Every request sent is kept as its comparison key, in one arena, so that
//! recording a hop allocates nothing in steady state. The key of the request
//! a step moves to is built at the next lookup, not at once: a chain that
//! ends there (most do) never needs it. A lookup first
//! compares the URL with each key part by part, without building the URL's
//! own key: the scheme and host fold case, the port is compared as a number,
//! and a path and query without `%` is its own key. Only a URL that this
//! cannot decide (a `%` where the texts differ, userinfo) has its key built.

use http::Method;

use super::equivalence::{escapes_are_normal, key_port, push_key, KeyLayout, Port};
use super::resolve::UriBuf;

/// The requests sent in one chain.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    arena: String,
    entries: Vec<(Method, KeyLayout)>,
    /// The key of the URL last looked up, when the lookup had to build it.
    scratch: String,
    /// Whether the current request is still to be recorded.
    pending: bool,
}

// `Clone` by hand: `clone_from` copies into the buffers this one already has.
impl Clone for Seen {
    fn clone(&self) -> Self {
        Seen {
            arena: self.arena.clone(),
            entries: self.entries.clone(),
            scratch: String::new(),
            pending: self.pending,
        }
    }
    fn clone_from(&mut self, source: &Self) {
        self.arena.clone_from(&source.arena);
        self.entries.clone_from(&source.entries);
        self.pending = source.pending;
    }
}

/// What a lookup needs of a URL, without building its key (bytes of its
/// text, sliced at its offsets).
struct Candidate<'a> {
    scheme: &'a [u8],
    host: &'a [u8],
    port: Port,
    /// Whether the path is empty (the key writes `/`).
    empty_path: bool,
    /// The path and query.
    rest: &'a [u8],
}

impl<'a> Candidate<'a> {
    /// `None` for a URL the part-by-part comparison does not handle
    /// (userinfo, an escape in the host, a port beyond 65535).
    fn of(url: &'a UriBuf) -> Option<Self> {
        let p = url.parts();
        let text = url.as_str().as_bytes();
        let scheme_end = p.scheme_end?;
        p.authority?;
        let host = &text[p.host.0..p.host.1];
        if p.userinfo_end.is_some() || host.contains(&b'%') {
            return None;
        }
        let port = match p.port {
            None => Port::Default,
            Some(_) => key_port(url),
        };
        if port == Port::Invalid {
            return None;
        }
        let end = p.fragment.map_or(text.len(), |(a, _)| a - 1);
        Some(Candidate {
            scheme: &text[..scheme_end],
            host,
            port,
            empty_path: p.path.0 == p.path.1,
            rest: &text[p.path.0..end],
        })
    }
}

/// ASCII case-insensitive equality; equal bytes (the usual case) first.
fn fold_eq(a: &[u8], b: &[u8]) -> bool {
    a == b || (a.len() == b.len() && a.eq_ignore_ascii_case(b))
}

impl Seen {
    /// Records a request (the first of a chain).
    pub fn push(&mut self, method: &Method, url: &UriBuf) {
        let layout = push_key(&mut self.arena, url);
        self.entries.push((method.clone(), layout));
    }

    /// Notes that the machine moved to a new current request: it is
    /// recorded (as [`push`](Self::push) would) at the next lookup.
    pub fn push_later(&mut self) {
        self.pending = true;
    }

    /// Whether `method` and a URL equivalent to `url` were already
    /// requested. `current_method` and `current` are the current request,
    /// recorded first if it still is to be.
    pub fn contains(
        &mut self,
        current_method: &Method,
        current: &UriBuf,
        method: &Method,
        url: &UriBuf,
    ) -> bool {
        if std::mem::take(&mut self.pending) {
            self.push(current_method, current);
        }
        if let Some(found) = Candidate::of(url).and_then(|c| self.quick_contains(method, &c)) {
            return found;
        }
        self.scratch.clear();
        push_key(&mut self.scratch, url);
        let (arena, key) = (&self.arena, self.scratch.as_str());
        self.entries
            .iter()
            .any(|(m, e)| m == method && &arena[e.start..e.end] == key)
    }

    /// The part-by-part lookup; `None` when it cannot decide.
    fn quick_contains(&self, method: &Method, c: &Candidate<'_>) -> Option<bool> {
        // Whether the path and query are their own key: looked at once, and
        // only when a key has the same origin and another path or query.
        let mut rest_is_key = None;
        for (m, e) in &self.entries {
            let a = self.arena.as_bytes();
            // (A key with userinfo has text between "://" and the host.)
            if m != method
                || e.host.0 != e.scheme_end + 3
                || !fold_eq(c.host, &a[e.host.0..e.host.1])
                || c.port != e.port
                || !fold_eq(c.scheme, &a[e.start..e.scheme_end])
            {
                continue;
            }
            let key_rest = &a[e.rest..e.end];
            let same = if c.empty_path {
                key_rest.strip_prefix(b"/") == Some(c.rest)
            } else {
                key_rest == c.rest
            };
            if same {
                return Some(true);
            }
            // Texts that differ name different resources unless an escape
            // could normalise to something else.
            if !*rest_is_key.get_or_insert_with(|| escapes_are_normal(c.rest)) {
                return None;
            }
        }
        Some(false)
    }
}

#[cfg(test)]
impl Seen {
    /// The last key recorded, moved to offset 0, with its text.
    fn last(&self) -> (String, KeyLayout) {
        let (_, e) = self.entries.last().expect("an entry");
        (self.arena[e.start..e.end].to_owned(), e.moved(e.start, 0))
    }
}

#[cfg(test)]
mod tests {
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

    fn url_text() -> impl Strategy<Value = String> {
        "(https?|HTTPS?|Http)://([a-z]{1,2}@)?[aAbB%4162]{1,4}(:(0?[0-9]{0,5}|80|443))?(/[aA~%7eE2F]{0,3}){0,2}(\\?[aA%3d]{0,3})?(#[a-z]{0,2})?"
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        /// The part-by-part lookup answers exactly what comparing keys
        /// answers, for a chain of random URLs.
        #[test]
        fn lookup_equals_key_comparison(texts in proptest::collection::vec(url_text(), 1..6)) {
            let urls: Vec<UriBuf> = texts.iter().filter_map(|t| UriBuf::parse_absolute(t).ok()).collect();
            let Some((first, rest)) = urls.split_first() else { return Ok(()) };
            let get = Method::GET;
            let mut seen = Seen::default();
            seen.push(&get, first);
            let mut keys = vec![key(first)];
            let mut current = first;
            for url in rest {
                let k = key(url);
                prop_assert_eq!(seen.contains(&get, current, &get, url), keys.contains(&k), "{}", url);
                prop_assert_eq!(seen.last(), key_and_layout(current));
                seen.push_later();
                current = url;
                keys.push(k);
            }
        }
    }
}
