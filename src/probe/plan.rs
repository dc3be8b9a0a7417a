//! Which requests to send a server: methods × paths × queries, and the
//! open-redirect probes.

use http::Method;
use url::Url;

use crate::server::{attack_values, probe_url_encoded, Encoding};
use crate::server::{RequestError, RequestInfo};

/// One request to send.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Planned {
    /// The method.
    pub method: Method,
    /// The absolute URL.
    pub url: Url,
    /// For a probe: the parameter and the attacker value it carries.
    pub probe: Option<(String, String)>,
    /// For a probe: how the value is written in the query.
    pub encoding: Option<Encoding>,
}

impl Planned {
    /// A request without a probe.
    pub fn new(method: Method, url: Url) -> Self {
        Planned {
            method,
            url,
            probe: None,
            encoding: None,
        }
    }

    /// The request as the checker takes it: every value of its query is one
    /// the checker put there, so the open-redirect judgement applies to all
    /// of them ([`RequestInfo::judging_query`]).
    ///
    /// # Errors
    /// [`RequestError`] when the URL is not one the checker can resolve
    /// against (an http(s) URL with a host).
    pub fn request_info(&self) -> Result<RequestInfo, RequestError> {
        let info = RequestInfo::sent(self.method.clone(), &self.url)?.judging_query();
        Ok(match &self.probe {
            Some((param, value)) => info.with_probe(param.clone(), value.clone()),
            None => info,
        })
    }

    /// The request target in origin-form: path and query (RFC 9112 §3.2.1).
    pub fn target(&self) -> String {
        match self.url.query() {
            Some(q) => format!("{}?{q}", self.url.path()),
            None => self.url.path().to_owned(),
        }
    }
}

/// `path` on `base`'s server: an absolute path (`/…`, or `\\…` which the
/// URL Standard reads as `/…` in an http URL) is set as the path, never read
/// as a network-path reference (`//x` would name the host `x`); anything else
/// is joined as a relative reference.
fn join_path(base: &Url, path: &str) -> Option<Url> {
    if !path.starts_with(['/', '\\']) {
        return base.join(path).ok();
    }
    let path = path.split_once('#').map_or(path, |(p, _)| p);
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path, None),
    };
    let mut url = base.clone();
    url.set_path(path);
    url.set_query(query);
    url.set_fragment(None);
    Some(url)
}

/// A set of requests to send to one server.
///
/// By default: GET, HEAD and POST to the base URL as given. Paths are
/// joined to the base URL (WHATWG), queries replace its query.
///
/// # Examples
/// ```
/// use redirspec::probe::Plan;
/// let plan = Plan::new(url::Url::parse("http://127.0.0.1:8080/").unwrap())
///     .paths(["/old", "/login"])
///     .queries(["", "a=1"])
///     .probe_open_redirect("next");
/// let requests = plan.requests();
/// // 3 methods x 2 paths x 2 queries, then per path every attack value in
/// // every encoding (the same URL is sent once).
/// let probes = requests.iter().filter(|r| r.probe.is_some()).count();
/// assert_eq!(requests.len() - probes, 3 * 2 * 2);
/// assert!(probes > 2 * 2 * redirspec::server::attack_values("h").len());
/// assert!(probes <= 2 * 3 * redirspec::server::attack_values("h").len());
/// assert_eq!(requests[3].url.as_str(), "http://127.0.0.1:8080/old?a=1");
/// ```
#[derive(Clone, Debug)]
pub struct Plan {
    base: Url,
    methods: Vec<Method>,
    paths: Vec<String>,
    queries: Vec<Option<String>>,
    probes: Vec<String>,
}

impl Plan {
    /// GET, HEAD and POST to `base`.
    pub fn new(base: Url) -> Self {
        Plan {
            base,
            methods: vec![Method::GET, Method::HEAD, Method::POST],
            paths: Vec::new(),
            queries: Vec::new(),
            probes: Vec::new(),
        }
    }

    /// The methods to send (an empty list keeps the default).
    pub fn methods(mut self, methods: impl IntoIterator<Item = Method>) -> Self {
        let m: Vec<Method> = methods.into_iter().collect();
        if !m.is_empty() {
            self.methods = m;
        }
        self
    }

    /// Paths joined to the base URL (default: the base URL's own). A path
    /// that starts with `/` (or `\\`) replaces the base URL's path and query
    /// and keeps its host: `//x` is the path `//x`, not the host `x`.
    pub fn paths<S: Into<String>>(mut self, paths: impl IntoIterator<Item = S>) -> Self {
        self.paths = paths.into_iter().map(Into::into).collect();
        self
    }

    /// Queries to send with every path (`""` for none; default: the base
    /// URL's own query).
    pub fn queries<S: Into<String>>(mut self, queries: impl IntoIterator<Item = S>) -> Self {
        self.queries = queries
            .into_iter()
            .map(|q| Some(q.into()).filter(|q: &String| !q.is_empty()))
            .collect();
        self
    }

    /// Adds open-redirect probes: GET every path with `param` set to each
    /// attack value of [`attack_values`], in every [`Encoding`] (a URL that
    /// two encodings make the same is sent once).
    pub fn probe_open_redirect(mut self, param: impl Into<String>) -> Self {
        self.probes.push(param.into());
        self
    }

    fn urls(&self) -> Vec<Url> {
        let bases: Vec<Url> = if self.paths.is_empty() {
            vec![self.base.clone()]
        } else {
            self.paths
                .iter()
                .filter_map(|p| join_path(&self.base, p))
                .collect()
        };
        if self.queries.is_empty() {
            return bases;
        }
        let mut out = Vec::new();
        for b in &bases {
            for q in &self.queries {
                let mut u = b.clone();
                u.set_query(q.as_deref());
                out.push(u);
            }
        }
        out
    }

    /// Every request of the plan, in order: for each URL every method, then
    /// the probes.
    pub fn requests(&self) -> Vec<Planned> {
        let urls = self.urls();
        let mut out = Vec::new();
        for u in &urls {
            for m in &self.methods {
                out.push(Planned::new(m.clone(), u.clone()));
            }
        }
        let host = self.base.host_str().unwrap_or_default();
        for param in &self.probes {
            let bases = if self.paths.is_empty() {
                vec![self.base.clone()]
            } else {
                self.paths
                    .iter()
                    .filter_map(|p| join_path(&self.base, p))
                    .collect()
            };
            for b in &bases {
                let mut seen = std::collections::HashSet::new();
                for (_, value) in attack_values(host) {
                    for encoding in Encoding::ALL {
                        let url = probe_url_encoded(b, param, &value, encoding);
                        if seen.insert(url.clone()) {
                            out.push(Planned {
                                method: Method::GET,
                                url,
                                probe: Some((param.clone(), value.clone())),
                                encoding: Some(encoding),
                            });
                        }
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `--path //x` is a path on the server, not the host `x`.
    #[test]
    fn absolute_paths_keep_the_host() {
        let base = Url::parse("http://127.0.0.1:8080/app/?q=1").unwrap();
        let urls: Vec<String> = Plan::new(base)
            .methods([Method::GET])
            .paths(["//x", "/a?b=c#f", "///y/z", "\\\\w", "rel", "/"])
            .requests()
            .into_iter()
            .map(|p| p.url.to_string())
            .collect();
        assert_eq!(
            urls,
            [
                "http://127.0.0.1:8080//x",
                "http://127.0.0.1:8080/a?b=c",
                "http://127.0.0.1:8080///y/z",
                "http://127.0.0.1:8080//w",
                "http://127.0.0.1:8080/app/rel",
                "http://127.0.0.1:8080/",
            ]
        );
    }
}
