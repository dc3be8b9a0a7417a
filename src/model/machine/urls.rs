//! The machine's three URLs (current, next, first) in the policy's parser's
//! representation, and a read-only view of one.

use super::super::origin::{default_port, Origin};
use super::super::resolve::UriBuf;
use super::super::strict::port_number;
use super::super::whatwg::WebUrl;

/// The current, next and first URL, in the policy's parser's representation.
// One per machine, never moved in a hot loop: boxing a variant would only add
// an indirection to every URL access.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(super) enum Urls {
    Strict(Trio<UriBuf>),
    // Fetch mode: the `url` crate's serializations, which the fast path in
    // model/fast.rs can write without a `Url` (see `fast::WebUrl`).
    Whatwg(Trio<WebUrl>),
}

/// A current, a next and a first URL in three buffers, named by index: no
/// buffer is ever moved or copied to change roles.
///
/// The first URL is the current one until the first hop, so a machine parses
/// its start URL once, into one buffer, and copies it nowhere. From then on
/// the first URL keeps its buffer and the other two take turns as current
/// and next. A restart parses into the next buffer (so that a start URL that
/// fails leaves the machine as it was) and makes it first and current.
#[derive(Debug)]
pub(super) struct Trio<U> {
    bufs: [U; 3],
    /// Which of `bufs` is the current URL.
    current: u8,
    /// Which of `bufs` the next URL is written into: never the current one
    /// nor the first.
    next: u8,
    /// Which of `bufs` is the first URL.
    first: u8,
}

impl<U: Default> Trio<U> {
    /// Three buffers, the first and current URL in buffer 0.
    pub(super) fn new(first: U) -> Self {
        Trio {
            bufs: [first, U::default(), U::default()],
            current: 0,
            next: 1,
            first: 0,
        }
    }
}

impl<U> Trio<U> {
    pub(super) fn current(&self) -> &U {
        &self.bufs[usize::from(self.current)]
    }
    pub(super) fn next(&self) -> &U {
        &self.bufs[usize::from(self.next)]
    }
    pub(super) fn first(&self) -> &U {
        &self.bufs[usize::from(self.first)]
    }
    fn first_mut(&mut self) -> &mut U {
        &mut self.bufs[usize::from(self.first)]
    }
    pub(super) fn next_mut(&mut self) -> &mut U {
        &mut self.bufs[usize::from(self.next)]
    }
    pub(super) fn current_and_next(&mut self) -> (&mut U, &mut U) {
        let [a, b, c] = &mut self.bufs;
        match (self.current, self.next) {
            (0, 1) => (a, b),
            (0, 2) => (a, c),
            (1, 0) => (b, a),
            (1, 2) => (b, c),
            (2, 0) => (c, a),
            // (2, 1): no other pair is ever set.
            _ => (c, b),
        }
    }
    /// The next URL becomes current; the buffer that is neither it nor the
    /// first takes the next one.
    pub(super) fn advance(&mut self) {
        self.current = self.next;
        self.next = 3 - self.current - self.first;
    }
    /// The next URL (just written by a restart) becomes first and current.
    pub(super) fn restart_at_next(&mut self) {
        self.first = self.next;
        self.current = self.next;
        self.next = (self.next + 1) % 3;
    }
    /// The first URL becomes current again, the buffers laid out as
    /// [`restart_at_next`](Self::restart_at_next) leaves them.
    pub(super) fn restart_at_first(&mut self) {
        self.current = self.first;
        self.next = (self.first + 1) % 3;
    }
}

// `clone_from` into the buffers this one already has.
impl<U: Clone> Clone for Trio<U> {
    fn clone(&self) -> Self {
        Trio {
            bufs: self.bufs.clone(),
            current: self.current,
            next: self.next,
            first: self.first,
        }
    }
    fn clone_from(&mut self, source: &Self) {
        for (to, from) in self.bufs.iter_mut().zip(&source.bufs) {
            to.clone_from(from);
        }
        self.current = source.current;
        self.next = source.next;
        self.first = source.first;
    }
}

/// One of the machine's URLs, read through its text and offsets, whatever
/// the mode: a WHATWG serialization is an RFC 3986 URI, and the same
/// accessors read its components (its host is what `Url::host_str` gives,
/// its port what `Url::port` gives, the serializer leaving a default port
/// out), so a URL is looked at without a second dispatch on the mode.
#[derive(Clone, Copy)]
pub(super) struct View<'a>(&'a UriBuf);

impl<'a> View<'a> {
    pub(super) fn as_str(self) -> &'a str {
        self.0.as_str()
    }
    pub(super) fn scheme(self) -> &'a str {
        self.0.scheme().unwrap_or_default()
    }
    pub(super) fn without_fragment(self) -> &'a str {
        self.0.without_fragment()
    }
    pub(super) fn host(self) -> &'a str {
        self.0.host().unwrap_or_default()
    }
    /// Whether the host is empty or absent (as `host().is_empty()`, from
    /// the offsets alone).
    pub(super) fn host_is_empty(self) -> bool {
        let p = self.0.parts();
        p.authority.is_none() || p.host.0 == p.host.1
    }
    /// The URL's text and component offsets.
    pub(super) fn buf(self) -> &'a UriBuf {
        self.0
    }
    pub(super) fn origin(self) -> Origin<'a> {
        let scheme = self.scheme();
        let port = self.0.port().and_then(|p| port_number(p.as_bytes()));
        Origin {
            scheme,
            host: self.host(),
            port: port.or_else(|| default_port(scheme)),
        }
    }
}

impl Urls {
    pub(super) fn current(&self) -> View<'_> {
        View(match self {
            Urls::Strict(t) => t.current(),
            Urls::Whatwg(t) => t.current().buf(),
        })
    }
    pub(super) fn next(&self) -> View<'_> {
        View(match self {
            Urls::Strict(t) => t.next(),
            Urls::Whatwg(t) => t.next().buf(),
        })
    }
    pub(super) fn first(&self) -> View<'_> {
        View(match self {
            Urls::Strict(t) => t.first(),
            Urls::Whatwg(t) => t.first().buf(),
        })
    }
    pub(super) fn advance(&mut self) {
        match self {
            Urls::Strict(t) => t.advance(),
            Urls::Whatwg(t) => t.advance(),
        }
    }
    pub(super) fn restart_at_next(&mut self) {
        match self {
            Urls::Strict(t) => t.restart_at_next(),
            Urls::Whatwg(t) => t.restart_at_next(),
        }
    }
    /// Which buffers are (current, first, next), for tests.
    #[cfg(test)]
    pub(super) fn layout(&self) -> (u8, u8, u8) {
        match self {
            Urls::Strict(t) => (t.current, t.first, t.next),
            Urls::Whatwg(t) => (t.current, t.first, t.next),
        }
    }
    pub(super) fn restart_at_first(&mut self) {
        match self {
            Urls::Strict(t) => t.restart_at_first(),
            Urls::Whatwg(t) => t.restart_at_first(),
        }
    }
    /// Gives the first URL its parsed form (Fetch mode) now, if it has none,
    /// with [`WebUrl::parsed_kept`]: what the general path calls when it
    /// first reads that URL as the base of a Location value. Its buffer is
    /// not written while the machine steps, so a machine that restarts at
    /// its first URL again and again parses it once, in its first restart
    /// (which allocates anyway) rather than in some later step.
    pub(super) fn keep_first_parsed(&mut self) {
        if let Urls::Whatwg(t) = self {
            // A start URL is one the parser took, so this cannot fail; were
            // it to, the general path would meet the same error when it
            // parses the base.
            let _ = t.first_mut().parsed_kept();
        }
    }
}

// `clone_from` into the buffers this one already has (the derived one would
// allocate new ones).
impl Clone for Urls {
    fn clone(&self) -> Self {
        match self {
            Urls::Strict(t) => Urls::Strict(t.clone()),
            Urls::Whatwg(t) => Urls::Whatwg(t.clone()),
        }
    }
    fn clone_from(&mut self, source: &Self) {
        match (self, source) {
            (Urls::Strict(t), Urls::Strict(s)) => t.clone_from(s),
            (Urls::Whatwg(t), Urls::Whatwg(s)) => t.clone_from(s),
            (this, source) => *this = source.clone(),
        }
    }
}

/// Hosts compare ASCII case-insensitively (RFC 3986 §3.2.2); the length
/// first, since it tells most different hosts apart at once.
pub(super) fn same_host_text(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.eq_ignore_ascii_case(b)
}

/// The text up to the end of the authority (`scheme://userinfo@host:port`).
pub(super) fn origin_text(u: &UriBuf) -> &str {
    let r = u.as_uri_ref();
    let p = r.parts();
    let end = p.authority.map_or(p.host.1, |(_, b)| b);
    &u.as_str()[..end]
}
