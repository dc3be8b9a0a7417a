//! tower-http's `FollowRedirect` (default `Standard` policy: 20 hops,
//! credentials filtered cross-origin), driven by an in-memory tower service
//! that answers with the scenario's responses and records what it receives.
//!
//! tower-http runs a whole chain inside one future, so the adapter replays:
//! to learn what it does with response `k`, it runs the chain again with
//! responses `0..=k` scripted; a request number `k + 2` reaching the service
//! is the follow-up, otherwise the response handed back says whether it
//! stopped. Bodies: bytes are cloneable (a `clone_body_fn` policy, as users
//! configure it to replay bodies), a stream is not.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{HeaderValue, Method};
use http_body::{Frame, SizeHint};
use redirspec::check::{Action, RedirectFollower, Request, Response};
use redirspec::Body;
use tower::Layer;
use tower::{service_fn, ServiceExt};
use tower_http::follow_redirect::policy::{clone_body_fn, PolicyExt, Standard};
use tower_http::follow_redirect::FollowRedirectLayer;

/// A request body that only says what it is.
#[derive(Clone, Copy, Debug, Default)]
pub struct TestBody(Body);

impl http_body::Body for TestBody {
    type Data = Bytes;
    type Error = Infallible;
    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(None)
    }
    fn size_hint(&self) -> SizeHint {
        match self.0 {
            Body::None => SizeHint::with_exact(0),
            Body::Bytes(n) => SizeHint::with_exact(n),
            Body::Stream => SizeHint::default(),
            other => panic!("a body these tests do not know yet: {other:?}"),
        }
    }
}

/// The follower.
#[derive(Default)]
pub struct TowerHttp {
    first: Option<Request>,
    script: Vec<Response>,
}

/// The URL as tower sees it: no fragment (an `http::Uri` has none).
fn without_fragment(url: &str) -> &str {
    url.split('#').next().unwrap_or_default()
}

fn to_http(r: &Request) -> Option<http::Request<TestBody>> {
    let mut req = http::Request::builder()
        .method(r.method.clone())
        .uri(without_fragment(&r.url))
        .body(TestBody(r.body))
        .ok()?;
    *req.headers_mut() = r.headers.clone();
    Some(req)
}

/// Marks responses the service gives past the script.
const MARK: &str = "x-redirspec-unscripted";

impl TowerHttp {
    /// Runs the chain with the script; returns the requests the service got
    /// and the response handed back.
    fn run(&self) -> Result<(Vec<Request>, http::Response<()>), String> {
        let first = self.first.as_ref().ok_or("no chain started")?;
        let req = to_http(first).ok_or("the first request is not an http::Request")?;
        let seen = Arc::new(Mutex::new(Vec::<Request>::new()));
        let script: Arc<Vec<Response>> = Arc::new(self.script.clone());
        let log = seen.clone();
        let inner = service_fn(move |req: http::Request<TestBody>| {
            let log = log.clone();
            let script = script.clone();
            async move {
                let mut log = log.lock().map_err(|_| "poisoned")?;
                let i = log.len();
                log.push(Request {
                    method: req.method().clone(),
                    url: req.uri().to_string(),
                    headers: req.headers().clone(),
                    body: req.body().0,
                });
                let mut res = http::Response::new(());
                match script.get(i) {
                    Some(r) => {
                        *res.status_mut() = r.status;
                        for v in r.location_values().ok_or("unrepresentable Location")? {
                            res.headers_mut().append(http::header::LOCATION, v);
                        }
                    }
                    None => {
                        res.headers_mut()
                            .insert(MARK, HeaderValue::from_static("1"));
                    }
                }
                Ok::<_, &'static str>(res)
            }
        });
        let policy =
            Standard::default().and::<_, TestBody, &'static str>(clone_body_fn(|b: &TestBody| {
                (b.0 != Body::Stream).then_some(*b)
            }));
        let svc = FollowRedirectLayer::with_policy(policy).layer(inner);
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .map_err(|e| e.to_string())?;
        let out = rt.block_on(svc.oneshot(req)).map_err(str::to_owned)?;
        let seen = seen.lock().map_err(|_| "poisoned")?.clone();
        Ok((seen, out))
    }
}

impl RedirectFollower for TowerHttp {
    fn start(&mut self, first: &Request) {
        self.first = Some(first.clone());
        self.script.clear();
    }

    fn respond(&mut self, _sent: &Request, response: &Response) -> Action {
        self.script.push(response.clone());
        let k = self.script.len();
        match self.run() {
            Err(e) => Action::Error(e.into()),
            Ok((seen, _)) if seen.len() > k => match seen.into_iter().nth(k) {
                Some(next) => Action::Follow(next),
                None => Action::Error("lost request".into()),
            },
            Ok((_, res)) if res.headers().contains_key(MARK) => {
                Action::Error("followed past the script".into())
            }
            Ok(_) => Action::Deliver,
        }
    }
}

/// A GET that tower-http follows, to check the adapter itself.
pub fn smoke() -> Action {
    let mut t = TowerHttp::default();
    let first = Request::new(Method::GET, "https://a.test/x");
    t.start(&first);
    t.respond(&first, &Response::redirect(http::StatusCode::FOUND, "/y"))
}
