//! Reproduces a redirspec finding with ureq 3 (default redirect settings, http_status_as_error off), without redirspec.
//! Start the server first (`python3 server.py`; `sh run.sh` does both), then `cargo run`:
//! the server's log shows what arrived.

use std::time::Duration;

const METHOD: &str = "GET";
const URL: &str = "http://127.0.0.1:18471/s/start";
const HEADERS: &[(&str, &str)] = &[
    ("Authorization", "Bearer redirspec-secret"),
    ("Cookie", "redirspec=session"),
];
const BODY: Option<&[u8]> = None;

fn main() {
    let port = std::env::var("A_PORT").unwrap_or_else(|_| "18471".to_owned());
    let url = URL.replace(":18471", &format!(":{port}"));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .allow_non_standard_methods(true)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into();
    let mut request = ureq::http::Request::builder()
        .method(METHOD)
        .uri(url.as_str());
    for (name, value) in HEADERS {
        request = request.header(*name, *value);
    }
    let result = match BODY {
        Some(body) => agent.run(request.body(body.to_vec()).expect("a request")),
        None => agent.run(request.body(()).expect("a request")),
    };
    match result {
        Ok(response) => println!("delivered {}", response.status()),
        Err(e) => println!("error: {e}"),
    }
}
