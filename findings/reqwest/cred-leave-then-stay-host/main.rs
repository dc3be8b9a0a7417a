//! Reproduces a redirspec finding with reqwest 0.13 (blocking, default redirect policy), without redirspec.
//! Start the server first (`python3 server.py`; `sh run.sh` does both), then `cargo run`:
//! the server's log shows what arrived.

use std::time::Duration;

const METHOD: &str = "GET";
const URL: &str = "http://127.0.0.1:18471/c/start";
const HEADERS: &[(&str, &str)] = &[
    ("Authorization", "Bearer redirspec-secret"),
    ("Cookie", "redirspec=session"),
];
const BODY: Option<&[u8]> = None;

fn main() {
    let port = std::env::var("A_PORT").unwrap_or_else(|_| "18471".to_owned());
    let url = URL.replace(":18471", &format!(":{port}"));
    let client = reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("a reqwest client");
    let method = reqwest::Method::from_bytes(METHOD.as_bytes()).expect("a method");
    let mut request = client.request(method, &url);
    for (name, value) in HEADERS {
        request = request.header(*name, *value);
    }
    if let Some(body) = BODY {
        request = request.body(body.to_vec());
    }
    match request.send() {
        Ok(response) => println!("delivered {} from {}", response.status(), response.url()),
        Err(e) => println!("error: {e:?}"),
    }
}
