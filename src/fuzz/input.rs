//! Structured fuzz inputs (`arbitrary`): the fuzzer explores requests and
//! response chains, not only bytes.
//!
//! Start URLs come from a small set of origins ([`ORIGINS`]) so that
//! same-origin and cross-origin hops are both common; Location lines are
//! either absolute URLs on those origins, relative references, or raw bytes.

use arbitrary::{Arbitrary, Unstructured};
use http::header::{
    HeaderName, AUTHORIZATION, CONTENT_ENCODING, CONTENT_LANGUAGE, CONTENT_LENGTH,
    CONTENT_LOCATION, CONTENT_TYPE, COOKIE, ORIGIN, PROXY_AUTHORIZATION, REFERER,
    TRANSFER_ENCODING,
};
use http::{HeaderMap, HeaderValue, Method, StatusCode};

use crate::{Body, Profile};

/// Origins a chain starts from and absolute Location values point to:
/// same host with another scheme or port, another host, an IP literal, an
/// IDN host and upper case, so that every origin comparison is exercised.
pub const ORIGINS: [&str; 8] = [
    "http://a.test",
    "https://a.test",
    "https://a.test:8443",
    "https://A.TEST:443",
    "https://b.test",
    "http://[::1]:8080",
    "https://xn--bcher-kva.test",
    "http://127.0.0.1",
];

/// Bases for [`resolve`](super::resolve): RFC 3986 §5.4's base first, then
/// bases with an empty path, a query, a fragment and a rootless path.
pub const BASES: [&str; 6] = [
    "http://a/b/c/d;p?q",
    "https://a.test",
    "https://a.test/x/y/?q#f",
    "http://a.test:8080/one",
    "https://h.test/a/b/c/d/e/",
    "mailto:x@y.test",
];

/// Path, query and fragment appended to a start origin.
pub(crate) const START_PATHS: [&str; 4] = ["/", "/p/q?x=1", "/form#top", "/a/b/c;p?q#f"];

/// How many start URLs there are: every origin with every start path.
pub(crate) const START_URLS: usize = ORIGINS.len() * START_PATHS.len();

/// Start URL `index` (below [`START_URLS`], see [`RequestInput::start_index`]).
pub(crate) fn start_url(index: usize) -> String {
    let o = ORIGINS[index / START_PATHS.len()];
    let p = START_PATHS[index % START_PATHS.len()];
    format!("{o}{p}")
}

/// Extension methods (RFC 9110 §9.1: method names are case-sensitive, so
/// `post` is not `POST`).
pub(crate) const EXTENSION_METHODS: [&str; 5] = ["PROPFIND", "QUERY", "post", "M-SEARCH", "Get"];

/// A request method.
#[derive(Arbitrary, Clone, Debug)]
pub enum MethodInput {
    /// GET.
    Get,
    /// HEAD.
    Head,
    /// POST.
    Post,
    /// PUT.
    Put,
    /// DELETE.
    Delete,
    /// PATCH.
    Patch,
    /// OPTIONS.
    Options,
    /// One of a few extension methods, by index.
    Extension(u8),
    /// Any token; bytes that are not a token give GET.
    Token(#[arbitrary(with = bytes)] Vec<u8>),
}

impl MethodInput {
    /// The `http` method.
    pub fn method(&self) -> Method {
        match self {
            MethodInput::Get => Method::GET,
            MethodInput::Head => Method::HEAD,
            MethodInput::Post => Method::POST,
            MethodInput::Put => Method::PUT,
            MethodInput::Delete => Method::DELETE,
            MethodInput::Patch => Method::PATCH,
            MethodInput::Options => Method::OPTIONS,
            MethodInput::Extension(i) => {
                let name = EXTENSION_METHODS[usize::from(*i) % EXTENSION_METHODS.len()];
                Method::from_bytes(name.as_bytes()).unwrap_or(Method::GET)
            }
            MethodInput::Token(t) => {
                Method::from_bytes(&t[..t.len().min(16)]).unwrap_or(Method::GET)
            }
        }
    }
}

/// Which headers the first request carries.
#[derive(Clone, Copy, Debug, Default)]
pub struct HeaderFlags {
    /// `Authorization`.
    pub authorization: bool,
    /// `Cookie`.
    pub cookie: bool,
    /// `Proxy-Authorization`.
    pub proxy_authorization: bool,
    /// `Referer` and `Origin`.
    pub referer_origin: bool,
    /// `Content-Type`, `Content-Encoding`, `Content-Language`, `Content-Location`.
    pub content: bool,
    /// `Content-Length`.
    pub content_length: bool,
    /// `Transfer-Encoding`.
    pub transfer_encoding: bool,
}

/// The seven flags from the low bits of one byte, `authorization` lowest
/// (seven derived `bool`s would read seven bytes).
impl<'a> Arbitrary<'a> for HeaderFlags {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let bits = u8::arbitrary(u)?;
        let on = |i: u32| (bits >> i) & 1 == 1;
        Ok(HeaderFlags {
            authorization: on(0),
            cookie: on(1),
            proxy_authorization: on(2),
            referer_origin: on(3),
            content: on(4),
            content_length: on(5),
            transfer_encoding: on(6),
        })
    }

    fn size_hint(depth: usize) -> (usize, Option<usize>) {
        u8::size_hint(depth)
    }
}

/// Bytes as `arbitrary` reads a byte slice: a length, then that many bytes
/// in one piece. (A derived `Vec<u8>` reads a continue flag before every
/// byte: a byte at a time, and a dictionary word inserted into the input
/// comes out split.)
fn bytes(u: &mut Unstructured<'_>) -> arbitrary::Result<Vec<u8>> {
    Ok(<&[u8]>::arbitrary(u)?.to_vec())
}

impl HeaderFlags {
    /// The largest value of [`bits`](Self::bits) (all seven flags set).
    pub(crate) const ALL: u8 = 0x7f;

    /// The seven flags as the low bits of a byte, `authorization` lowest
    /// (as [`Arbitrary`] reads them).
    pub(crate) fn bits(self) -> u8 {
        [
            self.authorization,
            self.cookie,
            self.proxy_authorization,
            self.referer_origin,
            self.content,
            self.content_length,
            self.transfer_encoding,
        ]
        .iter()
        .enumerate()
        .fold(0, |acc, (i, &on)| acc | (u8::from(on) << i))
    }

    /// The header map.
    pub fn headers(self) -> HeaderMap {
        let mut h = HeaderMap::new();
        let mut put = |on: bool, name: HeaderName, value: &'static str| {
            if on {
                h.insert(name, HeaderValue::from_static(value));
            }
        };
        put(self.authorization, AUTHORIZATION, "Bearer t");
        put(self.cookie, COOKIE, "s=1");
        put(self.proxy_authorization, PROXY_AUTHORIZATION, "Basic cDpx");
        put(self.referer_origin, REFERER, "https://a.test/");
        put(self.referer_origin, ORIGIN, "https://a.test");
        put(self.content, CONTENT_TYPE, "text/plain");
        put(self.content, CONTENT_ENCODING, "gzip");
        put(self.content, CONTENT_LANGUAGE, "en");
        put(self.content, CONTENT_LOCATION, "/c");
        put(self.content_length, CONTENT_LENGTH, "5");
        put(self.transfer_encoding, TRANSFER_ENCODING, "chunked");
        h
    }
}

/// The request body.
#[derive(Arbitrary, Clone, Copy, Debug)]
pub enum BodyInput {
    /// No body.
    None,
    /// Replayable bytes of this length.
    Bytes(u16),
    /// A stream that cannot be sent again.
    Stream,
}

impl BodyInput {
    /// The model's body.
    pub fn body(self) -> Body {
        match self {
            BodyInput::None => Body::None,
            BodyInput::Bytes(n) => Body::Bytes(u64::from(n)),
            BodyInput::Stream => Body::Stream,
        }
    }
}

/// A profile.
#[derive(Arbitrary, Clone, Copy, Debug)]
pub enum ProfileInput {
    /// [`Profile::Fetch`].
    Fetch,
    /// [`Profile::Rfc9110`].
    Rfc9110,
    /// [`Profile::Rfc2616`].
    Rfc2616,
}

impl ProfileInput {
    /// The profile.
    pub fn profile(self) -> Profile {
        match self {
            ProfileInput::Fetch => Profile::Fetch,
            ProfileInput::Rfc9110 => Profile::Rfc9110,
            ProfileInput::Rfc2616 => Profile::Rfc2616,
        }
    }
}

/// The first request of a chain.
#[derive(Arbitrary, Clone, Debug)]
pub struct RequestInput {
    /// The profile.
    pub profile: ProfileInput,
    /// The method.
    pub method: MethodInput,
    /// Index into [`ORIGINS`].
    pub origin: u8,
    /// Index into the start paths.
    pub path: u8,
    /// The headers.
    pub headers: HeaderFlags,
    /// The body.
    pub body: BodyInput,
    /// Redirects already followed (`with_redirect_count`), reduced modulo 32.
    pub hops: u8,
}

impl RequestInput {
    /// The start URL.
    pub fn url(&self) -> String {
        start_url(self.start_index())
    }
    /// Which of the [`START_URLS`] start URLs [`url`](Self::url) is: its
    /// origin's index times the number of paths plus its path's.
    pub(crate) fn start_index(&self) -> usize {
        let origin = usize::from(self.origin) % ORIGINS.len();
        let path = usize::from(self.path) % START_PATHS.len();
        origin * START_PATHS.len() + path
    }
    /// Redirects already followed.
    pub fn redirect_count(&self) -> u32 {
        u32::from(self.hops % 32)
    }
}

/// A response status.
#[derive(Arbitrary, Clone, Copy, Debug)]
pub enum StatusInput {
    /// One of 300-308, 200, 201, 399, by index.
    Common(u8),
    /// Any code; mapped into 100..=999.
    Any(u16),
}

const COMMON_STATUSES: [u16; 12] = [301, 302, 303, 307, 308, 300, 304, 305, 306, 399, 200, 201];

impl StatusInput {
    /// The status code.
    pub fn status(self) -> StatusCode {
        let code = match self {
            StatusInput::Common(i) => COMMON_STATUSES[usize::from(i) % COMMON_STATUSES.len()],
            StatusInput::Any(c) => 100 + c % 900,
        };
        StatusCode::from_u16(code).unwrap_or(StatusCode::FOUND)
    }
}

/// One Location field line.
#[derive(Arbitrary, Clone, Debug)]
pub enum LocationLine {
    /// An absolute URL: an origin from [`ORIGINS`] followed by these bytes.
    Absolute {
        /// Index into [`ORIGINS`].
        origin: u8,
        /// Bytes after the origin (a path, query, fragment, or anything).
        #[arbitrary(with = bytes)]
        rest: Vec<u8>,
    },
    /// Any bytes: a relative reference or garbage.
    Raw(#[arbitrary(with = bytes)] Vec<u8>),
}

impl LocationLine {
    /// The field line's bytes.
    pub fn bytes(&self) -> Vec<u8> {
        let (origin, rest) = self.parts();
        [origin, rest].concat()
    }

    /// The field line's bytes in two pieces, the origin (empty for
    /// [`LocationLine::Raw`]) and what follows it: [`bytes`](Self::bytes)
    /// is the two joined.
    pub(crate) fn parts(&self) -> (&'static [u8], &[u8]) {
        match self {
            LocationLine::Absolute { origin, rest } => (
                ORIGINS[usize::from(*origin) % ORIGINS.len()].as_bytes(),
                rest,
            ),
            LocationLine::Raw(b) => (b"", b),
        }
    }
}

/// One response: a status and zero or more Location field lines.
#[derive(Arbitrary, Clone, Debug)]
pub struct ResponseInput {
    /// The status.
    pub status: StatusInput,
    /// The Location field lines (at most 4 are used).
    pub locations: Vec<LocationLine>,
}

impl ResponseInput {
    /// The Location lines, at most four.
    pub fn lines(&self) -> Vec<Vec<u8>> {
        self.locations
            .iter()
            .take(4)
            .map(LocationLine::bytes)
            .collect()
    }
}

/// Input of [`machine_step`](super::machine_step): a request and one response.
#[derive(Arbitrary, Clone, Debug)]
pub struct StepInput {
    /// The request.
    pub request: RequestInput,
    /// The response.
    pub response: ResponseInput,
}

/// Input of [`chain`](super::chain): a request and the responses to it and
/// to every request that follows (at most 32 are used).
#[derive(Arbitrary, Clone, Debug)]
pub struct ChainInput {
    /// The request.
    pub request: RequestInput,
    /// The responses, in order.
    pub responses: Vec<ResponseInput>,
}

impl ChainInput {
    /// Longest chain stepped; more than any profile's hop limit (20).
    pub const MAX_RESPONSES: usize = 32;

    /// A POST with credentials answered by a cross-origin 302 and a 200, for
    /// docs and tests.
    pub fn example() -> Self {
        ChainInput {
            request: RequestInput {
                profile: ProfileInput::Fetch,
                method: MethodInput::Post,
                origin: 1,
                path: 2,
                headers: HeaderFlags {
                    authorization: true,
                    content: true,
                    ..HeaderFlags::default()
                },
                body: BodyInput::Bytes(5),
                hops: 0,
            },
            responses: vec![
                ResponseInput {
                    status: StatusInput::Common(1),
                    locations: vec![LocationLine::Absolute {
                        origin: 4,
                        rest: b"/done".to_vec(),
                    }],
                },
                ResponseInput {
                    status: StatusInput::Common(10),
                    locations: vec![],
                },
            ],
        }
    }
}

/// Input of the `resolve` and `resolve_whatwg` fuzz targets
/// ([`resolve_rfc3986`](super::resolve_rfc3986) and
/// [`resolve_whatwg`](super::resolve_whatwg), the two halves of
/// [`resolve_under`](super::resolve_under)): a reference, a base, and the
/// setting of the policy switches the differential checks run under.
#[derive(Arbitrary, Clone, Debug)]
pub enum ResolveInput {
    /// A reference against one of [`BASES`].
    Known {
        /// Index into [`BASES`].
        base: u8,
        /// The setting of the policy switches ([`setting`](Self::setting)).
        setting: u8,
        /// The reference's bytes.
        #[arbitrary(with = bytes)]
        reference: Vec<u8>,
    },
    /// Both as bytes.
    Raw {
        /// The setting of the policy switches ([`setting`](Self::setting)).
        setting: u8,
        /// The base's bytes.
        #[arbitrary(with = bytes)]
        base: Vec<u8>,
        /// The reference's bytes.
        #[arbitrary(with = bytes)]
        reference: Vec<u8>,
    },
}

impl ResolveInput {
    /// `(reference, base)` bytes.
    pub fn parts(&self) -> (&[u8], &[u8]) {
        match self {
            ResolveInput::Known {
                base, reference, ..
            } => (
                reference,
                BASES[usize::from(*base) % BASES.len()].as_bytes(),
            ),
            ResolveInput::Raw {
                base, reference, ..
            } => (reference, base),
        }
    }

    /// Which of the eight settings of the policy switches the Location
    /// path reads (relative values, fragment inheritance, userinfo) the
    /// differential checks run under: 0 to 7, in the order of
    /// [`resolve_under`](super::resolve_under).
    pub fn setting(&self) -> u8 {
        match self {
            ResolveInput::Known { setting, .. } | ResolveInput::Raw { setting, .. } => setting % 8,
        }
    }
}
