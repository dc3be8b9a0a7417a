//! The model's side of the second-request group: [`RedirectMemory`] fed with the very
//! exchanges the scripted server answered, at the times it answered them, and asked, before
//! each request a client sent, where that request may go.
//!
//! With [`verdict`](super::verdict), the only file of `live` that speaks to the model. The
//! memory is a private cache ([`MemoryPolicy::new`]`(Profile::Fetch)`): a client used by one
//! user, as every client of the matrix is.

use super::scenario::{Origins, Scenario};
use super::server::RecordedRequest;
use crate::memory::{Exchange, MemoryPolicy, Recall, RedirectMemory};
use crate::{Body, Profile, RedirectMachine, Step};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use serde::Serialize;

/// What the model allowed for one request, and what the client did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JudgedRequest {
    /// Which round of asking it belongs to (1 = the first time the start URL was asked for).
    pub round: usize,
    /// The URL the request is for: the start URL, or the previous response's Location target.
    pub intended: String,
    /// Where the client sent it.
    pub sent: String,
    /// Where the model allows it to go: `intended`, then each remembered target on the way.
    pub allowed: Vec<String>,
    /// Why the model's recall stopped (`not-remembered`, `stale`, `must-validate`, ...).
    pub stop: &'static str,
    /// The status the server answered.
    pub answered: u16,
}

impl JudgedRequest {
    /// Remembered hops the client skipped (0: it asked `intended` itself); `None` when it went
    /// where the model does not allow.
    pub fn skipped(&self) -> Option<usize> {
        self.allowed.iter().position(|u| *u == self.sent)
    }
}

/// The model's reading of everything one client sent in a scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Judgement {
    /// The requests to the scenario's paths, in arrival order.
    pub requests: Vec<JudgedRequest>,
    /// Rounds that reached a non-redirect answer.
    pub rounds_done: usize,
    /// What the model said about the first request of round 2, in words.
    pub second_request: Option<String>,
}

fn header_map(fields: &[(String, String)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (n, v) in fields {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(n.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            map.append(n, v);
        }
    }
    map
}

/// `http://host:port/target`, the origin read from Host as the rest of `live` does.
fn absolute(r: &RecordedRequest, fallback_origin: &str) -> String {
    let origin = r.header("host").map_or_else(
        || fallback_origin.to_owned(),
        |h| format!("http://{}", h.trim().to_ascii_lowercase()),
    );
    format!("{origin}{}", r.target)
}

/// Where a response sends the client, as the model follows it; `None` when it does not.
fn next_url(url: &str, status: u16, headers: &HeaderMap, policy: &MemoryPolicy) -> Option<String> {
    let status = StatusCode::from_u16(status).ok()?;
    let mut machine = RedirectMachine::new(
        Method::GET,
        url,
        HeaderMap::new(),
        Body::None,
        policy.redirects.clone(),
    )
    .ok()?;
    match machine.step(status, headers) {
        Step::Follow(hop) => Some(hop.url().to_owned()),
        Step::Deliver(_) | Step::Refuse(_) | Step::Finished => None,
    }
}

fn in_words(recall: &Recall, intended: &str, origins: Origins) -> String {
    let short = |u: &str| {
        let a = origins.expand("{A}");
        u.strip_prefix(&a).unwrap_or(u).to_owned()
    };
    match recall.hops.last() {
        Some(last) => format!(
            "may go straight to {} ({} remembered hop{}; stops there: {})",
            short(&last.to),
            recall.hops.len(),
            if recall.hops.len() == 1 { "" } else { "s" },
            recall.stop.as_str()
        ),
        None => format!(
            "must ask {} again ({})",
            short(intended),
            recall.stop.as_str()
        ),
    }
}

/// The policy of the memory every client is judged against.
pub fn memory_policy() -> MemoryPolicy {
    MemoryPolicy::new(Profile::Fetch)
}

/// Judges the requests `recorded` for `scenario` served on `origins`: each request to one of
/// the scenario's paths is checked against the model's recall at its arrival time, then its
/// exchange is recorded into the model's memory.
pub fn judge(scenario: &Scenario, origins: Origins, recorded: &[RecordedRequest]) -> Judgement {
    let policy = memory_policy();
    let mut memory = RedirectMemory::new(policy.clone());
    let start = origins.expand(&scenario.start);
    let fallback = origins.expand("{A}");
    let mut intended = start.clone();
    let mut round = 1;
    let mut out = Judgement {
        requests: Vec::new(),
        rounds_done: 0,
        second_request: None,
    };
    let ours = recorded.iter().filter(|r| {
        let path = r.target.split('?').next().unwrap_or(&r.target);
        scenario.routes.iter().any(|(p, _)| p == path)
    });
    for r in ours {
        let sent = absolute(r, &fallback);
        let request_headers = header_map(&r.headers);
        let recall = memory.recall(r.time, &Method::GET, &intended, &request_headers);
        if round == 2 && out.second_request.is_none() {
            out.second_request = Some(in_words(&recall, &intended, origins));
        }
        let mut allowed = vec![intended.clone()];
        allowed.extend(recall.hops.iter().map(|h| h.to.clone()));
        out.requests.push(JudgedRequest {
            round,
            intended: intended.clone(),
            sent: sent.clone(),
            allowed,
            stop: recall.stop.as_str(),
            answered: r.answered,
        });
        let response_headers = header_map(&r.sent);
        let status = StatusCode::from_u16(r.answered).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        memory.record(&Exchange {
            time: r.time,
            method: &Method::GET,
            url: &sent,
            request_headers: &request_headers,
            status,
            response_headers: &response_headers,
        });
        match next_url(&sent, r.answered, &response_headers, &policy) {
            Some(next) => intended = next,
            None => {
                out.rounds_done += 1;
                round += 1;
                intended = start.clone();
            }
        }
    }
    out
}

/// What the model says about asking the start URL again one second after a first round in
/// which every route was answered as scripted (each redirect followed once, at one time):
/// the recall, with hop URLs on `origins`.
pub fn model_expectation(scenario: &Scenario, origins: Origins) -> Recall {
    const T: u64 = 1_700_000_000;
    let policy = memory_policy();
    let mut memory = RedirectMemory::new(policy.clone());
    let start = origins.expand(&scenario.start);
    let none = HeaderMap::new();
    let mut url = start.clone();
    for _ in 0..scenario.routes.len() {
        let path = url
            .split_once("://")
            .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
            .unwrap_or("/");
        let path = path.split('?').next().unwrap_or(path);
        let Some((_, response)) = scenario.routes.iter().find(|(p, _)| p == path) else {
            break;
        };
        let mut headers = HeaderMap::new();
        for l in &response.locations {
            if let Ok(v) = HeaderValue::from_str(&origins.expand(l)) {
                headers.append(http::header::LOCATION, v);
            }
        }
        for (n, v) in &response.headers {
            let value = super::scenario::expand_time(&origins.expand(v), T);
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(n.as_bytes()),
                HeaderValue::from_str(&value),
            ) {
                headers.append(n, v);
            }
        }
        let status = StatusCode::from_u16(response.status).unwrap_or(StatusCode::OK);
        memory.record(&Exchange {
            time: T,
            method: &Method::GET,
            url: &url,
            request_headers: &none,
            status,
            response_headers: &headers,
        });
        match next_url(&url, response.status, &headers, &policy) {
            Some(next) => url = next,
            None => break,
        }
    }
    memory.recall(T + 1, &Method::GET, &start, &none)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::scenario::ScriptedResponse;
    use crate::live::server::Listener;

    fn origins() -> Origins {
        Origins {
            a_port: 7000,
            b_port: 7001,
        }
    }

    fn scenario(first: ScriptedResponse) -> Scenario {
        Scenario {
            name: "t".into(),
            group: "t",
            about: String::new(),
            method: Method::GET,
            start: "{A}/s/start".into(),
            with_body: false,
            responses: Vec::new(),
            repeat_last: false,
            routes: vec![
                ("/s/start".into(), first),
                ("/s/final".into(), ScriptedResponse::ok()),
            ],
            extra_headers: Vec::new(),
        }
    }

    /// A request as the server records it: at `time`, `target` answered with `answered` and
    /// the fields `sent`.
    fn recorded(time: u64, target: &str, answered: u16, sent: &[(&str, &str)]) -> RecordedRequest {
        RecordedRequest {
            index: 0,
            listener: Listener::A,
            method: "GET".into(),
            target: target.into(),
            headers: vec![("Host".into(), "127.0.0.1:7000".into())],
            body: Vec::new(),
            answered,
            time,
            sent: sent
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    /// The client's second round went straight to /s/final at `second`; the 308 was sent at
    /// 1000 with `max-age=60`.
    fn second_round_at(second: u64) -> Judgement {
        let redirect = [("Location", "/s/final"), ("Cache-Control", "max-age=60")];
        let s = scenario(ScriptedResponse::redirect(308, "/s/final"));
        let trace = [
            recorded(1000, "/s/start", 308, &redirect),
            recorded(1000, "/s/final", 200, &[]),
            recorded(second, "/s/final", 200, &[]),
            // Not one of the scenario's paths: left out.
            recorded(second, "/favicon.ico", 404, &[]),
        ];
        judge(&s, origins(), &trace)
    }

    #[test]
    fn a_recall_is_judged_at_the_time_of_the_request() {
        let fresh = second_round_at(1059);
        assert_eq!(fresh.rounds_done, 2);
        assert_eq!(fresh.requests.len(), 3);
        assert_eq!(fresh.requests[2].skipped(), Some(1));
        assert_eq!(
            fresh.second_request.as_deref(),
            Some("may go straight to /s/final (1 remembered hop; stops there: not-remembered)")
        );
        // RFC 9111 §4.2: fresh while freshness_lifetime > current_age; at 60 s it is stale.
        let stale = second_round_at(1060);
        assert_eq!(stale.requests[2].skipped(), None);
        assert_eq!(stale.requests[2].stop, "stale");
        assert_eq!(
            stale.second_request.as_deref(),
            Some("must ask /s/start again (stale)")
        );
    }

    #[test]
    fn rounds_end_at_a_non_redirect() {
        let s = scenario(ScriptedResponse::redirect(302, "/s/final"));
        let trace = [
            recorded(5, "/s/start", 302, &[("Location", "/s/final")]),
            recorded(5, "/s/final", 200, &[]),
            recorded(6, "/s/start", 302, &[("Location", "/s/final")]),
        ];
        let j = judge(&s, origins(), &trace);
        assert_eq!(j.rounds_done, 1);
        assert_eq!(
            j.requests.iter().map(|r| r.round).collect::<Vec<_>>(),
            [1, 1, 2]
        );
        assert!(j.requests.iter().all(|r| r.skipped() == Some(0)));
    }
}

/// What was the doc example of [`model_expectation`] (the module is internal now).
#[cfg(test)]
mod example {
    use super::super::{second_request, Origins};
    use super::model_expectation;

    #[test]
    fn a_plain_302_is_not_remembered() {
        let o = Origins {
            a_port: 1,
            b_port: 2,
        };
        let s = second_request::scenarios()
            .into_iter()
            .find(|s| s.scenario.name == "302-plain")
            .unwrap();
        assert!(model_expectation(&s.scenario, o).hops.is_empty());
    }
}
