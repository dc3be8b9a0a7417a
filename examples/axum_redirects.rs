//! Checks the redirects of an axum app in process, without a socket:
//! `cargo run --example axum_redirects --features tower`.
//!
//! The app uses `axum::response::Redirect::{to, temporary, permanent}` the
//! way apps do, with three mistakes in it: a login that sends the user back
//! to whatever `?next=` says, one that checks `next` naively, and a route
//! that redirects to itself.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use redirspec::probe::{check_service, Plan, ServiceOptions};
use redirspec::server::Summary;

/// The `next` query parameter, decoded.
fn next_param(uri: &axum::http::Uri) -> Option<String> {
    url::form_urlencoded::parse(uri.query()?.as_bytes())
        .find(|(k, _)| k == "next")
        .map(|(_, v)| v.into_owned())
}

/// The app under test.
pub fn app() -> Router {
    Router::new()
        // 308 Permanent Redirect.
        .route("/old", get(|| async { Redirect::permanent("/new") }))
        // 307 Temporary Redirect.
        .route(
            "/maintenance",
            get(|| async { Redirect::temporary("/status") }),
        )
        // 303 See Other.
        .route("/submitted", get(|| async { Redirect::to("/thanks") }))
        // A 302 answer to a form POST: clients may resend it as GET or POST.
        .route(
            "/form",
            post(|| async { (StatusCode::FOUND, [(header::LOCATION, "/done")]).into_response() }),
        )
        // Redirects to itself: every client loops.
        .route("/loop", get(|| async { Redirect::temporary("/loop") }))
        // Open redirect: `next` goes straight into Location.
        .route(
            "/login",
            get(|uri: axum::http::Uri| async move {
                Redirect::to(&next_param(&uri).unwrap_or_else(|| "/".into()))
            }),
        )
        // "Only local paths": starts with '/', not with '//'. `/\evil.test`
        // passes, and browsers read it as `//evil.test`.
        .route(
            "/login-checked",
            get(|uri: axum::http::Uri| async move {
                let next = next_param(&uri).unwrap_or_default();
                let local = next.starts_with('/') && !next.starts_with("//");
                Redirect::to(if local { &next } else { "/" })
            }),
        )
        // Safe: only a fixed set of targets.
        .route(
            "/login-safe",
            get(|uri: axum::http::Uri| async move {
                let next = next_param(&uri).unwrap_or_default();
                let target = match next.as_str() {
                    "/account" | "/settings" => next.as_str(),
                    _ => "/",
                };
                Redirect::to(target).into_response()
            }),
        )
}

/// The plan: every route with GET, HEAD and POST, and the three logins
/// probed through `next`.
pub fn plan() -> Plan {
    let base = url::Url::parse("http://app.test/").expect("a fixed URL");
    Plan::new(base)
        .paths([
            "/old",
            "/maintenance",
            "/submitted",
            "/form",
            "/loop",
            "/login",
            "/login-checked",
            "/login-safe",
        ])
        .probe_open_redirect("next")
}

/// Checks the app and prints only the responses with findings.
pub async fn run() -> Vec<redirspec::server::Report> {
    let plan = plan();
    check_service(app(), &plan, ServiceOptions::default())
        .await
        .unwrap_or_else(|e| panic!("the app failed: {e}"))
}

#[allow(dead_code)]
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let reports = run().await;
    let all = std::env::args().any(|a| a == "--all");
    for r in reports.iter().filter(|r| all || !r.is_clean()) {
        print!("{r}");
    }
    println!("{}", Summary::of(&reports));
}
