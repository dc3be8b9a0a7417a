//! The `redirspec decide` contract, through the real binary.

use std::io::Write;
use std::process::{Command, Stdio};

fn redirspec(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_redirspec"))
        .args(args)
        .output()
        .expect("run redirspec");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn batch(input: &str) -> (i32, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_redirspec"))
        .args(["decide", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run redirspec");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect(),
    )
}

#[test]
fn single_case_prints_one_json_line() {
    let (code, out, err) = redirspec(&[
        "decide",
        "--profile",
        "fetch",
        "--method",
        "POST",
        "--url",
        "https://a.test/x#f",
        "--status",
        "302",
        "--location",
        "https://b.test/y",
        "--header",
        "Authorization: t",
        "--header",
        "Content-Type: text/plain",
        "--body",
        "bytes:5",
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        "{\"action\":\"follow\",\"method\":\"GET\",\"url\":\"https://b.test/y#f\",\"body\":\"drop\",\"removed_headers\":[\"authorization\",\"content-type\"]}\n"
    );
}

#[test]
fn several_and_no_locations() {
    let base = [
        "decide",
        "--profile",
        "rfc9110",
        "--method",
        "GET",
        "--url",
        "http://a.test/",
        "--status",
        "301",
    ];
    let (code, out, _) = redirspec(&base);
    assert_eq!(code, 0);
    assert_eq!(out, "{\"action\":\"deliver\",\"reason\":\"no-location\"}\n");
    let mut args = base.to_vec();
    args.extend(["--location", "/a", "--location", "/b"]);
    let (code, out, _) = redirspec(&args);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("{\"action\":\"refuse\",\"reason\":\"invalid-location\""),
        "{out}"
    );
    // A value starting with '-' is still a value.
    let mut args = base.to_vec();
    args.extend(["--location", "-x"]);
    let (_, out, _) = redirspec(&args);
    assert!(out.contains("\"url\":\"http://a.test/-x\""), "{out}");
}

#[test]
fn bad_arguments_exit_2_with_one_line() {
    // `decide` with the four case flags, then whatever follows.
    fn args<'a>(
        profile: &'a str,
        method: &'a str,
        url: &'a str,
        status: &'a str,
        more: &[&'a str],
    ) -> Vec<&'a str> {
        let mut v = vec![
            "decide",
            "--profile",
            profile,
            "--method",
            method,
            "--url",
            url,
            "--status",
            status,
        ];
        v.extend_from_slice(more);
        v
    }
    for args in [
        args("nope", "GET", "http://a/", "302", &[]),
        args("fetch", "GET", "/rel", "302", &[]),
        args("fetch", "GET", "http://a/", "99", &[]),
        args("fetch", "GET", "http://a/", "x", &[]),
        args("fetch", "G T", "http://a/", "302", &[]),
        args("fetch", "GET", "http://a/", "302", &["--header", "nocolon"]),
        args("fetch", "GET", "http://a/", "302", &["--body", "lots"]),
        vec!["decide", "--profile", "fetch"],
        vec!["decide", "--batch", "--profile", "fetch"],
        vec!["decide", "--unknown"],
        vec!["frobnicate"],
    ] {
        let (code, out, err) = redirspec(&args);
        assert_eq!(code, 2, "{args:?}: {out} {err}");
        assert_eq!(out, "", "{args:?}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("redirspec: "), "{err}");
    }
}

/// clap's own help survives on the one line: the values a flag takes and its
/// "did you mean" tip.
#[test]
fn a_misspelt_flag_or_value_keeps_clap_tip_on_one_line() {
    let (code, _, err) = redirspec(&[
        "decide",
        "--profil",
        "fetch",
        "--method",
        "GET",
        "--url",
        "http://a/",
        "--status",
        "302",
    ]);
    assert_eq!((code, err.lines().count()), (2, 1), "{err}");
    assert!(
        err.contains("tip: a similar argument exists: '--profile'"),
        "{err}"
    );
    let (code, _, err) = redirspec(&[
        "decide",
        "--profile",
        "fetc",
        "--method",
        "GET",
        "--url",
        "http://a/",
        "--status",
        "302",
    ]);
    assert_eq!((code, err.lines().count()), (2, 1), "{err}");
    assert!(
        err.contains("[possible values: fetch, rfc9110, rfc2616]"),
        "{err}"
    );
    assert!(err.contains("'fetch'"), "{err}");
}

#[test]
fn batch_answers_each_line_in_order_and_survives_bad_lines() {
    let input = concat!(
        r#"{"profile":"fetch","method":"POST","url":"https://a.test/x#f","status":302,"location":["/y"],"body":"bytes:5"}"#,
        "\n",
        "not json\n",
        "\n",
        r#"{"profile":"rfc2616","method":"POST","url":"http://a.test/","status":307,"location":["http://a.test/z"]}"#,
        "\n",
        r#"{"profile":"fetch","method":"GET","url":"http://a.test/","status":302,"location":["/a\r\nX: y"]}"#,
        "\n",
        r#"{"profile":"fetch","method":"GET","url":"http://a.test/","status":302,"extra":1}"#,
        "\n",
    );
    let (code, lines) = batch(input);
    assert_eq!(code, 0);
    assert_eq!(lines.len(), 6);
    assert_eq!(
        lines[0],
        r#"{"action":"follow","method":"GET","url":"https://a.test/y#f","body":"drop","removed_headers":[]}"#
    );
    assert!(
        lines[1].starts_with(r#"{"action":"error","detail":"bad case"#),
        "{}",
        lines[1]
    );
    assert!(lines[2].starts_with(r#"{"action":"error""#));
    assert!(
        lines[3].starts_with(r#"{"action":"refuse","reason":"needs-confirmation""#),
        "{}",
        lines[3]
    );
    assert!(
        lines[4].starts_with(r#"{"action":"refuse","reason":"invalid-location""#),
        "{}",
        lines[4]
    );
    assert!(lines[5].contains("unknown field"), "{}", lines[5]);
}

#[test]
fn batch_of_ten_thousand_cases() {
    let mut input = String::new();
    for i in 0..10_000 {
        let (p, s) = [("fetch", 301), ("rfc9110", 303), ("rfc2616", 307)][i % 3];
        input.push_str(&format!(
            "{{\"profile\":\"{p}\",\"method\":\"POST\",\"url\":\"https://a.test/{i}\",\"status\":{s},\"location\":[\"../n/{i}?q\"],\"body\":\"bytes:1\"}}\n"
        ));
    }
    let (code, lines) = batch(&input);
    assert_eq!(code, 0);
    assert_eq!(lines.len(), 10_000);
    assert_eq!(
        lines[3],
        r#"{"action":"follow","method":"GET","url":"https://a.test/n/3?q","body":"drop","removed_headers":[]}"#
    );
    assert!(
        lines[2].contains("\"needs-confirmation\"") || lines[2].contains("invalid-location"),
        "{}",
        lines[2]
    );
}

#[test]
fn batch_memory_cases_recall_remembered_redirects() {
    let event = r#"{"time":1000,"method":"GET","url":"https://a.test/old","status":301,"location":["/new"],"response_headers":[["Cache-Control","max-age=600"]]}"#;
    let temp = r#"{"time":1000,"method":"GET","url":"https://a.test/t","status":307,"location":["/elsewhere"]}"#;
    let input = format!(
        "{}\n{}\n{}\n{}\n",
        format_args!(
            r#"{{"profile":"fetch","method":"GET","url":"https://a.test/old#x","time":1300,"memory":[{event}]}}"#
        ),
        format_args!(
            r#"{{"profile":"fetch","method":"GET","url":"https://a.test/old","time":1600,"memory":[{event}]}}"#
        ),
        format_args!(
            r#"{{"profile":"fetch","method":"GET","url":"https://a.test/t","time":1001,"memory":[{temp}]}}"#
        ),
        format_args!(
            r#"{{"profile":"fetch","method":"GET","url":"https://a.test/t","time":1001,"memory":[{{"time":1}}]}}"#
        ),
    );
    let (code, lines) = batch(&input);
    assert_eq!(code, 0);
    assert_eq!(
        lines[0],
        r#"{"action":"recall","url":"https://a.test/new#x","remembered":[{"from":"https://a.test/old","to":"https://a.test/new","status":301}],"until":1600,"stop":"not-remembered"}"#
    );
    assert_eq!(
        lines[1],
        r#"{"action":"recall","url":"https://a.test/old","remembered":[],"until":null,"stop":"stale"}"#
    );
    // RFC 9110 §15.4.8: a 307 without freshness is not remembered.
    assert_eq!(
        lines[2],
        r#"{"action":"recall","url":"https://a.test/t","remembered":[],"until":null,"stop":"not-remembered"}"#
    );
    assert!(
        lines[3].starts_with(r#"{"action":"error","detail":"bad case"#),
        "{}",
        lines[3]
    );
}

#[cfg(unix)]
#[test]
fn location_bytes_reach_the_model_unchanged() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let out = Command::new(env!("CARGO_BIN_EXE_redirspec"))
        .args([
            "decide",
            "--profile",
            "rfc9110",
            "--method",
            "GET",
            "--url",
            "http://a.test/",
            "--status",
            "302",
            "--location",
        ])
        .arg(OsStr::from_bytes(b"/x\xff"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("non-ASCII byte 0xff at offset 2"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// `Batch` (the batch mode's shortcut: borrowed strings, one machine per
/// profile restarted for each case) writes, line by line, exactly the JSON
/// of `decide` on the parsed `Case`, through one `Batch` so that nothing of
/// one case may leak into the next.
#[test]
fn batch_shortcut_writes_what_decide_writes() {
    use redirspec::cases::{decide, Batch, Case, Decision};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/location_parse");
    let mut locations: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| String::from_utf8_lossy(&std::fs::read(e.unwrap().path()).unwrap()).into_owned())
        .filter(|l| l.len() < 4096)
        .collect();
    locations.sort();
    let urls = [
        "https://www.example.test/account/profile?tab=1#top",
        "http://a.test/",
        "HTTPS://A.TEST:443/x/../y",
        "https://u:p@a.test/",
        "not a url",
    ];
    let headers = [
        "[]",
        r#"[["Authorization","t"],["Content-Type","text/plain"]]"#,
        r#"[["Cookie","a=1"],["Content-Length","5"],["X-Other","v"]]"#,
        r#"[["Bad Name","v"]]"#,
    ];
    let mut lines: Vec<String> = Vec::new();
    let mut k = 0usize;
    for (i, loc) in locations.iter().enumerate() {
        for profile in ["fetch", "rfc9110", "rfc2616"] {
            k += 1;
            let method = ["GET", "POST", "PUT", "HEAD", "get"][k % 5];
            let status = [302, 301, 303, 307, 308, 200, 300, 399][(i + k) % 8];
            let url = urls[(k / 3) % urls.len()];
            let hdrs = headers[(i / 2 + k) % headers.len()];
            let body = ["none", "bytes:5", "stream"][(i + k / 2) % 3];
            let hops = [0, 19, 20, 4][k % 4];
            let loc = serde_json::to_string(loc).unwrap();
            lines.push(format!(
                r#"{{"profile":"{profile}","method":"{method}","url":"{url}","status":{status},"location":[{loc}],"headers":{hdrs},"body":"{body}","hops":{hops}}}"#
            ));
        }
    }
    // Shapes the shortcut leaves to `decide`, and malformed lines.
    lines.extend(
        [
            r#"{"profile":"fetch","method":"GET","url":"https://a.test/x","status":302,"location":["/a","/a"]}"#,
            r#"{"profile":"rfc9110","method":"GET","url":"https://a.test/x","status":302,"location":["/a","/b"]}"#,
            r#"{"profile":"rfc9110","method":"GET","url":"https://a.test/x","status":302,"location":[]}"#,
            r##"{"profile":"rfc9110","method":"GET","url":"https://a.test/x","status":302,"location":["#top"]}"##,
            r#"{"profile":"fetch","method":"GET","url":"https://a.test/x","status":302,"location":["/caf\u00e9"]}"#,
            r#"{"profile":"fetch","method":"GET","url":"https:\/\/a.test\/x","status":302,"location":["/y"]}"#,
            r#"{"profile":"fetch","method":"GET","url":"https://a.test/x","status":302,"body":null}"#,
            r#"{"profile":"fetch","method":"GET","url":"https://a.test/x","status":null}"#,
            r#"{"profile":"fetch","method":"GET","url":"https://a.test/x"}"#,
            r#"{"profile":"fetch","method":"GET","url":"https://a.test/x","status":302,"extra":1}"#,
            r#"{"profile":"nope","method":"GET","url":"https://a.test/x","status":302}"#,
            r#"{"profile":"fetch","method":"GET","url":"https://a.test/x","status":1000}"#,
            r#"{"profile":"fetch","method":"GET","url":"https://a.test/old","time":1300,"memory":[]}"#,
            r#"not json"#,
            r#""#,
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    let mut batch = Batch::new();
    let mut shortcut = 0;
    for line in &lines {
        let mut got = Vec::new();
        batch.decide_line(line, &mut got).unwrap();
        let want = match serde_json::from_str::<Case>(line) {
            Ok(case) => decide(&case),
            Err(e) => Decision::Error {
                detail: format!("bad case: {e}"),
            },
        };
        assert_eq!(
            String::from_utf8(got).unwrap(),
            serde_json::to_string(&want).unwrap(),
            "{line}"
        );
        shortcut += usize::from(!matches!(want, Decision::Error { .. }));
    }
    assert!(shortcut > 600, "only {shortcut} decided cases");
}

/// Response fields reach the model: `--response-header` and the batch field
/// `response_headers` (a Set-Cookie makes a self-redirect not yet a loop).
#[test]
fn response_headers_reach_loop_detection() {
    let base = [
        "decide",
        "--profile",
        "rfc9110",
        "--method",
        "GET",
        "--url",
        "http://a.test/x",
        "--status",
        "302",
        "--location",
        "/x",
    ];
    let (code, out, _) = redirspec(&base);
    assert_eq!(code, 0);
    assert!(out.contains(r#""reason":"redirect-loop""#), "{out}");
    let mut with = base.to_vec();
    with.extend(["--response-header", "Set-Cookie: seen=1"]);
    let (code, out, _) = redirspec(&with);
    assert_eq!(code, 0);
    assert!(out.starts_with(r#"{"action":"follow""#), "{out}");
    let mut bad = base.to_vec();
    bad.extend(["--response-header", "no colon"]);
    assert_eq!(redirspec(&bad).0, 2);

    let (code, lines) = batch(concat!(
        r#"{"profile":"rfc9110","method":"GET","url":"http://a.test/x","status":302,"location":["/x"],"response_headers":[["Set-Cookie","a=1"]]}"#,
        "\n",
        r#"{"profile":"rfc9110","method":"GET","url":"http://a.test/x","status":302,"location":["/x"],"response_headers":[["Bad Name","a=1"]]}"#,
        "\n",
    ));
    assert_eq!(code, 0);
    assert!(
        lines[0].starts_with(r#"{"action":"follow""#),
        "{}",
        lines[0]
    );
    assert!(lines[1].starts_with(r#"{"action":"error""#), "{}", lines[1]);
}
