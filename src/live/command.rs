//! The command adapter: any program that can fetch a URL, described by a
//! command template, and the built-in presets.
//!
//! # Command templates
//!
//! A template is split into words like a shell would (spaces separate words; `'…'` and `"…"`
//! group; `\` escapes outside single quotes), then placeholders are filled in each word, so a
//! value with spaces stays one argument. No shell runs.
//!
//! | placeholder      | becomes                                                        |
//! |------------------|----------------------------------------------------------------|
//! | `{method}`       | the method of the first request                                |
//! | `{url}`          | the start URL                                                  |
//! | `{body_file}`    | a file holding the request body (empty when there is none)     |
//! | `{body_file?}`   | that file when there is a body, else an empty argument         |
//! | `{header}`       | `Name: value`, one header                                      |
//! | `{headers_file}` | a file with one `Name: value` line per header                  |
//! | `{headers_json}` | a file with the headers as a JSON array of `[name, value]`     |
//! | `{script_dir}`   | the folder holding the scripts shipped with redirspec          |
//!
//! Square brackets make a group, written as separate words: `[ -H {header} ]` is repeated
//! once per header, `[ --data-binary @{body_file} ]` is kept only when there is a body.
//!
//! # Outcome
//!
//! The program's exit status decides the outcome: 0 means it delivered a response (its status
//! is read from the last line of stdout when that line is a three-digit number), anything else
//! means it failed (its stderr is the message). A program still running at the time-out is
//! killed and reported as timed out. Each run happens in a fresh private scratch folder
//! (`live::scratch`) and, whether the program exits or is killed, everything it started
//! is ended with it ([`super::process`]).

use super::client::{millis, one_line, ClientOutcome, ClientRequest, ClientUnderTest};
use super::driver::Driver;
use super::process::{command_in, Supervised};
use super::scratch::Scratch;
use super::template::{CommandTemplate, Expansion};
use super::LiveError;
use std::io::Read;
use std::path::Path;
use std::process::Stdio;
use std::sync::{mpsc, Arc, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

/// The node fetch script shipped with the crate.
pub(crate) const FETCH_JS: &str = include_str!("assets/fetch.js");
/// The python (urllib / urllib3 / requests) script shipped with the crate.
pub(crate) const CLIENT_PY: &str = include_str!("assets/client.py");
/// The perl (LWP::UserAgent / HTTP::Tiny) script shipped with the crate.
pub(crate) const CLIENT_PL: &str = include_str!("assets/client.pl");
/// The java (java.net.http.HttpClient) program shipped with the crate.
pub(crate) const FETCH_JAVA: &str = include_str!("assets/Fetch.java");

/// Writes every shipped script into a new scratch folder.
pub(crate) fn write_assets(dir: &Scratch) -> std::io::Result<()> {
    dir.write_new("fetch.js", FETCH_JS.as_bytes())?;
    dir.write_new("client.py", CLIENT_PY.as_bytes())?;
    dir.write_new("client.pl", CLIENT_PL.as_bytes())?;
    dir.write_new("Fetch.java", FETCH_JAVA.as_bytes())?;
    dir.write_new("fetch.go", super::go::FETCH_GO.as_bytes())?;
    Ok(())
}

/// A folder prepared once (scripts written, set-up command run), removed when the last
/// clone of its client goes.
#[derive(Debug)]
struct Prepared {
    dir: Scratch,
}

/// How a command client is checked for presence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Probe {
    /// Argument vector run once (bounded by 10 s); exit 0 means available.
    pub argv: Vec<String>,
    /// Note shown when it fails.
    pub missing: String,
}

/// Any program, driven by a command template.
#[derive(Debug, Clone)]
pub struct CommandClient {
    name: String,
    template: CommandTemplate,
    method_templates: Vec<(String, CommandTemplate)>,
    twice_template: Option<CommandTemplate>,
    probe: Option<Probe>,
    describe: String,
    version: Option<Vec<String>>,
    setup: Option<Vec<String>>,
    /// Run in the folder before the set-up command (see [`Self::with_before_setup`]).
    before_setup: Option<fn(&Path)>,
    prepared: Arc<OnceLock<Result<Prepared, String>>>,
    cost_hint_ms: u32,
    reading: crate::Profile,
    driver: Option<Arc<Driver>>,
}

impl CommandClient {
    /// A client named `name` run with `template`.
    ///
    /// # Errors
    /// [`LiveError::BadCommand`] when the template does not parse.
    pub fn new(name: &str, template: &str) -> Result<Self, LiveError> {
        let template = CommandTemplate::parse(template)?;
        Ok(CommandClient {
            name: name.to_owned(),
            describe: template.as_str().to_owned(),
            version: None,
            setup: None,
            before_setup: None,
            prepared: Arc::new(OnceLock::new()),
            cost_hint_ms: 50,
            reading: crate::Profile::Rfc9110,
            template,
            method_templates: Vec::new(),
            twice_template: None,
            probe: None,
            driver: None,
        })
    }

    /// Sets the template that makes the program send the request twice in a row, from one
    /// process and one client object (see [`ClientUnderTest::execute_twice`]); its exit status
    /// and last line of output are read as for a single request.
    ///
    /// # Errors
    /// [`LiveError::BadCommand`] when the template does not parse.
    pub fn with_twice_template(mut self, template: &str) -> Result<Self, LiveError> {
        self.twice_template = Some(CommandTemplate::parse(template)?);
        Ok(self)
    }

    /// Uses another template for one method (how a person would really ask the program for,
    /// say, a PUT with a body).
    ///
    /// # Errors
    /// [`LiveError::BadCommand`] when the template does not parse.
    pub fn with_method_template(mut self, method: &str, template: &str) -> Result<Self, LiveError> {
        self.method_templates
            .push((method.to_owned(), CommandTemplate::parse(template)?));
        Ok(self)
    }

    /// Runs the scenarios through one long-lived process started with `argv` (see
    /// [`super::driver`]) instead of one process per scenario with the templates;
    /// `{script_dir}` names the folder of the shipped scripts. Clones of this client share
    /// the process. The environment variable `REDIRSPEC_DRIVERS=off` turns drivers off (one
    /// process per scenario, as before).
    pub(crate) fn with_driver(mut self, argv: &[&str]) -> Self {
        self.driver = Some(Arc::new(Driver::new(argv)));
        self
    }

    /// Whether scenarios run through a long-lived driver process (the presets for node,
    /// python, perl and java, and `REDIRSPEC_DRIVERS` is not `off`).
    pub fn driven(&self) -> bool {
        self.driver().is_some()
    }

    /// The process id of the running driver, if one runs.
    pub fn driver_pid(&self) -> Option<u32> {
        self.driver.as_deref().and_then(Driver::pid)
    }

    /// The driver to use, unless `REDIRSPEC_DRIVERS=off`.
    fn driver(&self) -> Option<&Driver> {
        let off = std::env::var_os("REDIRSPEC_DRIVERS").is_some_and(|v| v == "off");
        self.driver.as_deref().filter(|_| !off)
    }

    /// Sets the presence probe.
    pub fn with_probe(mut self, argv: &[&str], missing: &str) -> Self {
        self.probe = Some(Probe {
            argv: argv.iter().map(|s| (*s).to_owned()).collect(),
            missing: missing.to_owned(),
        });
        self
    }

    /// Sets a command whose first line of output names the version (added to
    /// [`describe`](ClientUnderTest::describe)).
    pub fn with_version(mut self, argv: &[&str]) -> Self {
        self.version = Some(argv.iter().map(|s| (*s).to_owned()).collect());
        self
    }

    /// Sets a command run once, in a folder holding the shipped scripts, before the first
    /// request (compiling a program, say); `{script_dir}` then names that folder.
    pub fn with_setup(mut self, argv: &[&str]) -> Self {
        self.setup = Some(argv.iter().map(|s| (*s).to_owned()).collect());
        self
    }

    /// Sets a step run in the prepared folder after the scripts are written and before the
    /// set-up command (Go's build cache is linked there, see `go`). It cannot fail the
    /// set-up: what it could not do, the set-up does without.
    pub(crate) fn with_before_setup(mut self, step: fn(&Path)) -> Self {
        self.before_setup = Some(step);
        self
    }

    /// Runs the set-up once; the prepared folder, if there is a set-up.
    fn prepare(&self) -> Result<Option<&Path>, String> {
        let Some(argv) = &self.setup else {
            return Ok(None);
        };
        let prepared = self.prepared.get_or_init(|| {
            let dir = match Scratch::new() {
                Ok(dir) => dir,
                Err(e) => return Err(format!("no scratch folder for the set-up: {e}")),
            };
            let ran = write_assets(&dir).and_then(|()| {
                if let Some(step) = self.before_setup {
                    step(dir.path());
                }
                run_bounded(argv, dir.path(), Duration::from_secs(120))
            });
            let prepared = Prepared { dir };
            match ran {
                Ok(Finished::Exited { success: true, .. }) => Ok(prepared),
                Ok(Finished::Exited { stderr, code, .. }) => Err(one_line(&format!(
                    "set-up `{}` failed (exit {code}): {}",
                    argv.join(" "),
                    String::from_utf8_lossy(&stderr)
                ))),
                Ok(Finished::TimedOut) => Err(format!("set-up `{}` timed out", argv.join(" "))),
                Err(e) => Err(format!("set-up `{}` did not run: {e}", argv.join(" "))),
            }
        });
        match prepared {
            Ok(p) => Ok(Some(p.dir.path())),
            Err(e) => Err(e.clone()),
        }
    }

    /// Sets the standard the program implements ([`ClientUnderTest::reading`]; default
    /// RFC 9110).
    #[must_use]
    pub fn with_reading(mut self, reading: crate::Profile) -> Self {
        self.reading = reading;
        self
    }

    /// The scheduling hint ([`ClientUnderTest::cost_hint_ms`]).
    #[must_use]
    pub fn with_cost_hint_ms(mut self, ms: u32) -> Self {
        self.cost_hint_ms = ms;
        self
    }

    /// Sets the one-line description.
    pub fn with_description(mut self, describe: &str) -> Self {
        self.describe = describe.to_owned();
        self
    }

    fn template_for(&self, method: &str) -> &CommandTemplate {
        self.method_templates
            .iter()
            .find(|(m, _)| m.eq_ignore_ascii_case(method))
            .map(|(_, t)| t)
            .unwrap_or(&self.template)
    }

    fn run_in(
        &self,
        dir: &Scratch,
        script_dir: Option<&Path>,
        request: &ClientRequest,
        template: &CommandTemplate,
    ) -> Result<ClientOutcome, std::io::Error> {
        let script_dir = match script_dir {
            Some(prepared) => prepared,
            None => {
                write_assets(dir)?;
                dir.path()
            }
        };
        let body_file = dir.write_new("body", request.body.as_deref().unwrap_or_default())?;
        let lines: String = request
            .headers
            .iter()
            .map(|(n, v)| format!("{n}: {v}\n"))
            .collect();
        let headers_file = dir.write_new("headers.txt", lines.as_bytes())?;
        let json = serde_json::to_string(&request.headers).unwrap_or_else(|_| "[]".to_owned());
        let headers_json = dir.write_new("headers.json", json.as_bytes())?;
        let ctx = Expansion {
            method: request.method.as_str(),
            url: &request.url,
            body_file: &body_file,
            has_body: request.body.is_some(),
            headers: &request.headers,
            headers_file: &headers_file,
            headers_json: &headers_json,
            script_dir,
        };
        let argv = template.expand(&ctx);
        let run = run_bounded(&argv, dir.path(), request.timeout)?;
        Ok(match run {
            Finished::TimedOut => ClientOutcome::TimedOut {
                after_ms: millis(request.timeout),
            },
            Finished::Exited {
                success: true,
                stdout,
                ..
            } => ClientOutcome::Delivered {
                status: last_line(&stdout).and_then(|l| {
                    let l = l.trim();
                    (l.len() == 3)
                        .then(|| l.parse::<u16>().ok())
                        .flatten()
                        .filter(|s| (100..=999).contains(s))
                }),
            },
            Finished::Exited {
                success: false,
                code,
                stdout,
                stderr,
            } => {
                let msg = if stderr.iter().any(|b| !b.is_ascii_whitespace()) {
                    String::from_utf8_lossy(&stderr).into_owned()
                } else {
                    last_line(&stdout).unwrap_or_default()
                };
                ClientOutcome::Failed {
                    message: one_line(&format!("exit {code}: {msg}")),
                }
            }
        })
    }
}

fn last_line(bytes: &[u8]) -> Option<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(str::to_owned)
}

pub(crate) enum Finished {
    Exited {
        success: bool,
        code: String,
        stdout: Vec<u8>,
        stderr: Vec<u8>,
    },
    TimedOut,
}

/// Runs `argv` in `dir` with no stdin, capturing output, killing it at `timeout`.
pub(crate) fn run_bounded(
    argv: &[String],
    dir: &Path,
    timeout: Duration,
) -> std::io::Result<Finished> {
    run_bounded_with_env(argv, dir, timeout, &[])
}

/// [`run_bounded`] with some environment variables set (the rest inherited).
pub(crate) fn run_bounded_with_env(
    argv: &[String],
    dir: &Path,
    timeout: Duration,
    env: &[(&str, &Path)],
) -> std::io::Result<Finished> {
    let mut command = command_in(argv, dir)?;
    command
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut run = Supervised::spawn(&mut command)?;
    let out_reader = spawn_reader(run.child_mut().stdout.take());
    let err_reader = spawn_reader(run.child_mut().stderr.take());
    // Exited or killed, everything it started is ended with it: the pipes close.
    let status = match run.wait_timeout(timeout)? {
        Some(status) => Some(status),
        None => {
            run.kill()?;
            None
        }
    };
    // Bounded all the same: a process that escaped every check may hold a pipe.
    let grace = Instant::now() + Duration::from_secs(2);
    let stdout = out_reader.recv_timeout(grace.saturating_duration_since(Instant::now()));
    let stderr = err_reader.recv_timeout(grace.saturating_duration_since(Instant::now()));
    let (stdout, stderr) = (stdout.unwrap_or_default(), stderr.unwrap_or_default());
    Ok(match status {
        None => Finished::TimedOut,
        Some(s) => Finished::Exited {
            success: s.success(),
            code: s
                .code()
                .map_or_else(|| "by signal".to_owned(), |c| c.to_string()),
            stdout,
            stderr,
        },
    })
}

/// Reads a pipe to its end (at most 1 MiB) on a thread; the bytes arrive on the channel.
fn spawn_reader<R: Read + Send + 'static>(pipe: Option<R>) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut v = Vec::new();
        if let Some(p) = pipe {
            let _ = p.take(1 << 20).read_to_end(&mut v);
        }
        let _ = tx.send(v);
    });
    rx
}

/// Runs `argv` bounded by `timeout` in a scratch folder of its own, removed after.
pub(crate) fn run_in_scratch(argv: &[String], timeout: Duration) -> std::io::Result<Finished> {
    let dir = Scratch::new()?;
    run_bounded(argv, dir.path(), timeout)
}

/// Whether `program` names an executable file: a path with a `/` as it is, a bare name
/// through `PATH`.
fn program_exists(program: &str) -> bool {
    fn executable(path: &Path) -> bool {
        let Ok(meta) = std::fs::metadata(path) else {
            return false;
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            meta.is_file() && meta.permissions().mode() & 0o111 != 0
        }
        #[cfg(not(unix))]
        meta.is_file()
    }
    if program.is_empty() {
        return false;
    }
    if program.contains('/') {
        return executable(Path::new(program));
    }
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| executable(&dir.join(program))))
}

impl ClientUnderTest for CommandClient {
    fn name(&self) -> &str {
        &self.name
    }

    /// Ends the driver process, if one runs (a JVM or node left idle holds its memory).
    fn end_run(&self) {
        if let Some(driver) = &self.driver {
            driver.stop();
        }
    }

    fn describe(&self) -> String {
        let Some(argv) = &self.version else {
            return self.describe.clone();
        };
        match run_in_scratch(argv, Duration::from_secs(10)) {
            Ok(Finished::Exited {
                success: true,
                stdout,
                stderr,
                ..
            }) => match String::from_utf8_lossy(if stdout.is_empty() { &stderr } else { &stdout })
                .lines()
                .next()
            {
                // `curl 7.88.1 (x86_64-pc-linux-gnu) libcurl/…`: the part before " (".
                Some(v) if !v.trim().is_empty() => {
                    let short = v.split(" (").next().unwrap_or(v).trim();
                    format!("{} ({short})", self.describe)
                }
                _ => self.describe.clone(),
            },
            _ => self.describe.clone(),
        }
    }

    fn cost_hint_ms(&self) -> u32 {
        self.cost_hint_ms
    }

    fn reading(&self) -> crate::Profile {
        self.reading
    }

    fn check_available(&self) -> Result<(), String> {
        if let Some(probe) = &self.probe {
            let result = run_in_scratch(&probe.argv, Duration::from_secs(10));
            if !matches!(result, Ok(Finished::Exited { success: true, .. })) {
                return Err(probe.missing.clone());
            }
        }
        // A program that is not there fails every scenario the same way: say so once.
        let templates = std::iter::once(&self.template)
            .chain(self.method_templates.iter().map(|(_, t)| t))
            .chain(&self.twice_template);
        for t in templates {
            let program = t.program();
            // `{script_dir}/…` exists only once prepared; anything else is checked now.
            if !program.contains('{') && !program_exists(program) {
                return Err(format!("program {program:?} not found"));
            }
        }
        self.prepare().map(|_| ())
    }

    fn execute(&self, request: &ClientRequest) -> ClientOutcome {
        if let Some(driver) = self.driver() {
            return self.execute_driven(driver, request, 1);
        }
        self.execute_with(request, self.template_for(request.method.as_str()))
    }

    fn repro_commands(
        &self,
        request: &ClientRequest,
        dir: &Path,
    ) -> std::io::Result<Option<Vec<Vec<String>>>> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(
            dir.join("body"),
            request.body.as_deref().unwrap_or_default(),
        )?;
        let lines: String = request
            .headers
            .iter()
            .map(|(n, v)| format!("{n}: {v}\n"))
            .collect();
        std::fs::write(dir.join("headers.txt"), lines)?;
        let json = serde_json::to_string(&request.headers).unwrap_or_else(|_| "[]".to_owned());
        std::fs::write(dir.join("headers.json"), json)?;
        let ctx = Expansion {
            method: request.method.as_str(),
            url: &request.url,
            body_file: Path::new("body"),
            has_body: request.body.is_some(),
            headers: &request.headers,
            headers_file: Path::new("headers.txt"),
            headers_json: Path::new("headers.json"),
            script_dir: Path::new("."),
        };
        let mut commands: Vec<Vec<String>> = self.setup.iter().cloned().collect();
        commands.push(self.template_for(request.method.as_str()).expand(&ctx));
        // Only the shipped scripts the commands name.
        for (file, text) in [
            ("fetch.js", FETCH_JS),
            ("client.py", CLIENT_PY),
            ("client.pl", CLIENT_PL),
            ("Fetch.java", FETCH_JAVA),
            ("fetch.go", super::go::FETCH_GO),
        ] {
            let named = commands.iter().flatten().any(|w| w.contains(file));
            if named {
                std::fs::write(dir.join(file), text)?;
            }
        }
        Ok(Some(commands))
    }

    fn repeats(&self) -> Result<(), String> {
        match self.twice_template {
            Some(_) => Ok(()),
            None => Err("no command that asks twice from one process".to_owned()),
        }
    }

    fn execute_twice(&self, request: &ClientRequest) -> ClientOutcome {
        if let Some(driver) = self.driver() {
            return self.execute_driven(driver, request, 2);
        }
        match &self.twice_template {
            Some(t) => self.execute_with(request, t),
            None => ClientOutcome::Failed {
                message: "no command that asks twice from one process".to_owned(),
            },
        }
    }
}

impl CommandClient {
    fn execute_driven(
        &self,
        driver: &Driver,
        request: &ClientRequest,
        count: u32,
    ) -> ClientOutcome {
        match self.prepare() {
            Ok(script_dir) => driver.execute(script_dir, request, count),
            Err(message) => ClientOutcome::Failed { message },
        }
    }

    fn execute_with(&self, request: &ClientRequest, template: &CommandTemplate) -> ClientOutcome {
        let script_dir = match self.prepare() {
            Ok(d) => d,
            Err(e) => return ClientOutcome::Failed { message: e },
        };
        let outcome =
            Scratch::new().and_then(|dir| self.run_in(&dir, script_dir, request, template));
        outcome.unwrap_or_else(|e| ClientOutcome::Failed {
            message: one_line(&format!("could not run {}: {e}", template.program())),
        })
    }
}

/// Names of the built-in command presets, in display order.
pub const PRESETS: &[&str] = &[
    "curl",
    "curl-x-put-d",
    "curl-json",
    "wget",
    "wget-body-data",
    "node-fetch",
    "python-urllib",
    "python-urllib3",
    "python-requests",
    "perl-lwp",
    "perl-http-tiny",
    "java-httpclient",
];

/// A curl preset: GET, HEAD (`-I`) and the twice-run (two URLs, one easy handle) are the same
/// for every curl preset; `post` and `put` are the arguments that send the body.
fn curl_preset(
    name: &str,
    post: &str,
    put: &str,
    description: &str,
) -> Result<CommandClient, LiveError> {
    const CURL: &str = "curl -sS -L --noproxy * -o /dev/null -w '%{http_code}\\n' [ -H {header} ]";
    CommandClient::new(name, &format!("{CURL} {{url}}"))?
        .with_method_template(
            "HEAD",
            "curl -sS -L -I --noproxy * -o /dev/null -w '%{http_code}\\n' [ -H {header} ] {url}",
        )?
        .with_method_template("POST", &format!("{CURL} {post} {{url}}"))?
        .with_method_template("PUT", &format!("{CURL} {put} {{url}}"))?
        // Two URLs on one command line: one easy handle, used for both, one after the other.
        .with_twice_template(
            "curl -sS -L --noproxy * -o /dev/null -o /dev/null -w '%{http_code}\\n' \
             [ -H {header} ] {url} {url}",
        )
        .map(|c| {
            c.with_probe(&["curl", "--version"], "curl is not installed")
                .with_description(description)
                .with_version(&["curl", "--version"])
        })
}

/// A built-in preset by name (see [`PRESETS`]).
///
/// # Errors
/// [`LiveError::UnknownClient`] for a name that is not a preset.
pub fn preset(name: &str) -> Result<CommandClient, LiveError> {
    let c = match name {
        // curl: -L follows; a body is sent the usual way (--data-binary makes a POST, -T a
        // PUT, -I a HEAD), never with -X, which would pin the method on every hop.
        "curl" => curl_preset(
            "curl",
            "--data-binary @{body_file}",
            "-T {body_file}",
            "curl -L (POST via --data-binary, PUT via -T)",
        )?,
        // curl as people often write it: `-X METHOD -d @file`. `-X` pins the method on every
        // hop; `-d` makes the body.
        "curl-x-put-d" => curl_preset(
            "curl-x-put-d",
            "-X POST -d @{body_file}",
            "-X PUT -d @{body_file}",
            "curl -L -X METHOD -d @file (as commonly written)",
        )?,
        // curl --json (7.82+): POST, or `-X PUT --json` for PUT.
        "curl-json" => curl_preset(
            "curl-json",
            "--json @{body_file}",
            "-X PUT --json @{body_file}",
            "curl -L --json @file (-X PUT --json for PUT)",
        )?,
        // wget with the body given inline, as commonly written.
        "wget-body-data" => CommandClient::new(
            "wget-body-data",
            "wget -q -O /dev/null --no-proxy --method={method} [ --header={header} ] {url}",
        )?
        .with_method_template(
            "POST",
            "wget -q -O /dev/null --no-proxy --method=POST [ --header={header} ] \
             '--body-data=redirspec=body&n=1' {url}",
        )?
        .with_method_template(
            "PUT",
            "wget -q -O /dev/null --no-proxy --method=PUT [ --header={header} ] \
             '--body-data=redirspec=body&n=1' {url}",
        )?
        .with_twice_template("wget -q -O /dev/null --no-proxy [ --header={header} ] {url} {url}")?
        .with_probe(&["wget", "--version"], "wget is not installed")
        .with_description("wget --method=M --body-data=… (as commonly written)")
        .with_version(&["wget", "--version"]),
        "wget" => CommandClient::new(
            "wget",
            "wget -q -O /dev/null --no-proxy --method={method} [ --header={header} ] \
             [ --body-file={body_file} ] {url}",
        )?
        // Two URLs on one command line: one process, one after the other.
        .with_twice_template("wget -q -O /dev/null --no-proxy [ --header={header} ] {url} {url}")?
        .with_probe(&["wget", "--version"], "wget is not installed")
        .with_description("wget --method (status not reported: exit code only)")
        .with_version(&["wget", "--version"]),
        "node-fetch" => CommandClient::new(
            "node-fetch",
            "node {script_dir}/fetch.js {method} {url} {body_file?} {headers_json}",
        )?
        .with_twice_template(
            "node {script_dir}/fetch.js {method} {url} {body_file?} {headers_json} 2",
        )?
        .with_probe(
            &[
                "node",
                "-e",
                "if (typeof fetch !== 'function') process.exit(1)",
            ],
            "node with a global fetch (18+) is not installed",
        )
        .with_driver(&["node", "{script_dir}/fetch.js", "--serve"])
        // undici implements the Fetch standard: judged under the Fetch profile.
        .with_reading(crate::Profile::Fetch)
        .with_description("node global fetch (undici), redirect: follow")
        .with_cost_hint_ms(300)
        .with_version(&[
            "node",
            "-p",
            "'node ' + process.version + ', undici ' + process.versions.undici",
        ]),
        "python-urllib" => python_preset("python-urllib", "urllib", "urllib.request")?,
        "python-urllib3" => python_preset("python-urllib3", "urllib3", "urllib3")?,
        "python-requests" => python_preset("python-requests", "requests", "requests")?,
        "perl-lwp" => perl_preset("perl-lwp", "lwp", "LWP::UserAgent", "LWP")?,
        "perl-http-tiny" => perl_preset("perl-http-tiny", "tiny", "HTTP::Tiny", "HTTP::Tiny")?,
        // Compiled once (javac), then run per scenario: a source-file launch costs a second.
        "java-httpclient" => CommandClient::new(
            "java-httpclient",
            "java -cp {script_dir} Fetch {method} {url} {body_file?} {headers_file}",
        )?
        .with_twice_template(
            "java -cp {script_dir} Fetch {method} {url} {body_file?} {headers_file} 2",
        )?
        .with_probe(
            &["javac", "-version"],
            "a JDK (javac, java 11+) is not installed",
        )
        // A short-lived JVM starts faster with the client compiler only and the serial
        // collector (about 1.3 CPU-seconds less per run here); neither changes what the
        // program does, only how its bytecode is compiled and its memory collected.
        .with_setup(&[
            "javac",
            "-J-XX:TieredStopAtLevel=1",
            "-J-XX:+UseSerialGC",
            "-d",
            ".",
            "Fetch.java",
        ])
        .with_driver(&[
            "java",
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-cp",
            "{script_dir}",
            "Fetch",
            "--serve",
        ])
        .with_description("java.net.http.HttpClient, followRedirects(NORMAL)")
        .with_cost_hint_ms(1000)
        .with_version(&["java", "-version"]),
        other => return Err(LiveError::UnknownClient(other.to_owned())),
    };
    Ok(c)
}

fn perl_preset(
    name: &str,
    flavour: &str,
    module: &str,
    version_of: &str,
) -> Result<CommandClient, LiveError> {
    Ok(CommandClient::new(
        name,
        &format!(
            "perl {{script_dir}}/client.pl {flavour} {{method}} {{url}} {{body_file?}} \
             {{headers_file}}"
        ),
    )?
    .with_twice_template(&format!(
        "perl {{script_dir}}/client.pl {flavour} {{method}} {{url}} {{body_file?}} \
         {{headers_file}} 2"
    ))?
    .with_probe(
        &["perl", &format!("-M{module}"), "-e", "1"],
        &format!("perl with {module} is not installed"),
    )
    .with_driver(&["perl", "{script_dir}/client.pl", flavour, "--serve"])
    .with_description(&format!("perl {module}, default redirect handling"))
    .with_version(&[
        "perl",
        &format!("-M{module}"),
        "-e",
        &format!("print \"perl $^V, {module} ${version_of}::VERSION\\n\""),
    ]))
}

fn python_preset(name: &str, flavour: &str, module: &str) -> Result<CommandClient, LiveError> {
    let import = format!("import {module}");
    Ok(CommandClient::new(
        name,
        &format!(
            "python3 {{script_dir}}/client.py {flavour} {{method}} {{url}} {{body_file?}} \
             {{headers_json}}"
        ),
    )?
    .with_twice_template(&format!(
        "python3 {{script_dir}}/client.py {flavour} {{method}} {{url}} {{body_file?}} \
         {{headers_json}} 2"
    ))?
    .with_probe(
        &["python3", "-c", &import],
        &format!("python3 with {flavour} is not installed"),
    )
    .with_driver(&["python3", "{script_dir}/client.py", flavour, "--serve"])
    .with_description(&format!("python3 {flavour}, default redirect handling"))
    .with_cost_hint_ms(250)
    .with_version(&[
        "python3",
        "-c",
        &format!(
            "import sys, {module}; print('python', sys.version.split()[0], '{module}', \
             getattr({module}, '__version__', ''))"
        ),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_parses() {
        for p in PRESETS {
            let c = preset(p).unwrap();
            assert_eq!(c.name(), *p);
            if p.starts_with("wget-") {
                // The inline body is the suite's body.
                assert_eq!(
                    crate::live::scenario::REQUEST_BODY,
                    b"redirspec=body&n=1",
                    "{p}"
                );
            }
            assert_eq!(c.repeats(), Ok(()), "{p}");
        }
        let plain = CommandClient::new("x", "x {url}").unwrap();
        assert!(plain.repeats().is_err());
    }
}
