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
//! ends there (most do) never needs it.
//!
//! A lookup does not build the URL's own key. It first rules keys out by
//! two facts that need no comparison of text (see [`Probe`]): a key is never
//! longer than the URL's text, and it ends as the text does when the text
//! ends without an escape. A key that passes is compared part by part
//! ([`examine`]): scheme and host folding case, the port as a number, the
//! path and query as text up to the first `%`. Only a URL that this cannot
//! decide (a `%` where the texts differ, userinfo, a port beyond 65535) has
//! its key built.

mod words;

use http::Method;

use super::equivalence::{escapes_are_normal, key_port, push_key, KeyLayout, Port};
use super::resolve::UriBuf;
use words::{first_difference_or_escape, fold_eq, has_percent};

/// A request sent: its method and where its key is in the arena.
#[derive(Clone, Debug)]
struct Entry {
    method: Method,
    key: KeyLayout,
    /// The last byte of the key (which is never empty), for the probe.
    last: u8,
}

/// The requests sent in one chain.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    arena: String,
    entries: Vec<Entry>,
    /// The key of the URL last looked up, when the lookup had to build it.
    scratch: String,
    /// Whether the current request is still to be recorded.
    pending: bool,
    /// Repeats let through because their response set a cookie
    /// ([`Policy::repeats_after_set_cookie`](super::Policy::repeats_after_set_cookie)).
    tolerated: u32,
}

// `Clone` by hand: `clone_from` copies into the buffers this one already has.
impl Clone for Seen {
    fn clone(&self) -> Self {
        Seen {
            arena: self.arena.clone(),
            entries: self.entries.clone(),
            scratch: String::new(),
            pending: self.pending,
            tolerated: self.tolerated,
        }
    }
    fn clone_from(&mut self, source: &Self) {
        self.arena.clone_from(&source.arena);
        self.entries.clone_from(&source.entries);
        self.pending = source.pending;
        self.tolerated = source.tolerated;
    }
}

impl Seen {
    /// Records a request (the first of a chain).
    pub fn push(&mut self, method: &Method, url: &UriBuf) {
        // A key is at most one byte longer than the URL's text (see
        // `Probe`): one allocation, not one per doubling, in a new machine.
        self.arena.reserve(url.as_str().len() + 1);
        self.entries.reserve(4);
        let key = push_key(&mut self.arena, url);
        let last = self.arena.as_bytes().last().copied().unwrap_or_default();
        self.entries.push(Entry {
            method: method.clone(),
            key,
            last,
        });
    }

    /// Forgets every request (a machine's restart), keeping the buffers.
    pub fn clear(&mut self) {
        self.arena.clear();
        self.entries.clear();
        self.pending = false;
        self.tolerated = 0;
    }

    /// Lets one more repeat through if fewer than `max` were: whether it did.
    /// A repeat whose response set a cookie is not yet a cycle (RFC 9110
    /// §15.4 asks a client to detect *cyclical* redirections); one past
    /// `max` is.
    pub fn tolerate_repeat(&mut self, max: u32) -> bool {
        let ok = self.tolerated < max;
        if ok {
            self.tolerated += 1;
        }
        ok
    }

    /// Whether the keys of `a` and `b` surely differ, known from their last
    /// bytes alone (see [`Probe`]: a key ends as its URL's text does when
    /// the text ends without an escape), so that no key need be built.
    /// `false` means "not known", not "equal".
    pub fn keys_surely_differ(a: &UriBuf, b: &UriBuf) -> bool {
        matches!(
            (Probe::of(a), Probe::of(b)),
            (Some(Probe { last: Some(x), .. }), Some(Probe { last: Some(y), .. })) if x != y
        )
    }

    /// Notes that the machine moved to a new current request: it is
    /// recorded (as [`push`](Self::push) would) at the next lookup.
    #[inline]
    pub fn push_later(&mut self) {
        self.pending = true;
    }

    /// Whether `method` and a URL equivalent to `url` were already
    /// requested. `current_method` and `current` are the current request,
    /// recorded first if it still is to be.
    #[inline(always)]
    pub fn contains(
        &mut self,
        current_method: &Method,
        current: &UriBuf,
        method: &Method,
        url: &UriBuf,
    ) -> bool {
        if self.pending {
            self.record_pending(current_method, current);
        }
        self.lookup(method, url)
    }

    /// Records the current request, which the machine moved to.
    #[cold]
    #[inline(never)]
    fn record_pending(&mut self, method: &Method, url: &UriBuf) {
        self.pending = false;
        self.push(method, url);
    }

    /// The lookup proper (`contains` without recording).
    ///
    /// Most keys fail the probe's tests; this function does only those, so
    /// that it needs few registers and no call (the common lookup, which
    /// finds nothing, costs a few dozen instructions).
    #[inline(never)]
    fn lookup(&mut self, method: &Method, url: &UriBuf) -> bool {
        let Some(probe) = Probe::of(url) else {
            return self.contains_by_key(method, url);
        };
        match self.entries.iter().position(|e| probe.may_be(e)) {
            None => false,
            Some(i) => self.lookup_at(i, method, url),
        }
    }

    /// The lookup from entry `i` on, where `i` passed the probe's tests.
    #[inline(never)]
    fn lookup_at(&mut self, i: usize, method: &Method, url: &UriBuf) -> bool {
        let Some(entry) = self.entries.get(i) else {
            return false;
        };
        match examine(self.arena.as_bytes(), entry, method, url) {
            Quick::NotFound => self.lookup_later(i + 1, method, url),
            Quick::Found => true,
            Quick::Unsure => self.contains_by_key(method, url),
        }
    }

    /// The lookup among the entries from `from` on (after one that passed
    /// the probe's tests but was another request).
    #[inline(never)]
    fn lookup_later(&mut self, from: usize, method: &Method, url: &UriBuf) -> bool {
        let mut next = self.next_candidate(from, url);
        // (Each turn moves on by one entry at least.)
        while let Some(i) = next {
            match self.examine_entry(i, method, url) {
                Quick::NotFound => {}
                Quick::Found => return true,
                Quick::Unsure => return self.contains_by_key(method, url),
            }
            next = self.next_candidate(i + 1, url);
        }
        false
    }

    /// [`examine`] for entry `i`.
    #[inline(never)]
    fn examine_entry(&self, i: usize, method: &Method, url: &UriBuf) -> Quick {
        match self.entries.get(i) {
            Some(entry) => examine(self.arena.as_bytes(), entry, method, url),
            None => Quick::NotFound,
        }
    }

    /// The first entry from `from` on that passes the probe's tests.
    #[inline(never)]
    fn next_candidate(&self, from: usize, url: &UriBuf) -> Option<usize> {
        let later = self.entries.get(from..).filter(|l| !l.is_empty())?;
        let probe = Probe::of(url)?;
        let at = later.iter().position(|e| probe.may_be(e))?;
        Some(from + at)
    }

    /// The lookup that builds the key of `url` and compares whole keys.
    #[cold]
    #[inline(never)]
    fn contains_by_key(&mut self, method: &Method, url: &UriBuf) -> bool {
        self.scratch.clear();
        push_key(&mut self.scratch, url);
        let (arena, key) = (&self.arena, self.scratch.as_str());
        self.entries
            .iter()
            .any(|e| e.method == *method && &arena[e.key.start..e.key.end] == key)
    }
}

/// What a lookup knows of a URL's key without building it: enough to rule
/// out most keys with no comparison of text.
struct Probe {
    /// The length of the longest key the URL can have: its text without
    /// fragment, and the `/` of an empty path (RFC 3986 §6.2.3). Nothing
    /// else a key does lengthens the text: an escape stays three bytes or
    /// becomes one (§6.2.2.2), case changes no length, and a port loses its
    /// leading zeros, or itself when it is the default (§6.2.3).
    longest_key: usize,
    /// The last byte of the key, when the path and query are not empty and
    /// their last three bytes have no `%`: the last byte is then part of no
    /// escape, and the key copies it as it is.
    last: Option<u8>,
}

impl Probe {
    /// `None` for a URL with userinfo or without authority (its key is
    /// built).
    #[inline(always)]
    fn of(url: &UriBuf) -> Option<Probe> {
        let p = url.parts();
        let (Some(_), Some(_), None) = (p.scheme_end, p.authority, p.userinfo_end) else {
            return None;
        };
        let text = url.as_str().as_bytes();
        let end = p.fragment.map_or(text.len(), |(f, _)| f - 1);
        let last = match text.get(p.path.0..end)? {
            [.., a, b, c] if *a != b'%' && *b != b'%' && *c != b'%' => Some(*c),
            _ => None,
        };
        Some(Probe {
            longest_key: end + usize::from(p.path.0 == p.path.1),
            last,
        })
    }

    /// Whether the key of `entry` passes the tests: not longer than the
    /// longest key of the URL, and ending in its last byte.
    #[inline(always)]
    fn may_be(&self, entry: &Entry) -> bool {
        entry.key.end - entry.key.start <= self.longest_key
            && self.last.is_none_or(|b| b == entry.last)
    }
}

/// Whether the recorded request `entry` (its key in `arena`) is `method`
/// and `url`, for a `url` that has a [`Probe`] (an authority, no
/// userinfo).
///
/// The text up to the end of the host is the scheme, "://" and the host;
/// in a key, the same with userinfo if any. These spans fold equal exactly
/// when the key has no userinfo (a host has no `@`), the schemes fold equal
/// (neither has a `:`), and the hosts fold equal, and then the host keys are
/// equal: normalising a host depends only on its bytes folded (escapes are
/// found, decoded and lowered the same way in either case). Spans that do
/// not fold equal belong to different keys, unless an escape could
/// normalise the host to the key's, which takes a `%` and a host at least
/// as long as the key's.
#[inline(always)]
fn examine(arena: &[u8], entry: &Entry, method: &Method, url: &UriBuf) -> Quick {
    let e = &entry.key;
    let p = url.parts();
    let text = url.as_str().as_bytes();
    if !fold_eq(&text[..p.host.1], &arena[e.start..e.host.1]) {
        let host = &text[p.host.0..p.host.1];
        return if host.len() >= e.host.1 - e.host.0 && has_percent(host) {
            Quick::Unsure
        } else {
            Quick::NotFound
        };
    }
    if entry.method != *method {
        return Quick::NotFound;
    }
    let port = match p.port {
        None => Port::Default,
        Some(_) => key_port(url),
    };
    // (Digits that are no port number are compared as text.)
    if port == Port::Invalid {
        return Quick::Unsure;
    }
    if port != e.port {
        return Quick::NotFound;
    }
    let end = p.fragment.map_or(text.len(), |(f, _)| f - 1);
    let rest = &text[p.path.0..end];
    let empty_path = p.path.0 == p.path.1;
    let key_rest = &arena[e.rest..e.end];
    let same = match rest_is(rest, empty_path, key_rest) {
        Some(same) => same,
        // Escapes that are as the key writes them make the text its own
        // key.
        None if escapes_are_normal(rest) => rest_is_text(rest, empty_path, key_rest),
        None => return Quick::Unsure,
    };
    if same {
        Quick::Found
    } else {
        Quick::NotFound
    }
}

/// What [`examine`] found.
enum Quick {
    /// The request is the entry's.
    Found,
    /// It is not.
    NotFound,
    /// The lookup cannot tell without building the URL's key.
    Unsure,
}

/// Whether the path and query `rest` of a URL (empty path when `empty_path`)
/// has `key_rest` as its key, looking only at the bytes before its first
/// `%`: `None` when that does not decide.
///
/// A key copies the text before the first escape as it is (RFC 3986
/// §6.2.2.1-2 change only escapes), and writes `/` for an empty path
/// (§6.2.3). So once the texts differ before any `%`, or `rest` ends
/// without one, the answer is known. Normalising never lengthens a path
/// and query, so a shorter one is another.
#[inline(always)]
fn rest_is(rest: &[u8], empty_path: bool, key_rest: &[u8]) -> Option<bool> {
    let key_rest = match (empty_path, key_rest) {
        (false, k) => k,
        (true, [b'/', k @ ..]) => k,
        (true, _) => return Some(false),
    };
    if rest.len() < key_rest.len() {
        return Some(false);
    }
    match first_difference_or_escape(rest, key_rest).map(|i| rest[i]) {
        Some(b'%') => None,
        Some(_) => Some(false),
        None => Some(rest.len() == key_rest.len()),
    }
}

/// Whether the path and query `rest` (empty path when `empty_path`), taken
/// as its own key, is `key_rest`.
fn rest_is_text(rest: &[u8], empty_path: bool, key_rest: &[u8]) -> bool {
    if empty_path {
        key_rest.strip_prefix(b"/") == Some(rest)
    } else {
        key_rest == rest
    }
}

#[cfg(test)]
mod tests;
