//! Go's `net/http` client as a client of the matrix (`go-nethttp`).
//!
//! The program [`FETCH_GO`] (src/live/assets/fetch.go) is built once per run, with the Go
//! toolchain found on `PATH` (Debian's `golang-go`), into the run's scratch folder; every
//! build input stays there (`HOME`, `GOPATH`), nothing is fetched (`GOPROXY=off`,
//! `GOTOOLCHAIN=local`, no module). Without `go` the client's rows are skipped with a note.
//! It uses an `http.Client` with the default redirect policy (`CheckRedirect` nil: at most
//! 10 redirects, method rewrite on 301/302/303, body resent on 307/308 through `GetBody`,
//! sensitive headers dropped when the host changes).
//!
//! **The build cache is kept between runs** (compiling `net/http` from nothing costs about
//! 7 CPU-seconds, a build with the cache half a second): the scratch folder's `gocache` is a
//! link to a per-user folder, `$XDG_CACHE_HOME/redirspec/go-build-<key>` (else
//! `~/.cache/redirspec/…`), where `<key>` is a hash of `fetch.go` and of `go version`'s
//! output. Both folders are made with mode 0700 and used only when they are real folders
//! (not links), owned by this user and closed to group and others; otherwise, or with
//! `REDIRSPEC_GO_CACHE=off`, the build uses a fresh cache in the scratch folder, as it did.
//! Go's cache is content-addressed itself (its keys cover the sources, the compiler and its
//! flags) and safe for go commands running at once, so two runs may share it; `go` removes
//! entries unused for five days. The link is removed with the scratch folder, never followed.

use super::command::CommandClient;
use super::LiveError;
use std::path::{Path, PathBuf};

/// The Go program shipped with the crate.
pub const FETCH_GO: &str = include_str!("assets/fetch.go");

/// The name of the client.
pub const NAME: &str = "go-nethttp";

/// The environment variable that turns the kept build cache off (`off`).
pub const CACHE_VAR: &str = "REDIRSPEC_GO_CACHE";

/// The set-up: one `go build` in the prepared folder (its `gocache` linked to the kept cache
/// when there is one, see the module docs).
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
    .with_before_setup(link_kept_cache)
    .with_cost_hint_ms(60)
    .with_description("Go net/http Client, default CheckRedirect (10 redirects)"))
}

/// Links `dir/gocache` to the kept build cache, when there is one to be had.
fn link_kept_cache(dir: &Path) {
    if std::env::var_os(CACHE_VAR).is_some_and(|v| v == "off") {
        return;
    }
    let Some(version) = go_version() else {
        return;
    };
    let Some(cache) = kept_cache(&version) else {
        return;
    };
    #[cfg(unix)]
    {
        let _ = std::os::unix::fs::symlink(cache, dir.join("gocache"));
    }
}

/// `go version`'s output, or `None`.
fn go_version() -> Option<Vec<u8>> {
    let argv = ["go".to_owned(), "version".to_owned()];
    match super::command::run_in_scratch(&argv, std::time::Duration::from_secs(10)) {
        Ok(super::command::Finished::Exited {
            success: true,
            stdout,
            ..
        }) => Some(stdout),
        _ => None,
    }
}

/// The kept cache's folder for this `fetch.go` and `go version` output, made if need be;
/// `None` when there is no user cache folder or it is not private.
fn kept_cache(go_version: &[u8]) -> Option<PathBuf> {
    let base = match std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from) {
        Some(p) if p.is_absolute() => p,
        _ => match std::env::var_os("HOME").map(PathBuf::from) {
            Some(home) if home.is_absolute() => home.join(".cache"),
            _ => return None,
        },
    };
    let ours = base.join("redirspec");
    private_dir(&ours)?;
    let folder = ours.join(format!("go-build-{:016x}", cache_key(go_version)));
    private_dir(&folder)?;
    Some(folder)
}

/// The cache folder's key: FNV-1a (64 bits) of `go version`'s output, a NUL and `fetch.go`.
fn cache_key(go_version: &[u8]) -> u64 {
    go_version
        .iter()
        .chain(&[0u8])
        .chain(FETCH_GO.as_bytes())
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
}

/// Makes `path` (and missing parents) with mode 0700, then checks that it is a folder, not a
/// link, owned by this user, with no access for group or others.
fn private_dir(path: &Path) -> Option<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true).mode(0o700);
        builder.create(path).ok()?;
        let meta = std::fs::symlink_metadata(path).ok()?;
        let private = meta.is_dir()
            && meta.uid() == rustix::process::geteuid().as_raw()
            && meta.permissions().mode() & 0o077 == 0;
        private.then_some(())
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_follows_the_toolchain() {
        let a = cache_key(b"go version go1.19.8 linux/amd64\n");
        assert_eq!(a, cache_key(b"go version go1.19.8 linux/amd64\n"));
        assert_ne!(a, cache_key(b"go version go1.22.1 linux/amd64\n"));
    }

    #[cfg(unix)]
    #[test]
    fn only_a_private_folder_of_ours_is_used() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let mine = dir.path().join("a/b");
        assert_eq!(private_dir(&mine), Some(()));
        let mode = std::fs::metadata(&mine).expect("made").permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        // Open to others: refused.
        let open = dir.path().join("open");
        std::fs::create_dir(&open).expect("mkdir");
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        assert_eq!(private_dir(&open), None);
        // A link, even to a private folder: refused.
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&mine, &link).expect("symlink");
        assert_eq!(private_dir(&link), None);
    }
}
