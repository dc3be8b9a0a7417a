//! The `redirspec` command line.
//!
//! `redirspec decide` prints one JSON object per decision (see DESIGN.md's
//! CLI contract); `redirspec server` and `redirspec response` print a report
//! of findings and exit 1 when a MUST is broken. Bad arguments exit 2 with
//! one line on stderr.
//! `redirspec matrix` and `redirspec client` (feature `live`) run real clients
//! through the live suite and print the conformance matrix.

use std::ffi::OsString;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use redirspec::cli::{
    decide_lines, exit_status, run_response, run_server, split_header, Batch, BoundedLines, Case,
    Decision, ServerArgs,
};
use redirspec::server::Summary;

/// An exact model of HTTP redirect semantics, and checks of real clients and servers.
#[derive(Parser, Debug)]
#[command(name = "redirspec", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Decide what a client must do with one redirect response (JSON on stdout).
    Decide(DecideArgs),
    /// Check the redirects of a running server (loopback or --allow-host only).
    Server(ServerCmd),
    /// Check a saved raw HTTP/1.x response.
    Response(ResponseCmd),
    /// Run real HTTP clients through the live redirect suite and print the matrix.
    Matrix(MatrixArgs),
    /// Run one program, given as a command template, through the live suite.
    Client(ClientArgs),
}

#[derive(Args, Debug)]
struct ServerCmd {
    /// The server's base URL (plain http://).
    url: String,
    /// A method to send; repeatable (default: GET, HEAD, POST).
    #[arg(long = "method")]
    methods: Vec<String>,
    /// A path to request, joined to URL; repeatable (default: URL's own).
    #[arg(long = "path")]
    paths: Vec<String>,
    /// A query to send with every path ('' for none); repeatable (default: URL's own).
    #[arg(long = "query")]
    queries: Vec<String>,
    /// Probe this return-URL query parameter with open-redirect values; repeatable.
    #[arg(long = "probe-open-redirect", value_name = "PARAM")]
    probes: Vec<String>,
    /// Allow a host that is not a loopback address; repeatable.
    #[arg(long = "allow-host", value_name = "HOST")]
    allow_hosts: Vec<String>,
    /// Timeout per request, in milliseconds.
    #[arg(long, default_value_t = 5000)]
    timeout_ms: u64,
}

#[derive(Args, Debug)]
struct ResponseCmd {
    /// A file holding one raw response, as on the wire.
    file: String,
    /// The method of the request it answered (default GET).
    #[arg(long)]
    request_method: Option<String>,
    /// The absolute URL of the request it answered (needed for self-loop and downgrade).
    #[arg(long)]
    request_url: Option<String>,
}

/// Options shared by `matrix` and `client`.
#[derive(Args, Debug)]
struct LiveArgs {
    /// Judge every client under this profile (fetch, rfc9110, rfc2616) instead of the
    /// profile it matches best.
    #[arg(long)]
    profile: Option<String>,
    /// Write matrix.json, a self-contained matrix.html and matrix.md into this folder.
    #[arg(long, value_name = "DIR", default_value = "report")]
    report: std::path::PathBuf,
    /// Write no report files.
    #[arg(long)]
    no_report: bool,
    /// Seconds one client may take for one scenario.
    #[arg(long, default_value_t = 10)]
    timeout: u64,
    /// Clients run at the same time (0: one per core).
    #[arg(long, default_value_t = 0)]
    jobs: usize,
    /// Add this many seeded random scenarios to the suite.
    #[arg(long, default_value_t = 0)]
    random: usize,
    /// Add this many scenarios drawn from the crate's proptest strategies, moved onto
    /// loopback.
    #[arg(long, default_value_t = 0)]
    strategies: usize,
    /// Seed of the random scenarios (the same seed gives the same scenarios).
    #[arg(long, default_value_t = 0x5EED)]
    seed: u64,
    /// The second-request group (one process asks for a URL twice; does it reuse what it
    /// remembers of a redirect?): on, off, or only (without the suite).
    #[arg(long, value_name = "on|off|only", default_value = "on")]
    second_request: String,
}

#[derive(Args, Debug)]
struct MatrixArgs {
    /// Comma-separated clients: reqwest, ureq, curl, wget, node-fetch, python-urllib,
    /// python-urllib3, python-requests, perl-lwp, perl-http-tiny, java-httpclient, chromium
    /// (second-request group only), or all.
    #[arg(long, default_value = "all")]
    clients: String,
    #[command(flatten)]
    live: LiveArgs,
}

#[derive(Args, Debug)]
struct ClientArgs {
    /// Command template, e.g. 'curl -sS -L -X {method} [ -H {header} ]
    /// [ --data-binary @{body_file} ] {url}'. Placeholders: {method} {url} {body_file}
    /// {body_file?} {header} {headers_file} {headers_json}; [ … ] repeats per header or needs
    /// a body.
    /// Exit 0 = delivered (status from the last stdout line), non-zero = error.
    #[arg(long)]
    cmd: String,
    /// Command template that asks for {url} twice from one process (e.g. 'curl -sS -L -o
    /// /dev/null -o /dev/null -w "%{http_code}\n" {url} {url}'), for the second-request
    /// group; without it the group is not applicable to the program.
    #[arg(long)]
    cmd_twice: Option<String>,
    /// Name shown in the report.
    #[arg(long, default_value = "command")]
    name: String,
    #[command(flatten)]
    live: LiveArgs,
}

/// Longest line `decide --batch` reads (1 MiB); longer lines get an error result.
const MAX_BATCH_LINE: usize = 1 << 20;

#[derive(Args, Debug)]
struct DecideArgs {
    /// fetch, rfc9110 or rfc2616.
    #[arg(long, required_unless_present = "batch")]
    profile: Option<String>,
    /// The request method.
    #[arg(long, required_unless_present = "batch")]
    method: Option<String>,
    /// The absolute request URL (its fragment is what redirects inherit).
    #[arg(long, required_unless_present = "batch")]
    url: Option<String>,
    /// The response status.
    #[arg(long, required_unless_present = "batch")]
    status: Option<u16>,
    /// A raw Location field line; repeat for several, leave out for none.
    #[arg(long, value_parser = clap::value_parser!(OsString), allow_hyphen_values = true)]
    location: Vec<OsString>,
    /// A request header, 'Name: value'; repeatable.
    #[arg(long)]
    header: Vec<String>,
    /// none, bytes:N or stream.
    #[arg(long, default_value = "none")]
    body: String,
    /// Redirects already followed before this response.
    #[arg(long, default_value_t = 0)]
    hops: u32,
    /// Read one JSON case per line on stdin, write one result per line.
    #[arg(long, conflicts_with_all = ["profile", "method", "url", "status", "location", "header"])]
    batch: bool,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = e.print();
                return if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                    ExitCode::from(2)
                } else {
                    ExitCode::SUCCESS
                };
            }
            return usage_error(&e.to_string());
        }
    };
    match cli.command {
        Command::Decide(args) if args.batch => batch(),
        Command::Decide(args) => single(args),
        Command::Server(args) => server(args),
        Command::Response(args) => response(args),
        Command::Matrix(args) => live_matrix(&args),
        Command::Client(args) => live_client(&args),
    }
}

fn server(args: ServerCmd) -> ExitCode {
    let args = ServerArgs {
        url: args.url,
        methods: args.methods,
        paths: args.paths,
        queries: args.queries,
        probes: args.probes,
        allow_hosts: args.allow_hosts,
        timeout_ms: args.timeout_ms,
    };
    match run_server(&args) {
        Ok(reports) => {
            let mut out = String::new();
            for r in &reports {
                out.push_str(&r.to_string());
            }
            print!("{out}");
            println!("{}", Summary::of(&reports));
            ExitCode::from(exit_status(&reports))
        }
        Err(e) => usage_error(&e.to_string()),
    }
}

fn response(args: ResponseCmd) -> ExitCode {
    match run_response(
        &args.file,
        args.request_method.as_deref(),
        args.request_url.as_deref(),
    ) {
        Ok(report) => {
            print!("{report}");
            ExitCode::from(exit_status([&report]))
        }
        Err(e) => usage_error(&e.to_string()),
    }
}

#[cfg(feature = "live")]
fn live_settings(args: &LiveArgs) -> Result<redirspec::live::cli::RunSettings, ExitCode> {
    let profile = match &args.profile {
        None => None,
        Some(p) => match p.parse::<redirspec::Profile>() {
            Ok(p) => Some(p),
            Err(e) => return Err(usage_error(&e.to_string())),
        },
    };
    if args.timeout == 0 {
        return Err(usage_error("--timeout must be at least 1 second"));
    }
    let second_request = match args
        .second_request
        .parse::<redirspec::live::cli::SecondRequestMode>()
    {
        Ok(m) => m,
        Err(e) => return Err(usage_error(&e)),
    };
    Ok(redirspec::live::cli::RunSettings {
        profile,
        report_dir: (!args.no_report).then(|| args.report.clone()),
        timeout: std::time::Duration::from_secs(args.timeout),
        jobs: args.jobs,
        random: args.random,
        strategies: args.strategies,
        seed: args.seed,
        second_request,
    })
}

#[cfg(feature = "live")]
fn live_result(
    result: Result<redirspec::live::MatrixReport, redirspec::live::LiveError>,
) -> ExitCode {
    use redirspec::live::LiveError;
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(e @ (LiveError::UnknownClient(_) | LiveError::BadCommand(_))) => {
            usage_error(&e.to_string())
        }
        Err(e) => {
            eprintln!("redirspec: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(feature = "live")]
fn live_matrix(args: &MatrixArgs) -> ExitCode {
    let settings = match live_settings(&args.live) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut stdout = std::io::stdout().lock();
    live_result(redirspec::live::cli::matrix_command(
        &args.clients,
        &settings,
        &mut stdout,
    ))
}

#[cfg(feature = "live")]
fn live_client(args: &ClientArgs) -> ExitCode {
    let settings = match live_settings(&args.live) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut stdout = std::io::stdout().lock();
    live_result(redirspec::live::cli::client_command(
        &args.name,
        &args.cmd,
        args.cmd_twice.as_deref(),
        &settings,
        &mut stdout,
    ))
}

#[cfg(not(feature = "live"))]
fn live_matrix(_: &MatrixArgs) -> ExitCode {
    usage_error("this redirspec was built without the `live` feature")
}

#[cfg(not(feature = "live"))]
fn live_client(_: &ClientArgs) -> ExitCode {
    usage_error("this redirspec was built without the `live` feature")
}

/// One line on stderr, exit 2.
fn usage_error(message: &str) -> ExitCode {
    let mut lines = message.lines().map(str::trim).filter(|l| !l.is_empty());
    let mut line = lines
        .next()
        .unwrap_or("bad arguments")
        .trim_start_matches("error: ")
        .to_owned();
    // clap lists missing arguments on the lines after "...not provided:".
    if line.ends_with(':') {
        let rest: Vec<&str> = lines.take_while(|l| !l.starts_with("Usage:")).collect();
        line = format!("{} {}", line, rest.join(", "));
    }
    eprintln!("redirspec: {line}");
    ExitCode::from(2)
}

/// The raw bytes of a command-line value (on Unix, exactly as given).
fn raw_bytes(raw: &OsString) -> Vec<u8> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        raw.as_bytes().to_vec()
    }
    #[cfg(not(unix))]
    {
        raw.to_string_lossy().into_owned().into_bytes()
    }
}

fn single(args: DecideArgs) -> ExitCode {
    let mut headers = Vec::new();
    for h in &args.header {
        match split_header(h) {
            Ok(pair) => headers.push(pair),
            Err(e) => return usage_error(&e.to_string()),
        }
    }
    let (Some(profile), Some(method), Some(url), Some(status)) =
        (args.profile, args.method, args.url, args.status)
    else {
        return usage_error("--profile, --method, --url and --status are required");
    };
    let case = Case {
        profile,
        method,
        url,
        status: Some(status),
        location: args
            .location
            .iter()
            .map(|l| String::from_utf8_lossy(&raw_bytes(l)).into_owned())
            .collect(),
        headers,
        body: args.body,
        hops: args.hops,
        memory: None,
        time: None,
    };
    // Location bytes go to the model unchanged, even when they are not UTF-8.
    let raw: Vec<Vec<u8>> = args.location.iter().map(raw_bytes).collect();
    let lines: Vec<&[u8]> = raw.iter().map(Vec::as_slice).collect();
    match decide_lines(&case, &lines) {
        Decision::Error { detail } => usage_error(&detail),
        d => print_json(&d),
    }
}

fn print_json(d: &Decision) -> ExitCode {
    match serde_json::to_string(d) {
        Ok(s) => {
            println!("{s}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("redirspec: cannot write the result: {e}");
            ExitCode::FAILURE
        }
    }
}

fn batch() -> ExitCode {
    let stdin = std::io::stdin().lock();
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut cases = Batch::new();
    let mut lines = BoundedLines::new(stdin, MAX_BATCH_LINE);
    while let Some(line) = lines.next_line() {
        let written = match line {
            Err(e) => {
                eprintln!("redirspec: cannot read stdin: {e}");
                return ExitCode::FAILURE;
            }
            Ok(Err(e)) => serde_json::to_writer(
                &mut out,
                &Decision::Error {
                    detail: e.to_string(),
                },
            )
            .map_err(std::io::Error::from),
            Ok(Ok(text)) => cases.decide_line(text, &mut out),
        };
        let written = written.and_then(|()| out.write_all(b"\n"));
        if let Err(e) = written {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return ExitCode::SUCCESS;
            }
            eprintln!("redirspec: cannot write stdout: {e}");
            return ExitCode::FAILURE;
        }
    }
    if let Err(e) = out.flush() {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("redirspec: cannot write stdout: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
