//! The model's side of a verdict: [`RedirectMachine`] driven over the same scripted responses
//! the server plays, with the real loopback URLs.
//!
//! With [`recall`](super::recall) (the second-request group's memory), the only file of `live`
//! that speaks to the model.

use super::compare::{BodyView, ExpectedEnd, ExpectedTrace, HopRules, RequestView};
use super::scenario::{Origins, Scenario};
use super::LiveError;
use crate::check::rules::{self, Topic};
use crate::{Body, BodyAction, Policy, Profile, RedirectMachine, Step};
use http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, PROXY_AUTHORIZATION};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};

/// Requests the model is followed for at most (a policy without a hop limit would otherwise
/// never end on a looping scenario); matches the server's default cap.
pub const MAX_MODEL_REQUESTS: usize = 80;

fn view(method: &Method, url: &str, body: BodyView, headers: &HeaderMap) -> RequestView {
    let without_fragment = url.split('#').next().unwrap_or(url);
    RequestView {
        method: method.as_str().to_owned(),
        url: without_fragment.to_owned(),
        body,
        authorization: headers.contains_key(AUTHORIZATION),
        cookie: headers.contains_key(COOKIE),
        content_type: headers.contains_key(CONTENT_TYPE),
        proxy_authorization: headers.contains_key(PROXY_AUTHORIZATION),
    }
}

/// Runs the model over `scenario` as served on `origins`, under `policy` named `profile`.
///
/// # Errors
/// [`LiveError::Model`] when the model rejects the start request (a harness bug: every start
/// URL of the suite is valid).
pub fn expected_trace(
    scenario: &Scenario,
    origins: Origins,
    profile: &str,
    policy: Policy,
) -> Result<ExpectedTrace, LiveError> {
    let start = origins.expand(&scenario.start);
    let mut headers = HeaderMap::new();
    for (name, value) in scenario.request_headers() {
        let name = HeaderName::try_from(name.as_str())
            .map_err(|e| LiveError::Model(format!("header name {name:?}: {e}")))?;
        let value = HeaderValue::try_from(value.as_str())
            .map_err(|e| LiveError::Model(format!("header value {value:?}: {e}")))?;
        headers.append(name, value);
    }
    let body = match scenario.request_body() {
        Some(b) => Body::Bytes(u64::try_from(b.len()).unwrap_or(u64::MAX)),
        None => Body::None,
    };
    let original_body = if scenario.with_body {
        BodyView::Original
    } else {
        BodyView::None
    };
    // The header lists the header rules read (the machine keeps its own copy).
    let lists = policy.clone();
    let mut machine = RedirectMachine::new(
        scenario.method.clone(),
        &start,
        headers.clone(),
        body,
        policy,
    )
    .map_err(|e| LiveError::Model(format!("start {start:?}: {e}")))?;
    let graded = Profile::ALL.into_iter().find(|p| p.as_str() == profile);
    let rule = |t: Topic| rules::rule(graded, t);
    let mut requests = vec![view(&scenario.method, &start, original_body, &headers)];
    let mut hops = Vec::new();
    let mut index = 0;
    loop {
        let scripted = scenario.response_for(index);
        let status = StatusCode::from_u16(scripted.status)
            .map_err(|e| LiveError::Model(format!("status {}: {e}", scripted.status)))?;
        let lines: Vec<String> = scripted
            .locations
            .iter()
            .map(|l| origins.expand(l))
            .collect();
        let raw: Vec<&[u8]> = lines.iter().map(|l| l.as_bytes()).collect();
        // The response's other fields reach the model too (a Set-Cookie makes a repeat not
        // yet a loop); a field `http` cannot hold is left out, as a client would not see it.
        let mut fields = HeaderMap::new();
        for (name, value) in &scripted.headers {
            if let (Ok(n), Ok(v)) = (
                HeaderName::try_from(name.as_str()),
                HeaderValue::try_from(origins.expand(value).as_str()),
            ) {
                fields.append(n, v);
            }
        }
        let sent_method = machine.method().clone();
        let step = machine.step_raw_with_fields(status, &raw, &fields);
        let end_rule = rule(rules::end_topic(status, &step));
        let end = match step {
            Step::Follow(hop) => {
                let header = |name| {
                    rule(rules::header_topic(
                        &lists,
                        &name,
                        hop.headers().contains_key(&name),
                    ))
                };
                hops.push(HopRules {
                    follow: end_rule,
                    method: rule(rules::method_topic(status, &sent_method)),
                    url: rule(Topic::Resolve),
                    authorization: header(AUTHORIZATION),
                    cookie: header(COOKIE),
                    content_type: header(CONTENT_TYPE),
                    proxy_authorization: header(PROXY_AUTHORIZATION),
                });
                let body = match hop.body_action() {
                    BodyAction::Keep => original_body,
                    BodyAction::Drop | BodyAction::None => BodyView::None,
                };
                requests.push(view(hop.method(), hop.url(), body, hop.headers()));
                if requests.len() >= MAX_MODEL_REQUESTS {
                    ExpectedEnd::Refuse {
                        reason: "harness-cap".to_owned(),
                        detail: format!("the model was followed for {MAX_MODEL_REQUESTS} requests"),
                    }
                } else {
                    index += 1;
                    continue;
                }
            }
            Step::Deliver(reason) => ExpectedEnd::Deliver {
                status: scripted.status,
                reason: reason.as_str().to_owned(),
            },
            Step::Refuse(refusal) => ExpectedEnd::Refuse {
                reason: refusal.reason().to_owned(),
                detail: refusal.to_string(),
            },
            // Never: the machine is stepped only until its chain ends.
            Step::Finished => ExpectedEnd::Refuse {
                reason: "finished".to_owned(),
                detail: crate::model::FINISHED_DETAIL.to_owned(),
            },
        };
        let end_rule = match &end {
            ExpectedEnd::Refuse { reason, .. } if reason == "harness-cap" => rule(Topic::Liveness),
            _ => end_rule,
        };
        return Ok(ExpectedTrace {
            profile: profile.to_owned(),
            requests,
            hops,
            end,
            end_rule,
            first_rule: rule(Topic::HeaderKept),
            liveness_rule: rule(Topic::Liveness),
        });
    }
}
