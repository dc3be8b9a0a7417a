//! ureq 3's redirect handling, in-process: its sans-IO core `ureq-proto`
//! (0.7) does the work — the request is written to bytes, the scripted
//! response is parsed from bytes, and `Call<Redirect>::as_new_call` makes
//! the next request. The two rules ureq's agent adds around it
//! (`ureq::run`, ureq 3.5): a redirect once `max_redirects` (default 10) are
//! followed is `Error::TooManyRedirects`, and `as_new_call` giving `None`
//! (a 307/308 of POST, PUT, PATCH or DELETE) is `Error::RedirectFailed`.
//! `redirect_auth_headers` is ureq's default, `Never`. The follow-up request
//! carries no body: `ureq::run` keeps the body only when the new method is
//! POST, PUT or PATCH, which `as_new_call` never yields (it turns them into
//! GET on 301-303 and refuses them on 307/308).

use http::Method;
use redirspec::check::{Action, RedirectFollower, Request, Response};
use redirspec::Body;
use ureq_proto::client::state::Prepare;
use ureq_proto::client::{
    Call, RecvBodyResult, RecvResponseResult, RedirectAuthHeaders, SendRequestResult,
};

/// ureq's default `max_redirects`.
const MAX_REDIRECTS: u32 = 10;

/// The follower.
#[derive(Default)]
pub struct Ureq {
    next: Option<(Call<Prepare>, Body)>,
    followed: u32,
}

fn without_fragment(url: &str) -> &str {
    url.split('#').next().unwrap_or_default()
}

fn wire_response(r: &Response) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {} X\r\n", r.status.as_u16()).into_bytes();
    for l in &r.location {
        out.extend_from_slice(b"Location: ");
        out.extend_from_slice(l);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"Content-Length: 0\r\n\r\n");
    out
}

/// What happened to one request: the next call, the response delivered, or an error.
enum Outcome {
    Redirect(Box<Call<Prepare>>),
    NoFollow,
    Deliver,
}

fn exchange(call: Call<Prepare>, body: Body, response: &Response) -> Result<Outcome, String> {
    let e = |e: ureq_proto::Error| e.to_string();
    let content_length: usize = call
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse().ok())
        .unwrap_or(0);
    let mut buf = vec![0u8; 256 * 1024];
    let mut call = call.proceed();
    for _ in 0..16 {
        if call.can_proceed() {
            break;
        }
        call.write(&mut buf).map_err(e)?;
    }
    let mut recv = match call.proceed().map_err(e)? {
        Some(SendRequestResult::RecvResponse(c)) => c,
        Some(SendRequestResult::SendBody(mut c)) => {
            // A stream is sent once like bytes: its length is the request's
            // Content-Length, if any (else chunked, ended at once).
            let n = match body {
                Body::Bytes(n) => n.min(1 << 16) as usize,
                Body::Stream => content_length.min(1 << 16),
                Body::None => 0,
                other => panic!("a body these tests do not know yet: {other:?}"),
            };
            let data = vec![b'x'; n];
            let mut at = 0;
            for _ in 0..64 {
                let (used, _) = c.write(&data[at..], &mut buf).map_err(e)?;
                at += used;
                if at >= data.len() {
                    break;
                }
            }
            if !c.can_proceed() {
                c.write(&[], &mut buf).map_err(e)?;
            }
            c.proceed().ok_or("the body was not fully sent")?
        }
        Some(SendRequestResult::Await100(_)) => return Err("unexpected 100-continue".into()),
        None => return Err("the request was not fully written".into()),
    };
    let wire = wire_response(response);
    let (_, parsed) = recv.try_response(&wire, false).map_err(e)?;
    if parsed.is_none() {
        return Err("the response did not parse".into());
    }
    let redirect = match recv.proceed().ok_or("the response was not complete")? {
        RecvResponseResult::Redirect(c) => c,
        RecvResponseResult::Cleanup(_) => return Ok(Outcome::Deliver),
        RecvResponseResult::RecvBody(mut c) => {
            c.read(&[], &mut buf).map_err(e)?;
            match c.proceed().ok_or("the body was not complete")? {
                RecvBodyResult::Redirect(c) => c,
                RecvBodyResult::Cleanup(_) => return Ok(Outcome::Deliver),
            }
        }
    };
    let mut redirect = redirect;
    match redirect
        .as_new_call(RedirectAuthHeaders::Never)
        .map_err(e)?
    {
        Some(next) => Ok(Outcome::Redirect(Box::new(next))),
        None => Ok(Outcome::NoFollow),
    }
}

impl RedirectFollower for Ureq {
    fn start(&mut self, first: &Request) {
        self.followed = 0;
        self.next = http::Request::builder()
            .method(first.method.clone())
            .uri(without_fragment(&first.url))
            .body(())
            .ok()
            .and_then(|mut r| {
                *r.headers_mut() = first.headers.clone();
                Call::new(r).ok()
            })
            .map(|c| (c, first.body));
    }

    fn respond(&mut self, _sent: &Request, response: &Response) -> Action {
        let Some((call, body)) = self.next.take() else {
            return Action::Error("ureq-proto rejected the request".into());
        };
        // ureq::run: a redirection once max_redirects are followed.
        let redirection =
            response.status.is_redirection() && response.status != http::StatusCode::NOT_MODIFIED;
        match exchange(call, body, response) {
            Err(e) => Action::Error(e.into()),
            Ok(Outcome::Deliver) => Action::Deliver,
            Ok(_) if redirection && self.followed >= MAX_REDIRECTS => {
                Action::Error("too many redirects".into())
            }
            Ok(Outcome::NoFollow) => Action::Error("redirect failed".into()),
            Ok(Outcome::Redirect(next)) => {
                self.followed += 1;
                let req = Request {
                    method: next.method().clone(),
                    url: next.uri().to_string(),
                    headers: next.headers().clone(),
                    body: Body::None,
                };
                self.next = Some((*next, Body::None));
                Action::Follow(req)
            }
        }
    }
}

/// A GET that ureq follows, to check the adapter itself.
pub fn smoke() -> Action {
    let mut u = Ureq::default();
    let first = Request::new(Method::GET, "https://a.test/x");
    u.start(&first);
    u.respond(&first, &Response::redirect(http::StatusCode::FOUND, "/y"))
}
