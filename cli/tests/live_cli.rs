//! The `matrix` and `client` subcommands end to end: exit codes, stdout table, report files.
#![cfg(feature = "live")]

use std::path::PathBuf;
use std::process::Command;

fn redirspec() -> Command {
    Command::new(env!("CARGO_BIN_EXE_redirspec"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("redirspec-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn matrix_prints_the_table_and_writes_both_reports() {
    let dir = scratch("matrix");
    let out = redirspec()
        .args([
            "matrix",
            "--clients",
            "reqwest,ureq",
            "--timeout",
            "5",
            "--report",
        ])
        .arg(&dir)
        .output()
        .expect("run redirspec");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    // One screen by default: the level headline per client and the worst findings.
    assert!(stdout.starts_with("redirspec "), "{stdout}");
    assert!(
        stdout.contains("MUST  security  SHOULD  MAY  conforms"),
        "{stdout}"
    );
    assert!(stdout.contains("worst findings"), "{stdout}");
    assert!(
        stdout.contains("reqwest") && stdout.contains("ureq"),
        "{stdout}"
    );
    assert!(stdout.lines().count() <= 30, "{stdout}");
    assert!(!stdout.contains("what each client did:"), "{stdout}");
    // Ports are normalised: two runs diff cleanly.
    assert!(
        !stdout.contains("127.0.0.1:1") && !stdout.contains("127.0.0.1:3"),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("scenarios conform to"), "{stderr}");
    assert!(stderr.contains("MUST "), "{stderr}");
    let html = std::fs::read_to_string(dir.join("matrix.html")).expect("html report");
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    assert!(
        !html.contains("<script"),
        "the report is self-contained and static"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("matrix.json")).expect("json"))
            .expect("valid JSON");
    assert_eq!(json["clients"].as_array().map(Vec::len), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn client_runs_a_command_template() {
    let out = redirspec()
        .args([
            "client",
            "--name",
            "fails-always",
            "--timeout",
            "5",
            "--profile",
            "fetch",
            "--no-report",
            "--cmd",
            "sh -c 'exit 3' {url}",
        ])
        .output()
        .expect("run redirspec");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("fails-always"), "{stdout}");
    assert!(
        stdout.contains("request@0"),
        "a client that sends nothing diverges: {stdout}"
    );
}

#[test]
fn client_runs_the_second_request_group_with_a_twice_template() {
    let out = redirspec()
        .args([
            "client",
            "--name",
            "asks-nothing",
            "--timeout",
            "5",
            "--no-report",
            "--second-request",
            "only",
            "--cmd",
            "sh -c 'exit 0' {url}",
            "--cmd-twice",
            "sh -c 'exit 0' {url} {url}",
            "--verbose",
        ])
        .output()
        .expect("run redirspec");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Nothing reached the server: every scenario of the group is incomplete, none judged as
    // a recall or a reuse, and the suite was not run.
    let n = redirspec::live::second_request::scenarios().len();
    assert!(stdout.contains(&format!("0/{n}")), "{stdout}");
    assert!(stdout.contains("INCOMPLETE"), "{stdout}");
    assert!(!stdout.contains("what each client did"), "{stdout}");
}

/// `--fail-on` reads the second-request group at its own levels: a client that never reaches
/// the server breaks RFC 9111's MUST on every scenario (the final 200 is `no-store`, so each
/// round must reach it); curl, asking again every time (a choice caching leaves open), fails
/// at no level.
#[test]
fn fail_on_reads_the_second_request_levels() {
    let run = |name: &str, twice: &str| {
        let out = redirspec()
            .args([
                "client",
                "--name",
                name,
                "--timeout",
                "5",
                "--no-report",
                "--second-request",
                "only",
                "--cmd",
                "sh -c 'exit 0' {url}",
                "--cmd-twice",
                twice,
                "--fail-on",
            ])
            .arg(if name == "asks-nothing" {
                "must"
            } else {
                "any"
            })
            .output()
            .expect("run redirspec");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let n = redirspec::live::second_request::scenarios().len();
    let (code, err) = run("asks-nothing", "sh -c 'exit 0' {url} {url}");
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "asks-nothing: MUST 0 · security 0 · SHOULD 0 · MAY 0 · second request MUST {n} ·"
        )),
        "{err}"
    );
    if std::process::Command::new("curl")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("curl not installed: the asking-again half is skipped");
        return;
    }
    let (code, err) = run(
        "curl-twice",
        "curl -sS -o /dev/null -L {url} -o /dev/null -L {url}",
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains(&format!("second request {n}/{n} conform")),
        "{err}"
    );
}

#[test]
fn bad_arguments_exit_2_with_one_line() {
    for args in [
        vec!["matrix", "--no-report", "--clients", "no-such-client"],
        vec!["matrix", "--no-report", "--profile", "bogus"],
        vec!["client", "--no-report", "--cmd", "curl 'unclosed"],
        vec!["matrix", "--no-report", "--timeout", "0"],
        vec!["matrix", "--no-report", "--second-request", "twice"],
    ] {
        let out = redirspec().args(&args).output().expect("run redirspec");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

/// `--fail-on` turns findings into exit 1 for CI: ureq breaks MUSTs (it resolves `?y=3`
/// against the wrong base: RFC 9110 §10.2.2, RFC 3986 §5.2), so `--fail-on must` fails the run;
/// the default reports and exits 0; a bad level is a usage error.
#[test]
fn fail_on_makes_findings_an_exit_status() {
    let run = |extra: &[&str]| {
        let out = redirspec()
            .args([
                "matrix",
                "--clients",
                "ureq",
                "--timeout",
                "5",
                "--no-report",
                "--second-request",
                "off",
            ])
            .args(extra)
            .output()
            .expect("run redirspec");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, err) = run(&[]);
    assert_eq!(code, Some(0), "{err}");
    // stderr is a pipe here: no status line, no terminal control, only the client's line.
    assert!(!err.contains('\r') && !err.contains('\x1b'), "{err:?}");
    assert!(
        err.starts_with("ureq: ") && err.lines().count() == 1,
        "{err:?}"
    );
    let (code, err) = run(&["--fail-on", "must"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("findings at --fail-on level or above: ureq: MUST "),
        "{err}"
    );
    let (code, err) = run(&["--fail-on", "sometimes"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("[possible values: never, must, security, should, any]"),
        "{err}"
    );
}
