//! Location values (seeds of `corpus/`) shared by the `decide` benchmarks
//! (`benches/decide.rs`) and the allocation counts (`tests/alloc_free.rs`), so
//! both measure the very same inputs. Std only: each includes this file with
//! `#[path]`.

use std::path::Path;

/// The URL of the request that got the redirect.
pub const BASE: &str = "https://www.example.test/account/profile?tab=1#top";

/// Ten Location values as real servers send them: absolute, absolute-path,
/// relative, query-only, network-path; with and without query and port.
/// Seeds of `corpus/location_parse`.
pub const MIXED: &[&str] = &[
    "path-login-next",
    "abs-https-basic",
    "abs-https-oauth-callback",
    "path-basic",
    "rel-dotdot-file",
    "query-page",
    "schemerel-host-path",
    "abs-https-port",
    "matrix-jsessionid",
    "abs-https-sso-return-to",
];

/// The bytes of seed `name`: a file of `corpus/location_parse`, or of
/// `corpus/location_long` (the values longer than the `location_parse`
/// target's `max_len`). Panics naming the file when it cannot be read.
pub fn seed(name: &str) -> Vec<u8> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let long = root.join("location_long").join(name);
    let path = if long.is_file() {
        long
    } else {
        root.join("location_parse").join(name)
    };
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
