//! The "second request" group: one client process asks for the same URL twice in a row, and
//! the second time it may go straight to a remembered redirect target, or must ask the
//! original URL again.
//!
//! RFC 9110 §15.4.3 and §15.4.8 (302, 307): "Since the redirection might be altered on
//! occasion, the client ought to continue to use the target URI for future requests."
//! A 301 or 308 is heuristically cacheable (§15.1), a 302 or 307 only with explicit freshness
//! (RFC 9111 §3, §4.2.1). Each [`RepeatScenario`] scripts caching fields on its redirects; the
//! server answers by path ([`Scenario::routes`]) and records when it answered what. The model
//! ([`RedirectMemory`](crate::memory::RedirectMemory), a private cache, see
//! `recall`) is fed those very exchanges at those times and asked, before
//! each request, where the request may go, so the verdict and the model cannot drift apart.
//!
//! Every final `200` is sent with `Cache-Control: no-store`, so that each round reaches the
//! server at least once and the rounds can be told apart.
//!
//! Verdicts ([`RepeatVerdict`]): `recalled` (went straight to a remembered target the model
//! allows), `asked-again` (asked the original URL again: always conformant, since caching is a
//! MAY), `reused@N` (request `N` went to a target the model says must not be used: stale,
//! `no-store`, a 302 or 307 without freshness, `no-cache` without validation), `incomplete`.
//! Each verdict names its rule ([`RepeatVerdict::rule`], from [`rules`]): the RFC 9111
//! requirement a reuse breaks (MUST for a stale, unstorable or unvalidated redirect; MAY for
//! ignoring an advisory request directive), and RFC 9111's MAY of caching for `recalled` and
//! `asked-again`. Only a MUST or SHOULD is a failure ([`RepeatVerdict::fails`]).

use super::client::{ClientOutcome, ClientRequest, ClientUnderTest};
use super::compare::rule_json;
use super::matrix::LevelCounts;
use super::recall::{judge, model_expectation, JudgedRequest};
use super::scenario::{Origins, Scenario, ScriptedResponse};
use super::server::{RecordedRequest, ScriptedServer, ServerLimits};
use crate::check::rules::{self, Level, Rule, Topic};
use http::Method;
use serde::Serialize;
use std::time::{Duration, Instant};

/// The group's name, as shown in reports.
pub const GROUP: &str = "second-request";

/// How many times the client asks (two requests from one process).
pub const ROUNDS: usize = 2;

/// A scenario of the group, with the sentence of the spec it rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatScenario {
    /// The scenario (answered by path, group [`GROUP`]).
    pub scenario: Scenario,
    /// The spec sentence that decides the second request.
    pub rfc: &'static str,
}

fn final_ok() -> ScriptedResponse {
    ScriptedResponse::ok()
        .with_header("Date", "{now}")
        .with_header("Cache-Control", "no-store")
}

fn redirect(status: u16, to: &str, fields: &[(&str, &str)]) -> ScriptedResponse {
    fields.iter().fold(
        ScriptedResponse::redirect(status, to).with_header("Date", "{now}"),
        |r, (n, v)| r.with_header(n, v),
    )
}

fn repeat(
    name: &str,
    about: &str,
    rfc: &'static str,
    mut routes: Vec<(&str, ScriptedResponse)>,
) -> RepeatScenario {
    routes.push(("/s/final", final_ok()));
    RepeatScenario {
        scenario: Scenario {
            name: name.to_owned(),
            group: GROUP,
            about: about.to_owned(),
            method: Method::GET,
            start: "{A}/s/start".to_owned(),
            with_body: false,
            responses: Vec::new(),
            repeat_last: false,
            routes: routes.into_iter().map(|(p, r)| (p.to_owned(), r)).collect(),
            extra_headers: Vec::new(),
        },
        rfc,
    }
}

/// The group, in a stable order.
pub fn scenarios() -> Vec<RepeatScenario> {
    let to_final =
        |status, fields: &[(&str, &str)]| vec![("/s/start", redirect(status, "/s/final", fields))];
    vec![
        repeat(
            "301-heuristic",
            "301 without freshness information: heuristically fresh",
            "RFC 9110 §15.1: status codes defined as heuristically cacheable (e.g., 200, 203, 204, \
             206, 300, 301, 308, ...) can be reused by a cache with heuristic expiration",
            to_final(301, &[]),
        ),
        repeat(
            "308-max-age",
            "308 with Cache-Control: max-age=3600",
            "RFC 9111 §4.2.1: if the max-age response directive is present, use its value",
            to_final(308, &[("Cache-Control", "max-age=3600")]),
        ),
        repeat(
            "308-vary",
            "308 with max-age=3600 and Vary: Accept-Language, asked with the same fields",
            "RFC 9111 §4.1: a stored response with Vary is used only if the nominated request \
             fields match those of the original request",
            to_final(
                308,
                &[
                    ("Cache-Control", "max-age=3600"),
                    ("Vary", "Accept-Language"),
                ],
            ),
        ),
        repeat(
            "308-vary-star",
            "308 with max-age=3600 and Vary: *: never matches",
            "RFC 9111 §4.1: a stored response with a Vary header field value containing a member \
             \"*\" always fails to match",
            to_final(
                308,
                &[("Cache-Control", "max-age=3600"), ("Vary", "*")],
            ),
        ),
        repeat(
            "301-max-age-0",
            "301 with Cache-Control: max-age=0: stored, stale at once",
            "RFC 9111 §4.2.1: max-age gives the freshness lifetime, here 0; §4.2.4: a cache MUST \
             NOT generate a stale response unless ... permitted",
            to_final(301, &[("Cache-Control", "max-age=0")]),
        ),
        repeat(
            "301-no-store",
            "301 with Cache-Control: no-store",
            "RFC 9111 §5.2.2.5: a cache MUST NOT store any part of either the immediate request \
             or the response",
            to_final(301, &[("Cache-Control", "no-store")]),
        ),
        repeat(
            "302-plain",
            "302 without freshness information",
            "RFC 9110 §15.4.3: since the redirection might be altered on occasion, the client \
             ought to continue to use the target URI for future requests",
            to_final(302, &[]),
        ),
        repeat(
            "302-last-modified",
            "302 with only Last-Modified (ten days ago): no heuristic for a 302",
            "RFC 9110 §15.1: all other status codes are not heuristically cacheable; RFC 9111 \
             §3: without explicit freshness, only a heuristically cacheable status is stored",
            to_final(302, &[("Last-Modified", "{now-864000}")]),
        ),
        repeat(
            "307-max-age",
            "307 with Cache-Control: max-age=600",
            "RFC 9111 §3: a response with a max-age directive may be stored, whatever its status",
            to_final(307, &[("Cache-Control", "max-age=600")]),
        ),
        repeat(
            "307-no-cache",
            "307 with Cache-Control: max-age=600, no-cache: stored, but must be validated",
            "RFC 9111 §5.2.2.4: no-cache: the response MUST NOT be used to satisfy any other \
             request without forwarding it for validation",
            to_final(307, &[("Cache-Control", "max-age=600, no-cache")]),
        ),
        repeat(
            "302-expires-past",
            "302 with Expires an hour before Date: stale on arrival",
            "RFC 9111 §4.2.1 (Expires minus Date) and §4.2.4: a cache MUST NOT generate a stale \
             response unless ... permitted",
            to_final(302, &[("Expires", "{now-3600}")]),
        ),
        repeat(
            "302-stale-age",
            "302 with Cache-Control: max-age=60 and Age: 120: stale on arrival",
            "RFC 9111 §4.2.3: current_age counts the Age field; §4.2: fresh only while \
             freshness_lifetime > current_age",
            to_final(302, &[("Cache-Control", "max-age=60"), ("Age", "120")]),
        ),
        repeat(
            "chain-first-fresh",
            "301 max-age=3600 to /s/mid, then 302 (no freshness) to /s/final: only the first hop \
             may be skipped",
            "RFC 9110 §15.4.3 for the 302, RFC 9111 §4.2.1 for the 301: a remembered chain \
             collapses only as far as its fresh hops go",
            vec![
                (
                    "/s/start",
                    redirect(301, "/s/mid", &[("Cache-Control", "max-age=3600")]),
                ),
                ("/s/mid", redirect(302, "/s/final", &[])),
            ],
        ),
    ]
}

/// The verdict on one client's repeated requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "kebab-case")]
pub enum RepeatVerdict {
    /// It went straight to remembered targets the model allows, skipping `hops` requests.
    Recalled {
        /// Remembered hops skipped, in all rounds.
        hops: usize,
    },
    /// It asked every URL on the network again (conformant: caching is a MAY).
    AskedAgain,
    /// A request went where the model says it must not.
    Reused {
        /// Index of the request among the scenario's requests (0 = the first).
        request: usize,
        /// The URL it was for (start URL or Location target).
        intended: String,
        /// Where it went.
        sent: String,
        /// Why the model stopped at `intended` (`stale`, `not-remembered`, ...).
        stop: String,
    },
    /// Fewer rounds reached the server than the client was asked for.
    Incomplete {
        /// What was seen.
        detail: String,
    },
}

impl RepeatVerdict {
    /// Whether it conforms (`recalled` or `asked-again`).
    pub fn conforms(&self) -> bool {
        matches!(
            self,
            RepeatVerdict::Recalled { .. } | RepeatVerdict::AskedAgain
        )
    }

    /// The short key of expectation files: `recalled`, `asked-again`, `reused@N`,
    /// `incomplete`.
    pub fn key(&self) -> String {
        match self {
            RepeatVerdict::Recalled { .. } => "recalled".to_owned(),
            RepeatVerdict::AskedAgain => "asked-again".to_owned(),
            RepeatVerdict::Reused { request, .. } => format!("reused@{request}"),
            RepeatVerdict::Incomplete { .. } => "incomplete".to_owned(),
        }
    }

    /// The rule behind the verdict. For `reused@N`, the RFC 9111 requirement the reuse breaks,
    /// read from why the model's recall stopped (`stale` → RFC 9111 §4.2.4, `not-remembered` →
    /// §3, …); for `incomplete`, the final answer's `no-store` (§5.2.2.5); for `recalled` and
    /// `asked-again`, the MAY of caching (§1, §4.2): both are choices the spec leaves open.
    /// RFC 9111 is the same under every profile.
    pub fn rule(&self) -> &'static Rule {
        let topic = match self {
            RepeatVerdict::Recalled { .. } | RepeatVerdict::AskedAgain => Topic::MemoryChoice,
            RepeatVerdict::Reused { stop, .. } => rules::recall_stop_topic(stop),
            RepeatVerdict::Incomplete { .. } => Topic::MemoryRoundMissing,
        };
        rules::rule(None, topic)
    }

    /// Whether the client departs from a MUST or SHOULD (or a security rule): a reuse the
    /// model forbids at that level, or a missing round. A MAY choice is never a failure.
    pub fn fails(&self) -> bool {
        let r = self.rule();
        !self.conforms() && (r.security || r.level != Level::May)
    }

    /// `MUST`, `SHOULD security`, … of [`rule`](Self::rule) when the verdict departs from it;
    /// `-` when it conforms.
    pub fn grade(&self) -> String {
        if self.conforms() {
            "-".to_owned()
        } else {
            self.rule().grade()
        }
    }

    /// One line for humans.
    pub fn summary(&self) -> String {
        match self {
            RepeatVerdict::Recalled { hops } => {
                format!("recalled: went straight to a remembered target (hops skipped: {hops})")
            }
            RepeatVerdict::AskedAgain => "asked again: does not reuse this redirect".to_owned(),
            RepeatVerdict::Reused {
                request,
                intended,
                sent,
                stop,
            } => format!(
                "reused@{request}: went to {sent} instead of asking {intended} (model: {stop})"
            ),
            RepeatVerdict::Incomplete { detail } => format!("incomplete: {detail}"),
        }
    }
}

/// Reads a [`Judgement`](super::recall::Judgement) and the client's outcome as a verdict.
pub(crate) fn verdict(requests: &[JudgedRequest], rounds_done: usize) -> RepeatVerdict {
    let mut hops = 0;
    for (i, r) in requests.iter().enumerate() {
        match r.skipped() {
            Some(n) => hops += n,
            None => {
                return RepeatVerdict::Reused {
                    request: i,
                    intended: r.intended.clone(),
                    sent: r.sent.clone(),
                    stop: r.stop.to_owned(),
                }
            }
        }
    }
    if rounds_done < ROUNDS {
        return RepeatVerdict::Incomplete {
            detail: format!(
                "{rounds_done} of {ROUNDS} rounds reached the server ({} requests)",
                requests.len()
            ),
        };
    }
    if hops > 0 {
        RepeatVerdict::Recalled { hops }
    } else {
        RepeatVerdict::AskedAgain
    }
}

/// One scenario of the group for one client.
#[derive(Debug, Clone, Serialize)]
pub struct RepeatReport {
    /// Scenario name.
    pub name: String,
    /// What it checks.
    pub about: String,
    /// The spec sentence.
    pub rfc: String,
    /// Whether the model lets a client skip the start URL the second time (computed from the
    /// scripted responses, before the run).
    pub model_may_recall: bool,
    /// The start URL used.
    pub start_url: String,
    /// What the client's caller saw (of the second round).
    pub outcome: ClientOutcome,
    /// The model's word on the first request of round 2, as run.
    pub model: Option<String>,
    /// Each request to the scenario's paths, judged.
    pub requests: Vec<JudgedRequest>,
    /// Every request as it arrived (raw header fields, time, what was sent back).
    pub recorded: Vec<RecordedRequest>,
    /// The verdict.
    pub verdict: RepeatVerdict,
    /// The rule the verdict rests on ([`RepeatVerdict::rule`]), as `{id, level, security,
    /// section}`.
    #[serde(serialize_with = "rule_json")]
    pub rule: &'static Rule,
    /// A harness failure instead of a verdict.
    pub harness_error: Option<String>,
    /// Wall time, milliseconds.
    pub elapsed_ms: u64,
}

impl RepeatReport {
    /// Whether it conforms (and the harness did not fail).
    pub fn conforms(&self) -> bool {
        self.harness_error.is_none() && self.verdict.conforms()
    }

    /// Whether it fails ([`RepeatVerdict::fails`]; a harness failure is no verdict, so it is
    /// not a failure of the client).
    pub fn fails(&self) -> bool {
        self.harness_error.is_none() && self.verdict.fails()
    }

    /// One line: the verdict's summary, then its grade and rule when it departs
    /// (`reused@2: … [MUST] (RFC 9111 §3: rfc9111-store)`), or the harness error.
    pub fn line(&self) -> String {
        match &self.harness_error {
            Some(e) => format!("harness error: {e}"),
            None if self.verdict.conforms() => self.verdict.summary(),
            None => format!(
                "[{}] {} ({}: {})",
                self.verdict.grade(),
                self.verdict.summary(),
                self.rule.section,
                self.rule.id
            ),
        }
    }
}

/// Whether the model lets a client skip the start URL the second time, had every response
/// been sent as scripted at one time ([`model_expectation`]).
pub(crate) fn model_may_recall(repeat: &RepeatScenario) -> bool {
    let origins = Origins {
        a_port: 1,
        b_port: 2,
    };
    !model_expectation(&repeat.scenario, origins).hops.is_empty()
}

/// Runs one scenario of the group: the client asks for its start URL twice, from one process.
pub fn run_repeat(
    client: &dyn ClientUnderTest,
    repeat: &RepeatScenario,
    timeout: Duration,
    limits: ServerLimits,
) -> RepeatReport {
    let started = Instant::now();
    let scenario = &repeat.scenario;
    let mut report = RepeatReport {
        name: scenario.name.clone(),
        about: scenario.about.clone(),
        rfc: repeat.rfc.to_owned(),
        model_may_recall: model_may_recall(repeat),
        start_url: String::new(),
        outcome: ClientOutcome::Failed {
            message: "not run".to_owned(),
        },
        model: None,
        requests: Vec::new(),
        recorded: Vec::new(),
        verdict: RepeatVerdict::Incomplete {
            detail: "not run".to_owned(),
        },
        rule: rules::rule(None, Topic::MemoryRoundMissing),
        harness_error: None,
        elapsed_ms: 0,
    };
    let server = match ScriptedServer::start_for_client(scenario, limits, timeout) {
        Ok(s) => s,
        Err(e) => {
            report.harness_error = Some(e.to_string());
            return report;
        }
    };
    let origins = server.origins();
    report.start_url = origins.expand(&scenario.start);
    let request = ClientRequest {
        method: Method::GET,
        url: report.start_url.clone(),
        headers: Vec::new(),
        body: None,
        timeout,
    };
    report.outcome = client.execute_twice(&request);
    let trace = server.finish();
    let judgement = judge(scenario, origins, &trace.requests);
    report.verdict = verdict(&judgement.requests, judgement.rounds_done);
    report.rule = report.verdict.rule();
    report.model = judgement.second_request;
    report.requests = judgement.requests;
    report.recorded = trace.requests;
    report.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    report
}

/// The group's results for one client.
#[derive(Debug, Clone, Serialize)]
pub struct RepeatGroup {
    /// Why the group was not run for this client ("not applicable"), when it was not.
    pub not_applicable: Option<String>,
    /// Per scenario.
    pub scenarios: Vec<RepeatReport>,
    /// Whether the client caches redirects, as seen: `yes`, `no`, `partly`, or `-`.
    pub caches: String,
}

impl RepeatGroup {
    /// The group for a client that cannot run it.
    pub(crate) fn not_applicable(note: &str) -> Self {
        RepeatGroup {
            not_applicable: Some(note.to_owned()),
            scenarios: Vec::new(),
            caches: "-".to_owned(),
        }
    }

    /// Runs `scenarios` for `client` (or records why it cannot).
    pub fn run(
        client: &dyn ClientUnderTest,
        scenarios: &[RepeatScenario],
        timeout: Duration,
        limits: ServerLimits,
        done: &mut dyn FnMut(&str),
    ) -> Self {
        if let Err(note) = client.repeats() {
            return RepeatGroup::not_applicable(&note);
        }
        let mut reports = Vec::new();
        for s in scenarios {
            reports.push(run_repeat(client, s, timeout, limits));
            done(&s.scenario.name);
        }
        RepeatGroup {
            caches: caches(&reports),
            not_applicable: None,
            scenarios: reports,
        }
    }

    /// Conforming / run.
    pub fn counts(&self) -> (usize, usize) {
        let pass = self.scenarios.iter().filter(|s| s.conforms()).count();
        (pass, self.scenarios.len())
    }

    /// The group's departures by the level of the rule each breaks ([`RepeatVerdict::rule`]),
    /// `profile` being [`GROUP`]: RFC 9111 is the same under every profile.
    pub fn levels(&self) -> LevelCounts {
        let mut c = LevelCounts {
            profile: GROUP,
            total: self.scenarios.len(),
            ..LevelCounts::default()
        };
        for s in &self.scenarios {
            if s.harness_error.is_some() {
                c.harness += 1;
            } else if s.verdict.conforms() {
                c.conforms += 1;
            } else {
                let r = s.verdict.rule();
                c.count(r.level, r.security);
            }
        }
        c
    }
}

/// Whether the client caches redirects, as seen: `yes` when it skipped requests in every
/// scenario where the model lets it, `no` when it never skipped a request, `partly` in
/// between; a reuse the model forbids counts as remembering (it is reported as a divergence
/// on its own). `-` when no scenario completed.
pub(crate) fn caches(reports: &[RepeatReport]) -> String {
    let completed: Vec<&RepeatReport> = reports
        .iter()
        .filter(|r| r.harness_error.is_none())
        .filter(|r| !matches!(r.verdict, RepeatVerdict::Incomplete { .. }))
        .collect();
    let remembers = |r: &&RepeatReport| {
        matches!(
            r.verdict,
            RepeatVerdict::Recalled { .. } | RepeatVerdict::Reused { .. }
        )
    };
    let allowed: Vec<&&RepeatReport> = completed.iter().filter(|r| r.model_may_recall).collect();
    let recalled = allowed.iter().filter(|r| remembers(r)).count();
    if completed.is_empty() {
        "-".to_owned()
    } else if !completed.iter().any(remembers) {
        "no".to_owned()
    } else if !allowed.is_empty() && recalled == allowed.len() {
        "yes".to_owned()
    } else {
        "partly".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::recall::model_expectation;

    fn origins() -> Origins {
        Origins {
            a_port: 1000,
            b_port: 2000,
        }
    }

    /// The model's word on each scenario, from `RedirectMemory` itself.
    #[test]
    fn the_model_decides_each_scenario() {
        let o = origins();
        let mut said = Vec::new();
        for s in scenarios() {
            let r = model_expectation(&s.scenario, o);
            let hops: Vec<String> = r.hops.iter().map(|h| h.to.clone()).collect();
            said.push(format!(
                "{} {} {}",
                s.scenario.name,
                r.stop.as_str(),
                hops.join(",")
            ));
        }
        assert_eq!(
            said,
            [
                "301-heuristic not-remembered http://127.0.0.1:1000/s/final",
                "308-max-age not-remembered http://127.0.0.1:1000/s/final",
                "308-vary not-remembered http://127.0.0.1:1000/s/final",
                "308-vary-star not-remembered ",
                "301-max-age-0 stale ",
                "301-no-store not-remembered ",
                "302-plain not-remembered ",
                "302-last-modified not-remembered ",
                "307-max-age not-remembered http://127.0.0.1:1000/s/final",
                "307-no-cache must-validate ",
                "302-expires-past stale ",
                "302-stale-age stale ",
                "chain-first-fresh not-remembered http://127.0.0.1:1000/s/mid",
            ]
        );
    }

    #[test]
    fn names_are_unique_and_routes_end_in_no_store() {
        let all = scenarios();
        for (i, s) in all.iter().enumerate() {
            assert!(all[..i].iter().all(|t| t.scenario.name != s.scenario.name));
            assert_eq!(s.scenario.group, GROUP);
            let last = s.scenario.routes.last().map(|(_, r)| r.headers.clone());
            assert!(last.is_some_and(|h| h.contains(&("Cache-Control".into(), "no-store".into()))));
        }
    }

    fn judged(intended: &str, sent: &str, allowed: &[&str]) -> JudgedRequest {
        JudgedRequest {
            round: 1,
            intended: intended.to_owned(),
            sent: sent.to_owned(),
            allowed: allowed.iter().map(|s| (*s).to_owned()).collect(),
            stop: "not-remembered",
            answered: 200,
        }
    }

    fn report(may: bool, verdict: RepeatVerdict) -> RepeatReport {
        RepeatReport {
            name: "t".into(),
            about: String::new(),
            rfc: String::new(),
            model_may_recall: may,
            start_url: String::new(),
            outcome: ClientOutcome::Delivered { status: Some(200) },
            model: None,
            requests: Vec::new(),
            recorded: Vec::new(),
            rule: verdict.rule(),
            verdict,
            harness_error: None,
            elapsed_ms: 0,
        }
    }

    #[test]
    fn each_verdict_names_its_rule_and_only_must_fails() {
        let reused = |stop: &str| RepeatVerdict::Reused {
            request: 2,
            intended: "a".into(),
            sent: "b".into(),
            stop: stop.into(),
        };
        let cases = [
            (
                RepeatVerdict::Recalled { hops: 1 },
                "rfc9111-optional",
                false,
            ),
            (RepeatVerdict::AskedAgain, "rfc9111-optional", false),
            (reused("not-remembered"), "rfc9111-store", true),
            (reused("stale"), "rfc9111-stale", true),
            (reused("must-validate"), "rfc9111-no-cache", true),
            (reused("vary-mismatch"), "rfc9111-vary", true),
            (
                reused("request-bypass"),
                "rfc9111-request-directives",
                false,
            ),
            (reused("hop-limit"), "rfc9111-no-hop-limit", false),
            (
                RepeatVerdict::Incomplete { detail: "x".into() },
                "rfc9111-round",
                true,
            ),
        ];
        for (v, id, fails) in cases {
            assert_eq!(v.rule().id, id, "{v:?}");
            assert_eq!(v.fails(), fails, "{v:?}");
            assert_eq!(v.grade() == "MUST", fails, "{v:?}");
        }
        let group = RepeatGroup {
            not_applicable: None,
            scenarios: vec![
                report(true, RepeatVerdict::AskedAgain),
                report(false, reused("stale")),
                report(false, reused("request-bypass")),
            ],
            caches: "partly".into(),
        };
        let l = group.levels();
        assert_eq!(
            (l.must, l.should, l.may, l.conforms, l.total),
            (1, 0, 1, 1, 3)
        );
        let line = group.scenarios[1].line();
        assert!(line.starts_with("[MUST] reused@2"), "{line}");
        assert!(line.ends_with("(RFC 9111 §4.2.4: rfc9111-stale)"), "{line}");
    }

    #[test]
    fn caching_note() {
        let recalled = RepeatVerdict::Recalled { hops: 1 };
        let asked = RepeatVerdict::AskedAgain;
        let reused = RepeatVerdict::Reused {
            request: 2,
            intended: "a".into(),
            sent: "b".into(),
            stop: "stale".into(),
        };
        let incomplete = RepeatVerdict::Incomplete { detail: "x".into() };
        let note = |rs: Vec<RepeatReport>| caches(&rs);
        assert_eq!(
            note(vec![
                report(true, recalled.clone()),
                report(false, asked.clone())
            ]),
            "yes"
        );
        assert_eq!(
            note(vec![
                report(true, asked.clone()),
                report(false, asked.clone())
            ]),
            "no"
        );
        assert_eq!(
            note(vec![report(true, recalled), report(true, asked.clone())]),
            "partly"
        );
        assert_eq!(
            note(vec![report(true, asked), report(false, reused)]),
            "partly"
        );
        assert_eq!(note(vec![report(true, incomplete)]), "-");
        assert_eq!(note(Vec::new()), "-");
    }

    #[test]
    fn verdicts_from_judged_requests() {
        let ask = judged("/a", "/a", &["/a"]);
        let skip = judged("/a", "/b", &["/a", "/b"]);
        let wrong = judged("/a", "/b", &["/a"]);
        assert_eq!(
            verdict(&[ask.clone(), ask.clone()], 2),
            RepeatVerdict::AskedAgain
        );
        assert_eq!(
            verdict(&[ask.clone(), skip.clone()], 2),
            RepeatVerdict::Recalled { hops: 1 }
        );
        assert_eq!(verdict(&[ask.clone(), wrong], 2).key(), "reused@1");
        assert_eq!(verdict(&[ask], 1).key(), "incomplete");
        assert!(!verdict(&[], 0).conforms());
    }
}
