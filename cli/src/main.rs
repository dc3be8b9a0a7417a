//! The `redirspec` command line.
//!
//! `redirspec decide` prints one JSON object per decision (see the README's `decide`
//! contract); `redirspec server` and `redirspec response` print a report
//! of findings and exit 1 when a MUST is broken. Bad arguments exit 2 with
//! one line on stderr.
//! `redirspec matrix` and `redirspec client` (feature `live`) run real clients
//! through the live suite and print the conformance matrix.

use std::ffi::OsString;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

use clap::builder::RangedU64ValueParser;
use clap::{Args, Parser, Subcommand, ValueEnum};
use redirspec::cases::{decide_lines, run_batch, split_header, Case, Decision};
use redirspec::server::Summary;

mod check;
#[cfg(feature = "live")]
mod live;
#[cfg(feature = "live")]
mod progress;

use check::{exit_status, reports_json, run_response, run_server, ServerArgs};

// The ranges of the numeric arguments (README: "Numbers on the command line"); a value
// outside is a usage error (exit 2, one line).
// `--timeout`, `--jobs`, `--random` and `--strategies` of `matrix` and `client` are checked
// against `live`'s limits (one definition, which `RunSettings::check` uses).
#[cfg(feature = "live")]
use live::{MAX_JOBS, MAX_SCENARIOS, MAX_TIMEOUT};
#[cfg(not(feature = "live"))]
const MAX_JOBS: usize = 64;
#[cfg(not(feature = "live"))]
const MAX_SCENARIOS: usize = 100_000;
#[cfg(not(feature = "live"))]
const MAX_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3600);
/// `--timeout-ms` of `server`.
const MAX_TIMEOUT_MS: u64 = 3_600_000;
/// `decide --hops`.
const MAX_HOPS: i64 = 10_000;

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
    /// Run headless Chromium and Firefox ESR through the live suite with fetch() from a page
    /// and print the model-vs-browsers table (Markdown).
    Browsers(BrowsersArgs),
}

#[derive(Args, Debug)]
struct BrowsersArgs {
    /// Seconds one scenario may take.
    #[arg(long, default_value_t = 10)]
    timeout: u64,
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
    /// A query to send with every path ('' for none); repeatable (default: URL's own). A value
    /// that leads off the origin and comes back as the Location is an open redirect.
    #[arg(long = "query")]
    queries: Vec<String>,
    /// Probe this return-URL query parameter with open-redirect values (each fully encoded,
    /// minimally encoded and double-encoded); repeatable.
    #[arg(long = "probe-open-redirect", value_name = "PARAM")]
    probes: Vec<String>,
    /// Allow a host that is not a loopback address; repeatable.
    #[arg(long = "allow-host", value_name = "HOST")]
    allow_hosts: Vec<String>,
    /// Timeout per request, in milliseconds (1 to 3,600,000).
    #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u64).range(1..=MAX_TIMEOUT_MS))]
    timeout_ms: u64,
    /// Output: text for people, json for CI (one object, see the README).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// How `server` and `response` print their reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// One block per response, findings indented, a summary line.
    Text,
    /// One JSON object: schema, exit, summary, reports with their findings.
    Json,
}

/// `--second-request`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum SecondRequestArg {
    /// The suite and the second-request group.
    On,
    /// The suite alone.
    Off,
    /// The second-request group alone.
    Only,
}

/// `--fail-on`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum FailOnArg {
    /// Exit 0 whatever the verdicts.
    Never,
    /// A broken MUST.
    Must,
    /// A broken MUST or any security rule.
    Security,
    /// A broken MUST, security rule or SHOULD.
    Should,
    /// Any divergence, MAY choices included.
    Any,
}

/// The profiles `decide` knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ProfileArg {
    /// WHATWG Fetch, "HTTP-redirect fetch", with the WHATWG URL parser.
    Fetch,
    /// RFC 9110 §15.4 with RFC 3986 strict parsing and resolution.
    Rfc9110,
    /// The legacy strict reading of RFC 2616 §10.3.
    Rfc2616,
}

impl ProfileArg {
    fn name(self) -> &'static str {
        match self {
            ProfileArg::Fetch => "fetch",
            ProfileArg::Rfc9110 => "rfc9110",
            ProfileArg::Rfc2616 => "rfc2616",
        }
    }
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
    /// Output: text for people, json for CI (one object, see the README).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Options shared by `matrix` and `client`.
#[derive(Args, Debug)]
struct LiveArgs {
    /// Judge every client under this profile instead of the profile it matches best.
    #[arg(long, value_enum)]
    profile: Option<ProfileArg>,
    /// Write matrix.json, a self-contained matrix.html and matrix.md into this folder.
    #[arg(long, value_name = "DIR", default_value = "report")]
    report: std::path::PathBuf,
    /// Write no report files.
    #[arg(long)]
    no_report: bool,
    /// Seconds one client may take for one scenario (1 to 3600).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=MAX_TIMEOUT.as_secs()))]
    timeout: u64,
    /// Clients run at the same time (0: one per core; at most 64).
    #[arg(long, default_value_t = 0, value_parser = RangedU64ValueParser::<usize>::new().range(0..=MAX_JOBS as u64))]
    jobs: usize,
    /// Add this many seeded random scenarios to the suite (at most 100,000).
    #[arg(long, default_value_t = 0, value_parser = RangedU64ValueParser::<usize>::new().range(0..=MAX_SCENARIOS as u64))]
    random: usize,
    /// Add this many scenarios drawn from the crate's proptest strategies, moved onto
    /// loopback (at most 100,000).
    #[arg(long, default_value_t = 0, value_parser = RangedU64ValueParser::<usize>::new().range(0..=MAX_SCENARIOS as u64))]
    strategies: usize,
    /// Seed of the random scenarios (the same seed gives the same scenarios).
    #[arg(long, default_value_t = 0x5EED)]
    seed: u64,
    /// The second-request group (one process asks for a URL twice; does it reuse what it
    /// remembers of a redirect?): on, off, or only (without the suite).
    #[arg(long, value_enum, default_value_t = SecondRequestArg::On)]
    second_request: SecondRequestArg,
    /// Exit 1 when a client has a finding at this level or above (for CI): must, security
    /// (a MUST or any security rule), should, any (MAY choices too); never: exit 0 whatever
    /// the verdicts.
    #[arg(long, value_enum, default_value_t = FailOnArg::Never)]
    fail_on: FailOnArg,
    /// Write matrix.json on one line (about a sixth of the pretty-printed size).
    #[arg(long)]
    compact_json: bool,
    /// Print everything: findings of every level, divergences per aspect and profile, what
    /// each client did, the second-request group (default: one screen).
    #[arg(long, short)]
    verbose: bool,
    /// Write a stand-alone reproduction (python3 server script, client command, expected vs
    /// observed) of each MUST or security finding into DIR/<client>/<scenario>/.
    #[arg(long, value_name = "DIR")]
    repro: Option<std::path::PathBuf>,
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
    /// The profile to decide under.
    #[arg(long, value_enum, required_unless_present = "batch")]
    profile: Option<ProfileArg>,
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
    /// A field of the redirect response besides Location, 'Name: value';
    /// repeatable (a Set-Cookie tells loop detection a repeat is not yet a cycle).
    #[arg(long)]
    response_header: Vec<String>,
    /// none, bytes:N or stream.
    #[arg(long, default_value = "none")]
    body: String,
    /// Redirects already followed before this response (0 to 10,000).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=MAX_HOPS))]
    hops: u32,
    /// Read one JSON case per line on stdin, write one result per line.
    #[arg(long, conflicts_with_all = ["profile", "method", "url", "status", "location", "header", "response_header"])]
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
        Command::Browsers(args) => live_browsers(&args),
        Command::Client(args) => live_client(&args),
    }
}

fn server(args: ServerCmd) -> ExitCode {
    let server_args = ServerArgs {
        url: args.url,
        methods: args.methods,
        paths: args.paths,
        queries: args.queries,
        probes: args.probes,
        allow_hosts: args.allow_hosts,
        timeout_ms: args.timeout_ms,
    };
    match run_server(&server_args) {
        Ok(reports) if args.format == Format::Json => {
            println!("{}", reports_json(&reports));
            ExitCode::from(exit_status(&reports))
        }
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
        Ok(report) if args.format == Format::Json => {
            println!("{}", reports_json(std::slice::from_ref(&report)));
            ExitCode::from(exit_status([&report]))
        }
        Ok(report) => {
            print!("{report}");
            ExitCode::from(exit_status([&report]))
        }
        Err(e) => usage_error(&e.to_string()),
    }
}

/// Before a live run: orphans of the clients come back to us (Linux), and SIGINT/SIGTERM end
/// every client process, remove the scratch folders and exit 130/143.
#[cfg(feature = "live")]
fn supervise() {
    use redirspec::live::process;
    // Without a subreaper, leftovers are still found by their run token; say nothing.
    let _ = process::become_subreaper();
    if let Err(e) = process::exit_on_signals() {
        eprintln!("redirspec: cannot handle SIGINT/SIGTERM: {e}");
    }
}

#[cfg(feature = "live")]
fn live_settings(args: &LiveArgs) -> Result<live::RunSettings, ExitCode> {
    let profile = match args.profile {
        None => None,
        Some(p) => match p.name().parse::<redirspec::Profile>() {
            Ok(p) => Some(p),
            Err(e) => return Err(usage_error(&e.to_string())),
        },
    };
    let second_request = match args.second_request {
        SecondRequestArg::On => live::SecondRequestMode::On,
        SecondRequestArg::Off => live::SecondRequestMode::Off,
        SecondRequestArg::Only => live::SecondRequestMode::Only,
    };
    Ok(live::RunSettings {
        profile,
        report_dir: (!args.no_report).then(|| args.report.clone()),
        timeout: std::time::Duration::from_secs(args.timeout),
        jobs: args.jobs,
        random: args.random,
        strategies: args.strategies,
        seed: args.seed,
        second_request,
        verbose: args.verbose,
        repro: args.repro.clone(),
        compact_json: args.compact_json,
    })
}

#[cfg(feature = "live")]
fn live_result(
    result: Result<redirspec::live::MatrixReport, redirspec::live::LiveError>,
    fail_on: FailOnArg,
) -> ExitCode {
    use redirspec::live::FailOn;
    use redirspec::live::LiveError;
    let fail_on = match fail_on {
        FailOnArg::Never => FailOn::Never,
        FailOnArg::Must => FailOn::Must,
        FailOnArg::Security => FailOn::Security,
        FailOnArg::Should => FailOn::Should,
        FailOnArg::Any => FailOn::Any,
    };
    match result {
        Ok(report) => {
            let failing = fail_on.failing(&report);
            if failing.is_empty() {
                return ExitCode::SUCCESS;
            }
            eprintln!(
                "redirspec: findings at --fail-on level or above: {}",
                failing.join("; ")
            );
            ExitCode::FAILURE
        }
        Err(
            e @ (LiveError::UnknownClient(_)
            | LiveError::BadCommand(_)
            | LiveError::Unavailable(_)
            | LiveError::BadSettings(_)),
        ) => usage_error(&e.to_string()),
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
    supervise();
    let mut stdout = std::io::stdout().lock();
    live_result(
        live::matrix_command(&args.clients, &settings, &mut stdout),
        args.live.fail_on,
    )
}

#[cfg(feature = "live")]
fn live_client(args: &ClientArgs) -> ExitCode {
    let settings = match live_settings(&args.live) {
        Ok(s) => s,
        Err(code) => return code,
    };
    supervise();
    let mut stdout = std::io::stdout().lock();
    live_result(
        live::client_command(
            &args.name,
            &args.cmd,
            args.cmd_twice.as_deref(),
            &settings,
            &mut stdout,
        ),
        args.live.fail_on,
    )
}

#[cfg(feature = "live")]
fn live_browsers(args: &BrowsersArgs) -> ExitCode {
    let timeout = std::time::Duration::from_secs(args.timeout.clamp(1, 600));
    print!("{}", redirspec::live::browser::view_command(timeout));
    ExitCode::SUCCESS
}

#[cfg(not(feature = "live"))]
fn live_browsers(_: &BrowsersArgs) -> ExitCode {
    usage_error("this redirspec was built without the `live` feature")
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
    eprintln!("redirspec: {}", one_line_error(message));
    ExitCode::from(2)
}

/// A clap (or our own) error message as the one line the CLI contract promises, with nothing
/// of clap's text lost: the lines clap lists after "...not provided:" are joined with commas,
/// and its tips ("a similar argument exists: '--profile'") follow in parentheses. The usage
/// block and the "--help" pointer are left out.
fn one_line_error(message: &str) -> String {
    let mut lines = message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"));
    let mut line = lines
        .next()
        .unwrap_or("bad arguments")
        .trim_start_matches("error: ")
        .to_owned();
    let mut listed = Vec::new();
    let mut tips = Vec::new();
    for l in lines {
        match l.strip_prefix("tip: ") {
            Some(tip) => tips.push(tip),
            None => listed.push(l),
        }
    }
    if !listed.is_empty() {
        line = format!("{} {}", line, listed.join(", "));
    }
    if !tips.is_empty() {
        line = format!("{line} (tip: {})", tips.join("; "));
    }
    line
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
    let mut response_headers = Vec::new();
    for h in &args.response_header {
        match split_header(h) {
            Ok(pair) => response_headers.push(pair),
            Err(e) => return usage_error(&e.to_string()),
        }
    }
    let (Some(profile), Some(method), Some(url), Some(status)) =
        (args.profile, args.method, args.url, args.status)
    else {
        return usage_error("--profile, --method, --url and --status are required");
    };
    let case = Case {
        profile: profile.name().to_owned(),
        method,
        url,
        status: Some(status),
        location: args
            .location
            .iter()
            .map(|l| String::from_utf8_lossy(&raw_bytes(l)).into_owned())
            .collect(),
        headers,
        response_headers,
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
    let mut stdout = Tracked {
        inner: std::io::stdout().lock(),
        failed: false,
    };
    let result = run_batch(stdin, BufWriter::new(&mut stdout), MAX_BATCH_LINE);
    match result {
        Ok(_) => ExitCode::SUCCESS,
        // The reader of our output went away: nothing left to say.
        Err(e) if stdout.failed && e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) if stdout.failed => {
            eprintln!("redirspec: cannot write stdout: {e}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("redirspec: cannot read stdin: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A writer that remembers whether it failed, so that a `run_batch` error says which side
/// (stdin or stdout) it came from.
struct Tracked<W> {
    inner: W,
    failed: bool,
}

impl<W: Write> Write for Tracked<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let r = self.inner.write(buf);
        self.failed |= r.is_err();
        r
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let r = self.inner.flush();
        self.failed |= r.is_err();
        r
    }
}
