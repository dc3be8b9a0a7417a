//! A redirect follower written from the specs, independently of the
//! machine: WHATWG Fetch "HTTP-redirect fetch" (with the `url` crate) or
//! RFC 9110 §15.4 (with redirspec's RFC 3986 parser and resolver, the one
//! piece shared with the model). Each [`Bug`] turns it into a mutant with
//! one realistic mistake.

use http::header::{
    HeaderName, AUTHORIZATION, CONTENT_ENCODING, CONTENT_LANGUAGE, CONTENT_LENGTH,
    CONTENT_LOCATION, CONTENT_TYPE, COOKIE, LAST_MODIFIED, PROXY_AUTHORIZATION, TRANSFER_ENCODING,
};
use http::{HeaderMap, Method};
use redirspec::check::{Action, ErrorKind, Failure, RedirectFollower, Request, Response};
use redirspec::model::{parse_location, resolve, UriBuf, DEFAULT_MAX_LOCATION_LEN};
use redirspec::Body;

/// Which reading the follower implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// WHATWG Fetch.
    Fetch,
    /// RFC 9110, strict RFC 3986 parsing.
    Rfc9110,
}

/// One deliberate mistake.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bug {
    /// 307 turns POST into GET.
    Post307ToGet,
    /// 308 keeps the method but drops the body.
    Body308Dropped,
    /// 303 turns HEAD into GET.
    Head303ToGet,
    /// 301 turns PUT into GET (every method, not only POST).
    Put301ToGet,
    /// A Location without fragment does not inherit the current one.
    FragmentNotInherited,
    /// Location resolved against the first URL of the chain.
    ResolveAgainstOriginal,
    /// An absolute-path Location glued to the origin: dot segments kept.
    DotSegmentsKept,
    /// Authorization forwarded to another host (only the port and scheme
    /// are compared).
    AuthorizationToOtherHost,
    /// Cookie removed only when the host changes, so it reaches another port.
    CookieToOtherPort,
    /// Headers rebuilt from the first request at every hop: credentials
    /// dropped on the first cross-origin hop come back on the next.
    HeadersRebuiltEachHop,
    /// Authorization removed on every hop, same-origin ones too.
    AuthorizationDroppedSameOrigin,
    /// One redirect more than the limit is followed.
    HopLimitPlusOne,
    /// One redirect fewer than the limit is followed.
    HopLimitMinusOne,
    /// Content-Type kept when the body is dropped.
    ContentTypeKept,
    /// https -> http followed although the policy refuses it.
    DowngradeFollowed,
    /// A non-http(s) Location is followed.
    NonHttpSchemeFollowed,
    /// A 3xx without Location is an error instead of the response.
    MissingLocationIsError,
    /// Loops are not detected (RFC 9110 reading).
    LoopsNotDetected,
    /// A streamed body is resent on 307.
    StreamResent,
    /// Several Location lines: the first is used.
    FirstOfSeveralLocations,
    /// A non-http(s) Location is refused, but reported as an invalid Location.
    SchemeReportedAsInvalidLocation,
    /// A non-http(s) Location is tried: the connection fails (a network error, not a refusal).
    SchemeTriedAndFailed,
    /// A network-path reference (`//host/p`) fails instead of being followed.
    NetworkPathIsError,
}

impl Bug {
    /// Every mutant.
    pub const ALL: [Bug; 23] = [
        Bug::Post307ToGet,
        Bug::Body308Dropped,
        Bug::Head303ToGet,
        Bug::Put301ToGet,
        Bug::FragmentNotInherited,
        Bug::ResolveAgainstOriginal,
        Bug::DotSegmentsKept,
        Bug::AuthorizationToOtherHost,
        Bug::CookieToOtherPort,
        Bug::HeadersRebuiltEachHop,
        Bug::AuthorizationDroppedSameOrigin,
        Bug::HopLimitPlusOne,
        Bug::HopLimitMinusOne,
        Bug::ContentTypeKept,
        Bug::DowngradeFollowed,
        Bug::NonHttpSchemeFollowed,
        Bug::MissingLocationIsError,
        Bug::LoopsNotDetected,
        Bug::StreamResent,
        Bug::FirstOfSeveralLocations,
        Bug::SchemeReportedAsInvalidLocation,
        Bug::SchemeTriedAndFailed,
        Bug::NetworkPathIsError,
    ];
}

/// The follower.
pub struct Reference {
    reading: Reading,
    refuse_downgrade: bool,
    bug: Option<Bug>,
    first: Option<Request>,
    hops: u32,
    seen: Vec<(Method, String)>,
}

type Origin = (String, String, u16);

/// A parsed target: its text and origin.
struct Target {
    url: String,
    scheme: String,
    origin: Origin,
    host_empty: bool,
}

impl Reference {
    /// A conforming follower (`bug: None`) or a mutant.
    pub fn new(reading: Reading, bug: Option<Bug>) -> Self {
        Reference {
            reading,
            refuse_downgrade: false,
            bug,
            first: None,
            hops: 0,
            seen: Vec::new(),
        }
    }

    /// Refuses https -> http.
    pub fn refusing_downgrade(mut self) -> Self {
        self.refuse_downgrade = true;
        self
    }

    fn has(&self, b: Bug) -> bool {
        self.bug == Some(b)
    }

    fn limit(&self) -> u32 {
        match (self.bug, self.reading) {
            (Some(Bug::HopLimitPlusOne), _) => 21,
            (Some(Bug::HopLimitMinusOne), _) => 19,
            _ => 20,
        }
    }

    /// Resolves `raw` against `base` (the current URL).
    fn target(&self, raw: &[u8], base: &str) -> Result<Target, String> {
        // The URL Standard sets no length limit; RFC 9110 §4.1 lets a
        // recipient refuse long URIs (8000 octets at least are supported).
        if self.reading == Reading::Rfc9110 && raw.len() > DEFAULT_MAX_LOCATION_LEN {
            return Err("too long".into());
        }
        let trimmed = trim(raw);
        if trimmed.iter().any(|b| matches!(b, 0 | b'\r' | b'\n')) {
            return Err("NUL, CR or LF".into());
        }
        let plain = trimmed
            .iter()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'\\' | b'%'));
        if self.has(Bug::DotSegmentsKept)
            && plain
            && trimmed.starts_with(b"/")
            && !trimmed.starts_with(b"//")
        {
            // Glue the path to the current origin, as a string.
            let u = url::Url::parse(base).map_err(|e| e.to_string())?;
            let loc = String::from_utf8_lossy(trimmed);
            let mut url = format!("{}{loc}", &u[..url::Position::BeforePath]);
            if let (false, Some(f)) = (loc.contains('#'), u.fragment()) {
                url.push('#');
                url.push_str(f);
            }
            return Ok(Target {
                scheme: u.scheme().to_owned(),
                origin: self.origin_of(base),
                host_empty: false,
                url,
            });
        }
        match self.reading {
            Reading::Fetch => self.whatwg(trimmed, base),
            Reading::Rfc9110 => self.strict(raw, base),
        }
    }

    fn whatwg(&self, value: &[u8], base: &str) -> Result<Target, String> {
        let base = url::Url::parse(base).map_err(|e| e.to_string())?;
        let mut text = String::from_utf8_lossy(value).into_owned();
        // URL Standard, "special authority ignore slashes state": against an
        // http(s) base, every `/` and `\` after the first two is skipped
        // (tabs and newlines are removed first). url 2.5 fails on three or
        // more forward slashes, so the reference drops the extra ones itself.
        if matches!(base.scheme(), "http" | "https") {
            let cleaned: String = text
                .trim_start_matches(|c: char| c <= ' ')
                .chars()
                .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
                .collect();
            let run = cleaned
                .chars()
                .take_while(|c| matches!(c, '/' | '\\'))
                .count();
            if run > 2 {
                text = format!("//{}", &cleaned[run..]);
            }
        }
        let mut u = url::Url::options()
            .base_url(Some(&base))
            .parse(&text)
            .map_err(|e| e.to_string())?;
        if u.fragment().is_none() && !self.has(Bug::FragmentNotInherited) {
            u.set_fragment(base.fragment());
        }
        Ok(Target {
            scheme: u.scheme().to_owned(),
            origin: (
                u.scheme().to_owned(),
                u.host_str().unwrap_or_default().to_ascii_lowercase(),
                u.port_or_known_default().unwrap_or(0),
            ),
            host_empty: u.host_str().is_none_or(str::is_empty),
            url: u.into(),
        })
    }

    fn strict(&self, raw: &[u8], base: &str) -> Result<Target, String> {
        let r = parse_location(raw, DEFAULT_MAX_LOCATION_LEN).map_err(|e| e.to_string())?;
        // RFC 9110 §4.2.4: userinfo is an error.
        if r.userinfo().is_some() {
            return Err("userinfo".into());
        }
        if let Some(p) = r.port() {
            if !p.is_empty() && port(p).is_none() {
                return Err("port out of range".into());
            }
        }
        let base = UriBuf::parse_absolute(base).map_err(|e| e.to_string())?;
        let mut out = UriBuf::new();
        resolve(&base, &r, &mut out);
        if r.fragment().is_none() && !self.has(Bug::FragmentNotInherited) {
            out.inherit_fragment(base.as_uri_ref().fragment());
        }
        let t = out.as_uri_ref();
        let scheme = t.scheme().unwrap_or_default().to_ascii_lowercase();
        let p = t.port().filter(|p| !p.is_empty()).and_then(port);
        Ok(Target {
            origin: (
                scheme.clone(),
                t.host().unwrap_or_default().to_ascii_lowercase(),
                p.or(default_port(&scheme)).unwrap_or(0),
            ),
            host_empty: t.host().is_none_or(str::is_empty),
            scheme,
            url: out.as_str().to_owned(),
        })
    }

    fn origin_of(&self, url: &str) -> Origin {
        match self.reading {
            Reading::Fetch => url::Url::parse(url)
                .map(|u| {
                    (
                        u.scheme().to_owned(),
                        u.host_str().unwrap_or_default().to_ascii_lowercase(),
                        u.port_or_known_default().unwrap_or(0),
                    )
                })
                .unwrap_or_default(),
            Reading::Rfc9110 => UriBuf::parse_absolute(url)
                .map(|u| {
                    let r = u.as_uri_ref();
                    let scheme = r.scheme().unwrap_or_default().to_ascii_lowercase();
                    let p = r.port().filter(|p| !p.is_empty()).and_then(port);
                    (
                        scheme.clone(),
                        r.host().unwrap_or_default().to_ascii_lowercase(),
                        p.or(default_port(&scheme)).unwrap_or(0),
                    )
                })
                .unwrap_or_default(),
        }
    }

    /// The URL without fragment, normalised as RFC 9110 §4.2.3 compares
    /// http(s) URIs (RFC 3986 §6.2.2-§6.2.3): scheme and host in lower
    /// case, escapes with upper-case hex and unreserved characters decoded,
    /// no default or empty port, `/` for an empty path.
    fn without_fragment(url: &str) -> String {
        let text = url.split('#').next().unwrap_or_default();
        let Ok(u) = UriBuf::parse_absolute(text) else {
            return text.to_owned();
        };
        let scheme = u.scheme().unwrap_or_default().to_ascii_lowercase();
        let mut key = format!("{scheme}://");
        if let Some(ui) = u.userinfo() {
            key.push_str(ui);
            key.push('@');
        }
        key.push_str(&unescape_unreserved(u.host().unwrap_or_default()).to_ascii_lowercase());
        let default = if scheme == "https" { "443" } else { "80" };
        if let Some(p) = u.port() {
            let p = p.trim_start_matches('0');
            if !p.is_empty() && p != default {
                key.push(':');
                key.push_str(p);
            }
        }
        key.push_str(if u.path().is_empty() { "/" } else { u.path() });
        if let Some(q) = u.query() {
            key.push('?');
            key.push_str(q);
        }
        unescape_unreserved(&key)
    }
}

/// `%41` -> `A` for unreserved characters, `%2f` -> `%2F` for the others.
fn unescape_unreserved(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let esc = rest
            .get(i + 1..i + 3)
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match esc {
            Some(v) if v.is_ascii_alphanumeric() || b"-._~".contains(&v) => {
                out.push(v as char);
                rest = &rest[i + 3..];
            }
            Some(_) => {
                out.push_str(&rest[i..i + 3].to_ascii_uppercase());
                rest = &rest[i + 3..];
            }
            None => {
                out.push('%');
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn trim(raw: &[u8]) -> &[u8] {
    let s = raw
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(raw.len());
    let e = raw
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(s, |p| p + 1);
    &raw[s..e]
}

fn port(p: &str) -> Option<u16> {
    if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = p.trim_start_matches('0');
    if digits.len() > 5 {
        return None;
    }
    digits
        .parse::<u32>()
        .ok()
        .or(Some(0))
        .and_then(|v| u16::try_from(v).ok())
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

impl RedirectFollower for Reference {
    fn start(&mut self, first: &Request) {
        self.first = Some(first.clone());
        self.hops = 0;
        self.seen = vec![(first.method.clone(), Self::without_fragment(&first.url))];
    }

    fn respond(&mut self, sent: &Request, response: &Response) -> Action {
        let code = response.status.as_u16();
        // Fetch: "A redirect status is a status that is 301, 302, 303, 307, or 308."
        if !matches!(code, 301 | 302 | 303 | 307 | 308) {
            return Action::Deliver;
        }
        let raw = match response.location.as_slice() {
            [] if self.has(Bug::MissingLocationIsError) => {
                return Action::Error("no location".into())
            }
            [] => return Action::Deliver,
            [one] => one,
            [first, ..] if self.has(Bug::FirstOfSeveralLocations) => first,
            _ => {
                return Action::Error(Failure::new(
                    ErrorKind::InvalidLocation,
                    "several Location fields",
                ))
            }
        };
        let base = if self.has(Bug::ResolveAgainstOriginal) {
            self.first
                .as_ref()
                .map_or(sent.url.clone(), |f| f.url.clone())
        } else {
            sent.url.clone()
        };
        let target = match self.target(raw, &base) {
            Ok(t) => t,
            Err(e) => return Action::Error(Failure::new(ErrorKind::InvalidLocation, e)),
        };
        if self.has(Bug::NetworkPathIsError) && trim(raw).starts_with(b"//") {
            return Action::Error(Failure::new(ErrorKind::Network, "cannot connect"));
        }
        if !matches!(target.scheme.as_str(), "http" | "https")
            && !self.has(Bug::NonHttpSchemeFollowed)
        {
            let kind = match self.bug {
                Some(Bug::SchemeReportedAsInvalidLocation) => ErrorKind::InvalidLocation,
                Some(Bug::SchemeTriedAndFailed) => ErrorKind::Network,
                _ => ErrorKind::SchemeNotAllowed,
            };
            return Action::Error(Failure::new(kind, format!("scheme {}", target.scheme)));
        }
        if target.host_empty && !self.has(Bug::NonHttpSchemeFollowed) {
            return Action::Error(Failure::new(ErrorKind::InvalidLocation, "no host"));
        }
        let current = self.origin_of(&sent.url);
        if self.refuse_downgrade
            && !self.has(Bug::DowngradeFollowed)
            && current.0 == "https"
            && target.scheme == "http"
        {
            return Action::Error(Failure::new(ErrorKind::Downgrade, "downgrade"));
        }
        if self.hops >= self.limit() {
            return Action::Error(Failure::new(
                ErrorKind::TooManyRedirects,
                "too many redirects",
            ));
        }
        let stream = sent.body == Body::Stream;
        if self.reading == Reading::Fetch && code != 303 && stream && !self.has(Bug::StreamResent) {
            return Action::Error(Failure::new(ErrorKind::BodyNotReplayable, "stream body"));
        }
        let get_or_head = sent.method == Method::GET || sent.method == Method::HEAD;
        let mut to_get = match code {
            301 | 302 => sent.method == Method::POST,
            303 => !get_or_head,
            _ => false,
        };
        if code == 307 && self.has(Bug::Post307ToGet) && sent.method == Method::POST {
            to_get = true;
        }
        if code == 303 && self.has(Bug::Head303ToGet) && sent.method == Method::HEAD {
            to_get = true;
        }
        if code == 301 && self.has(Bug::Put301ToGet) && sent.method == Method::PUT {
            to_get = true;
        }
        if !to_get && stream && !self.has(Bug::StreamResent) {
            return Action::Error(Failure::new(ErrorKind::BodyNotReplayable, "stream body"));
        }
        let mut headers: HeaderMap = if self.has(Bug::HeadersRebuiltEachHop) {
            self.first
                .as_ref()
                .map_or_else(|| sent.headers.clone(), |f| f.headers.clone())
        } else {
            sent.headers.clone()
        };
        if to_get {
            let mut names: Vec<HeaderName> = match self.reading {
                Reading::Fetch => vec![
                    CONTENT_ENCODING,
                    CONTENT_LANGUAGE,
                    CONTENT_LOCATION,
                    CONTENT_TYPE,
                ],
                Reading::Rfc9110 => vec![
                    CONTENT_ENCODING,
                    CONTENT_LANGUAGE,
                    CONTENT_LOCATION,
                    CONTENT_TYPE,
                    CONTENT_LENGTH,
                    HeaderName::from_static("digest"),
                    LAST_MODIFIED,
                ],
            };
            names.extend([CONTENT_LENGTH, TRANSFER_ENCODING]);
            if self.has(Bug::ContentTypeKept) {
                names.retain(|n| n != CONTENT_TYPE);
            }
            for n in names {
                headers.remove(n);
            }
        }
        let crosses = current != target.origin;
        let credentials: &[HeaderName] = match self.reading {
            // Fetch step 13 names Authorization; a caller-set Cookie and
            // Proxy-Authorization go too (undici after CVE-2022-31151 and
            // CVE-2024-24758).
            Reading::Fetch => &[AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION],
            // RFC 9110 §15.4 steps 2-3: Proxy-Authorization, Authorization, Cookie.
            Reading::Rfc9110 => &[AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION],
        };
        for name in credentials {
            let remove = match self.bug {
                Some(Bug::AuthorizationToOtherHost) if name == AUTHORIZATION => {
                    current.0 != target.origin.0 || current.2 != target.origin.2
                }
                Some(Bug::CookieToOtherPort) if name == COOKIE => current.1 != target.origin.1,
                Some(Bug::AuthorizationDroppedSameOrigin) if name == AUTHORIZATION => true,
                _ => crosses,
            };
            if remove {
                headers.remove(name);
            }
        }
        let method = if to_get {
            Method::GET
        } else {
            sent.method.clone()
        };
        let body = if to_get || (code == 308 && self.has(Bug::Body308Dropped)) {
            Body::None
        } else {
            sent.body
        };
        if self.reading == Reading::Rfc9110 && !self.has(Bug::LoopsNotDetected) {
            let key = (method.clone(), Self::without_fragment(&target.url));
            if self.seen.contains(&key) {
                return Action::Error(Failure::new(ErrorKind::RedirectLoop, "loop"));
            }
            self.seen.push(key);
        }
        self.hops += 1;
        Action::Follow(Request {
            method,
            url: target.url,
            headers,
            body,
        })
    }
}
