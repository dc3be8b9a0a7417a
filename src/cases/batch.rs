//! `redirspec decide --batch` as a library: one JSON case per line in, one
//! JSON result per line out, at the speed of the model.
//!
//! [`Batch`] keeps one [`RedirectMachine`] per profile and restarts it for
//! each case ([`RedirectMachine::reset`]), reads a case's strings where
//! they lie in the line (no copy), and writes the result straight from the
//! step. That is a shortcut, not a second definition: whatever it does not
//! take as it is (a string with an escape, a memory case, a case with an
//! error, an unknown field) goes to [`decide`] on a [`Case`] unchanged, and
//! the result of the shortcut is the JSON of [`decision_of`](super::decision_of) for the same
//! step (`cli/tests/cli_decide.rs` compares the two line by line).

use std::fmt::Display;
use std::io::{self, BufRead, Write};

use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use serde::{Deserialize, Serialize, Serializer};

use super::case::{decide, Case, Decision};
use super::lines::BoundedLines;
use crate::model::{Body, Profile, RedirectMachine, Step};

/// A case whose strings are all borrowed from its line (any escape makes
/// the line fail here and go to [`Case`]).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseRef<'a> {
    profile: &'a str,
    method: &'a str,
    url: &'a str,
    status: u16,
    #[serde(default, borrow)]
    location: Vec<&'a str>,
    #[serde(default, borrow)]
    headers: Vec<(&'a str, &'a str)>,
    #[serde(default = "no_body")]
    body: &'a str,
    #[serde(default)]
    hops: u32,
}

fn no_body() -> &'static str {
    "none"
}

/// A value written with its `Display` (no `String` in between).
struct Shown<'a, T>(&'a T);

impl<T: Display> Serialize for Shown<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self.0)
    }
}

/// Decides cases, one machine per profile restarted for each.
#[derive(Debug, Default)]
pub struct Batch {
    machines: [Option<RedirectMachine>; 3],
}

impl Batch {
    /// A batch with no machine yet (one is made per profile on first use).
    pub fn new() -> Self {
        Batch::default()
    }

    /// Decides one case line (JSON) and writes its result (one JSON object,
    /// without a line end): what `serde_json::to_writer(out, &decide(&case))`
    /// writes for the [`Case`] of the line, or an `error` result for a line
    /// that is not a case.
    ///
    /// # Errors
    /// Only those of `out`.
    pub fn decide_line<W: Write>(&mut self, line: &str, out: &mut W) -> io::Result<()> {
        if let Ok(case) = serde_json::from_str::<CaseRef<'_>>(line) {
            if let Some(written) = self.decide_borrowed(&case, out) {
                return written;
            }
        }
        let decision = match serde_json::from_str::<Case>(line) {
            Ok(case) => decide(&case),
            Err(e) => Decision::Error {
                detail: format!("bad case: {e}"),
            },
        };
        serde_json::to_writer(out, &decision).map_err(io::Error::from)
    }

    /// The shortcut: `None` (nothing written) for any case it leaves to
    /// [`decide`].
    fn decide_borrowed<W: Write>(
        &mut self,
        case: &CaseRef<'_>,
        out: &mut W,
    ) -> Option<io::Result<()>> {
        let profile: Profile = case.profile.parse().ok()?;
        let method = Method::from_bytes(case.method.as_bytes()).ok()?;
        let status = StatusCode::from_u16(case.status).ok()?;
        let mut headers = HeaderMap::new();
        for (name, value) in &case.headers {
            let name = HeaderName::from_bytes(name.as_bytes()).ok()?;
            let value = HeaderValue::from_str(value).ok()?;
            headers.append(name, value);
        }
        let body: Body = case.body.parse().ok()?;
        let slot = &mut self.machines[Profile::ALL.iter().position(|p| *p == profile)?];
        let machine = match slot {
            Some(m) => {
                m.reset(method, case.url, headers, body).ok()?;
                m
            }
            None => slot.insert(
                RedirectMachine::new(method, case.url, headers, body, profile.policy()).ok()?,
            ),
        };
        machine.set_redirect_count(case.hops);
        let step = match case.location.as_slice() {
            [] => machine.step_raw(status, &[]),
            [one] => machine.step_raw(status, &[one.as_bytes()]),
            many => {
                let lines: Vec<&[u8]> = many.iter().map(|l| l.as_bytes()).collect();
                machine.step_raw(status, &lines)
            }
        };
        Some(write_step(&step, out))
    }
}

/// The JSON of [`decision_of`](super::case::decision_of) for `step`, as
/// `serde_json` writes it (fields in the same order, strings escaped the
/// same way), written from the step without a [`Decision`] in between.
fn write_step<W: Write>(step: &Step<'_>, out: &mut W) -> io::Result<()> {
    match step {
        Step::Follow(hop) => {
            out.write_all(br#"{"action":"follow","method":"#)?;
            json_str(out, hop.method().as_str())?;
            out.write_all(br#","url":"#)?;
            json_str(out, hop.url())?;
            out.write_all(br#","body":"#)?;
            json_str(out, hop.body_action().as_str())?;
            out.write_all(br#","removed_headers":["#)?;
            let removed = hop.removed();
            let mut names: Vec<&str> = Vec::new();
            if removed.len() > 1 {
                names.extend(removed.iter().map(|r| r.name.as_str()));
                names.sort_unstable();
            } else {
                names.extend(removed.first().map(|r| r.name.as_str()));
            }
            for (i, name) in names.iter().enumerate() {
                if i > 0 {
                    out.write_all(b",")?;
                }
                json_str(out, name)?;
            }
            out.write_all(b"]}")
        }
        Step::Deliver(reason) => {
            out.write_all(br#"{"action":"deliver","reason":"#)?;
            json_str(out, reason.as_str())?;
            out.write_all(b"}")
        }
        Step::Refuse(refusal) => {
            out.write_all(br#"{"action":"refuse","reason":"#)?;
            json_str(out, refusal.reason())?;
            out.write_all(br#","detail":"#)?;
            serde_json::to_writer(&mut *out, &Shown(refusal)).map_err(io::Error::from)?;
            out.write_all(b"}")
        }
        // Never for a case (one machine each); as `decision_of` writes it.
        Step::Finished => {
            out.write_all(br#"{"action":"refuse","reason":"finished","detail":"#)?;
            json_str(out, crate::model::FINISHED_DETAIL)?;
            out.write_all(b"}")
        }
    }
}

/// A JSON string: as it is between quotes when nothing in it needs an
/// escape (no `"`, backslash or control byte below 0x20, the only bytes JSON
/// requires escaped), else through `serde_json`.
fn json_str<W: Write>(out: &mut W, s: &str) -> io::Result<()> {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.write_all(b"\"")?;
        out.write_all(s.as_bytes())?;
        out.write_all(b"\"")
    } else {
        serde_json::to_writer(out, s).map_err(io::Error::from)
    }
}

/// Runs `decide --batch` from `input` to `output`: one result line per
/// input line (lines longer than `max_line` bytes, or not UTF-8, get an
/// `error` result). Answers the number of lines.
///
/// # Errors
/// A read error of `input` or a write error of `output`.
pub fn run_batch<R: BufRead, W: Write>(
    input: R,
    mut output: W,
    max_line: usize,
) -> io::Result<u64> {
    let mut batch = Batch::new();
    let mut n = 0;
    let mut lines = BoundedLines::new(input, max_line);
    while let Some(line) = lines.next_line() {
        match line? {
            Ok(text) => batch.decide_line(text, &mut output)?,
            Err(e) => serde_json::to_writer(
                &mut output,
                &Decision::Error {
                    detail: e.to_string(),
                },
            )
            .map_err(io::Error::from)?,
        }
        output.write_all(b"\n")?;
        n += 1;
    }
    output.flush()?;
    Ok(n)
}
