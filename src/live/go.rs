//! Go's `net/http` client as a client of the matrix (`go-nethttp`).
//!
//! The program [`FETCH_GO`] (src/live/assets/fetch.go) is built once per run, with the Go
//! toolchain found on `PATH` (Debian's `golang-go`), into the run's scratch folder; every
//! build input and cache stays there (`GOCACHE`, `HOME`), nothing is fetched (`GOPROXY=off`,
//! `GOTOOLCHAIN=local`, no module). Without `go` the client's rows are skipped with a note.
//! It uses an `http.Client` with the default redirect policy (`CheckRedirect` nil: at most
//! 10 redirects, method rewrite on 301/302/303, body resent on 307/308 through `GetBody`,
//! sensitive headers dropped when the host changes).

use super::command::CommandClient;
use super::LiveError;

/// The Go program shipped with the crate.
pub const FETCH_GO: &str = include_str!("assets/fetch.go");

/// The name of the client.
pub const NAME: &str = "go-nethttp";

/// The set-up: one `go build` in the prepared folder, caches kept inside it.
const BUILD: &[&str] = &[
    "sh",
    "-c",
    "HOME=\"$PWD\" GOCACHE=\"$PWD/gocache\" GOPATH=\"$PWD/gopath\" GO111MODULE=off \
     GOPROXY=off GOTOOLCHAIN=local GOFLAGS= CGO_ENABLED=0 go build -o fetch-go fetch.go",
];

/// Go's `net/http` client, driven by the shipped program.
///
/// # Errors
/// [`LiveError::BadCommand`] only if the built-in templates were broken (a bug).
pub fn client() -> Result<CommandClient, LiveError> {
    Ok(CommandClient::new(
        NAME,
        "{script_dir}/fetch-go {method} {url} {body_file?} {headers_json}",
    )?
    .with_twice_template("{script_dir}/fetch-go {method} {url} {body_file?} {headers_json} 2")?
    .with_probe(&["go", "version"], "Go (Debian golang-go) is not installed")
    .with_version(&["go", "version"])
    .with_setup(BUILD)
    .with_cost_hint_ms(60)
    .with_description("Go net/http Client, default CheckRedirect (10 redirects)"))
}
