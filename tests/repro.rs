//! A reproduction folder (`redirspec matrix --repro DIR`) works without redirspec: its
//! server script starts, and the client command run against it shows what the matrix
//! observed. Checked with curl following an `ftp:` Location (the server's FTP-ish listener
//! logs the connection). Without curl the test says so and passes, except under `CI=true`.
#![cfg(feature = "live")]

use redirspec::live::matrix::{client_by_name, run_scenario};
use redirspec::live::repro::write_repro;
use redirspec::live::{suite, ServerLimits};
use std::process::Command;
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

#[test]
fn a_repro_folder_reproduces_curl_following_ftp() {
    let curl = client_by_name("curl").expect("curl preset");
    if let Err(note) = curl.check_available() {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true");
        assert!(!ci, "curl is required under CI=true: {note}");
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!("repro test skipped: {note}\n").as_bytes(),
        );
        return;
    }
    let scenario = suite::suite()
        .into_iter()
        .find(|s| s.name == "scheme-ftp")
        .expect("scheme-ftp");
    let report = run_scenario(
        curl.as_ref(),
        &scenario,
        Duration::from_secs(10),
        ServerLimits::default(),
    );
    let verdict = report.verdict("rfc9110").expect("a verdict");
    let d = verdict
        .verdict
        .divergence()
        .expect("curl follows ftp: (pinned in tests/live_expectations/curl.txt)");
    let dir = std::env::temp_dir().join(format!("redirspec-repro-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    write_repro(&dir, curl.as_ref(), &scenario, &report, "rfc9110", d).expect("write");
    let readme = std::fs::read_to_string(dir.join("README.md")).expect("README.md");
    assert!(readme.contains("scheme-not-allowed"), "{readme}");
    assert!(readme.contains("rfc9110-http-scheme"), "{readme}");
    let started = Instant::now();
    let out = Command::new("sh")
        .arg(dir.join("run.sh"))
        .env("A_PORT", free_port().to_string())
        .env("B_PORT", free_port().to_string())
        .env("FTP_PORT", free_port().to_string())
        .output()
        .expect("sh run.sh");
    let log = String::from_utf8_lossy(&out.stdout);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(started.elapsed() < Duration::from_secs(30), "{log}");
    assert!(
        log.contains("ready on 127.0.0.1:"),
        "the server did not start: {log}"
    );
    assert!(
        log.contains("request 0: GET http://127.0.0.1:") && log.contains("authorization=SENT"),
        "the first request did not arrive: {log}"
    );
    assert!(
        log.contains("ftp connection to 127.0.0.1:"),
        "curl did not follow the ftp: Location: {log}"
    );
}

/// For the in-process clients the folder holds a stand-alone Rust program (`Cargo.toml`,
/// `main.rs`) that sends the scenario's first request with the client crate configured as
/// the matrix configures it; `run.sh` builds and runs it instead of waiting for the user.
#[test]
fn an_in_process_client_gets_a_rust_program_with_the_scenario_request() {
    use redirspec::live::repro::write_scripts;
    let scenario = suite::suite()
        .into_iter()
        .find(|s| s.name == "cred-proxy-cross-port")
        .expect("cred-proxy-cross-port");
    for (name, dependency) in [("reqwest", "reqwest = "), ("ureq", "ureq = ")] {
        let client = client_by_name(name).expect("in-process client");
        let dir = tempfile::tempdir().expect("scratch");
        write_scripts(dir.path(), client.as_ref(), &scenario).expect("write");
        let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).expect(f);
        let (cargo, main, run) = (read("Cargo.toml"), read("main.rs"), read("run.sh"));
        assert!(
            cargo.contains(dependency) && cargo.contains("[workspace]"),
            "{cargo}"
        );
        let url = main
            .lines()
            .find_map(|l| l.strip_prefix("const URL: &str = \"http://127.0.0.1:"))
            .unwrap_or_default();
        assert!(url.ends_with("/c/start\";"), "{name}: {main}");
        let headers = scenario.request_headers();
        assert!(headers.iter().any(|(n, _)| n == "Proxy-Authorization"));
        for (n, v) in &headers {
            assert!(
                main.contains(&format!("({n:?}, {v:?})")),
                "{name}: {n}: {v} not in {main}"
            );
        }
        assert!(main.contains("A_PORT"), "{main}");
        assert!(
            run.contains("'cargo' 'run' '--quiet'") && !run.contains("press Enter"),
            "{run}"
        );
    }
}
