//! Running a scenario through the model and an implementation side by side.

use http::{HeaderMap, HeaderName};

use super::divergence::{show_bytes, Details, Divergence, FieldDiff};
use super::follower::{Action, ErrorKind, RedirectFollower, Request, Scenario};
use super::rules::{self, Rule, Topic};
use crate::model::{Body, Policy, Profile, RedirectMachine, Step};
use http::{Method, StatusCode};

/// How a scenario ended when model and implementation agreed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Agreement {
    /// Both delivered a response after this many redirects.
    Delivered(u32),
    /// Both failed after this many redirects.
    Refused(u32),
    /// Both were still following when the responses ran out.
    RanOut(u32),
}

/// Runs `scenario` through `follower` and the model under `profile`.
///
/// # Errors
/// The first [`Divergence`]: a response the implementation answers
/// differently from the model (another action, or a follow-up request with
/// another method, URL, body or credential/content header), or a first
/// request the model cannot start a chain from.
///
/// # Examples
/// ```
/// use redirspec::check::{check_scenario, Action, RedirectFollower, Request, Response, Scenario};
/// use redirspec::Profile;
///
/// /// Follows with the Location taken as an absolute URL, method kept.
/// struct Literal;
/// impl RedirectFollower for Literal {
///     fn respond(&mut self, sent: &Request, r: &Response) -> Action {
///         match r.location.first() {
///             Some(l) if r.status.is_redirection() => Action::Follow(Request {
///                 url: String::from_utf8_lossy(l).into_owned(),
///                 ..sent.clone()
///             }),
///             _ => Action::Deliver,
///         }
///     }
/// }
/// let s = Scenario::new(
///     Request::new(http::Method::POST, "https://a.test/form"),
///     vec![
///         Response::redirect(http::StatusCode::SEE_OTHER, "https://a.test/done"),
///         Response::status(http::StatusCode::OK),
///     ],
/// );
/// let d = check_scenario(&mut Literal, &s, Profile::Fetch).unwrap_err();
/// assert_eq!(d.field_names(), ["method"]); // 303 must turn POST into GET
/// ```
/// Inside `proptest!` (feature `proptest`), `?` turns a divergence into a
/// failed case that proptest shrinks; see `tests/downstream.rs`:
/// `check_scenario(&mut MyClient, &s, Profile::Fetch)?;`
pub fn check_scenario<F: RedirectFollower + ?Sized>(
    follower: &mut F,
    scenario: &Scenario,
    profile: Profile,
) -> Result<Agreement, Divergence> {
    run(follower, scenario, &profile.policy(), Some(profile))
}

/// [`check_scenario`] with a policy of one's own (the divergence then has no
/// command line).
///
/// # Errors
/// As [`check_scenario`].
pub fn check_scenario_with<F: RedirectFollower + ?Sized>(
    follower: &mut F,
    scenario: &Scenario,
    policy: &Policy,
) -> Result<Agreement, Divergence> {
    run(follower, scenario, policy, None)
}

fn run<F: RedirectFollower + ?Sized>(
    follower: &mut F,
    scenario: &Scenario,
    policy: &Policy,
    profile: Option<Profile>,
) -> Result<Agreement, Divergence> {
    let first = &scenario.request;
    let diverge = |step: usize, sent: &Request, hops: u32, fields: Vec<FieldDiff>| {
        Divergence(Box::new(Details {
            profile,
            scenario: scenario.clone(),
            step,
            sent: sent.clone(),
            hops,
            fields,
        }))
    };
    let mut machine = match RedirectMachine::new(
        first.method.clone(),
        &first.url,
        first.headers.clone(),
        first.body,
        policy.clone(),
    ) {
        Ok(m) => m,
        Err(e) => {
            let field = FieldDiff {
                field: "request".into(),
                expected: "a URL a chain can start from".into(),
                observed: e.to_string(),
                rule: rules::rule(profile, Topic::Resolve),
            };
            return Err(diverge(0, first, 0, vec![field]));
        }
    };
    follower.start(first);
    // What the implementation sent last, and what the model holds as sent.
    let mut sent = first.clone();
    for (i, response) in scenario.responses.iter().enumerate() {
        let model_sent = Request {
            method: machine.method().clone(),
            url: machine.url().to_owned(),
            headers: machine.headers().clone(),
            body: machine.body(),
        };
        let hops = machine.redirect_count();
        let lines: Vec<&[u8]> = response.location.iter().map(Vec::as_slice).collect();
        let step = machine.step_raw(response.status, &lines);
        let observed = follower.respond(&sent, response);
        let context = Context {
            profile,
            policy,
            status: response.status,
            method: &model_sent.method,
            first,
        };
        let fields = compare(&step, &observed, &context);
        if !fields.is_empty() {
            return Err(diverge(i, &model_sent, hops, fields));
        }
        match (step, observed) {
            (Step::Follow(_), Action::Follow(next)) => sent = next,
            (Step::Deliver(_), _) => return Ok(Agreement::Delivered(hops)),
            (Step::Refuse(_) | Step::Finished, _) => return Ok(Agreement::Refused(hops)),
            // `compare` found a difference in every other pairing.
            (Step::Follow(_), _) => return Ok(Agreement::RanOut(hops)),
        }
    }
    Ok(Agreement::RanOut(machine.redirect_count()))
}

/// What a decision is judged in: the profile (its rules), the policy (its header lists),
/// the status answered and the method it answered, and the first request of the chain.
struct Context<'a> {
    profile: Option<Profile>,
    policy: &'a Policy,
    status: StatusCode,
    method: &'a Method,
    first: &'a Request,
}

impl Context<'_> {
    fn rule(&self, topic: Topic) -> &'static Rule {
        rules::rule(self.profile, topic)
    }
}

/// The fields where `observed` departs from `expected`, in a fixed order, each with the
/// rule that produced the model's side.
fn compare(expected: &Step<'_>, observed: &Action, cx: &Context<'_>) -> Vec<FieldDiff> {
    let mut out = Vec::new();
    let diff =
        |out: &mut Vec<FieldDiff>, field: &str, e: String, o: String, rule: &'static Rule| {
            if e != o {
                out.push(FieldDiff {
                    field: field.to_owned(),
                    expected: e,
                    observed: o,
                    rule,
                });
            }
        };
    match (expected, observed) {
        (Step::Follow(hop), Action::Follow(next)) => {
            let method_rule = cx.rule(rules::method_topic(cx.status, cx.method));
            diff(
                &mut out,
                "method",
                hop.method().to_string(),
                next.method.to_string(),
                method_rule,
            );
            let same_but_fragment = hop.url().split('#').next() == next.url.split('#').next();
            let url_rule = cx.rule(if same_but_fragment {
                Topic::Fragment
            } else {
                Topic::Resolve
            });
            diff(
                &mut out,
                "url",
                hop.url().to_owned(),
                next.url.clone(),
                url_rule,
            );
            diff(
                &mut out,
                "body",
                body(hop.body()),
                body(next.body),
                method_rule,
            );
            for name in header_names(cx.first, hop.headers()) {
                let topic =
                    rules::header_topic(cx.policy, &name, hop.headers().contains_key(&name));
                diff(
                    &mut out,
                    &format!("header {name}"),
                    values(hop.headers(), &name),
                    values(&next.headers, &name),
                    cx.rule(topic),
                );
            }
        }
        (Step::Deliver(_), Action::Deliver) => {}
        (Step::Refuse(r), Action::Error(f)) => {
            if !f.kind.agrees_with(r.reason()) {
                diff(
                    &mut out,
                    "error",
                    r.reason().to_owned(),
                    format!("{} ({})", f.kind.as_str(), f.message),
                    cx.rule(rules::refusal_topic(r)),
                );
            }
        }
        (e, o) => diff(
            &mut out,
            "action",
            show_step(e),
            show_action(o),
            cx.rule(rules::end_topic(cx.status, e)),
        ),
    }
    out
}

/// The names compared: those of the first request and of the model's next
/// request. Names the implementation adds on its own are not compared.
fn header_names(first: &Request, expected: &HeaderMap) -> Vec<HeaderName> {
    let mut names: Vec<HeaderName> = first.headers.keys().cloned().collect();
    for n in expected.keys() {
        if !names.contains(n) {
            names.push(n.clone());
        }
    }
    names.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    names
}

fn values(h: &HeaderMap, name: &HeaderName) -> String {
    let v: Vec<String> = h
        .get_all(name)
        .iter()
        .map(|v| show_bytes(v.as_bytes()))
        .collect();
    if v.is_empty() {
        "(absent)".into()
    } else {
        v.join(" | ")
    }
}

fn body(b: Body) -> String {
    b.to_cli()
}

fn show_step(s: &Step<'_>) -> String {
    match s {
        Step::Follow(h) => format!("follow: {} {}", h.method(), h.url()),
        Step::Deliver(r) => format!("deliver ({r})"),
        Step::Refuse(r) => format!("refuse ({}: {r})", r.reason()),
        Step::Finished => format!("finished ({})", crate::model::FINISHED_DETAIL),
    }
}

fn show_action(a: &Action) -> String {
    match a {
        Action::Follow(r) => format!("follow: {} {}", r.method, r.url),
        Action::Deliver => "deliver".into(),
        Action::Error(e) if e.kind == ErrorKind::Unspecified => format!("error ({})", e.message),
        Action::Error(e) => format!("error ({}: {})", e.kind.as_str(), e.message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{builtin_scenarios, Response};

    /// A follower that asks a model of its own: it must agree everywhere.
    struct Mirror(Option<RedirectMachine>, Profile);
    impl RedirectFollower for Mirror {
        fn start(&mut self, first: &Request) {
            self.0 = RedirectMachine::new(
                first.method.clone(),
                &first.url,
                first.headers.clone(),
                first.body,
                self.1.policy(),
            )
            .ok();
        }
        fn respond(&mut self, _: &Request, r: &crate::check::Response) -> Action {
            let Some(m) = self.0.as_mut() else {
                return Action::Error("no machine".into());
            };
            let lines: Vec<&[u8]> = r.location.iter().map(Vec::as_slice).collect();
            match m.step_raw(r.status, &lines) {
                Step::Follow(h) => Action::Follow(Request {
                    method: h.method().clone(),
                    url: h.url().to_owned(),
                    headers: h.headers().clone(),
                    body: h.body(),
                }),
                Step::Deliver(_) => Action::Deliver,
                Step::Refuse(e) => Action::Error(e.to_string().into()),
                Step::Finished => Action::Error(crate::model::FINISHED_DETAIL.into()),
            }
        }
    }

    #[test]
    fn the_model_agrees_with_itself_on_every_builtin_scenario() {
        for p in Profile::ALL {
            for s in builtin_scenarios() {
                check_scenario(&mut Mirror(None, p), &s, p).unwrap();
            }
        }
    }

    /// Follows everything, keeping the method, to the raw Location.
    struct Keep;
    impl RedirectFollower for Keep {
        fn respond(&mut self, sent: &Request, r: &Response) -> Action {
            match r.location.first() {
                Some(l) if r.status.is_redirection() => Action::Follow(Request {
                    url: String::from_utf8_lossy(l).into_owned(),
                    ..sent.clone()
                }),
                _ => Action::Deliver,
            }
        }
    }

    #[test]
    fn a_divergence_names_each_field_and_replays() {
        let s = Scenario::new(
            Request::new(http::Method::POST, "https://a.test/x#f")
                .header("authorization", "t")
                .unwrap()
                .body(Body::Bytes(3)),
            vec![
                Response::redirect(http::StatusCode::FOUND, "https://b.test/y"),
                Response::status(http::StatusCode::OK),
            ],
        );
        let d = check_scenario(&mut Keep, &s, Profile::Fetch).unwrap_err();
        assert_eq!(
            d.field_names(),
            ["method", "url", "body", "header authorization"]
        );
        let text = d.to_string();
        assert!(text.contains("expected: GET"), "{text}");
        assert!(text.contains("observed: POST"), "{text}");
        assert!(text.contains("expected: https://b.test/y#f"), "{text}");
        assert!(text.contains("expected: (absent)"), "{text}");
        assert!(
            text.contains(
                "replay: redirspec decide --profile fetch --method POST --url 'https://a.test/x#f' \
                 --status 302 --location https://b.test/y --header 'authorization: t' --body bytes:3"
            ),
            "{text}"
        );
    }

    #[test]
    fn actions_that_differ_are_one_field() {
        let s = Scenario::new(
            Request::new(http::Method::GET, "https://a.test/"),
            vec![Response::redirect(http::StatusCode::FOUND, "ftp://a.test/")],
        );
        let d = check_scenario(&mut Keep, &s, Profile::Rfc9110).unwrap_err();
        assert_eq!(d.field_names(), ["action"]);
        assert!(d.to_string().contains("refuse (scheme-not-allowed"), "{d}");
    }

    #[test]
    fn a_long_location_prints_cut_with_its_length() {
        let long = format!("/{}", "a".repeat(64 * 1024));
        let s = Scenario::new(
            Request::new(http::Method::GET, "https://a.test/"),
            vec![
                Response::redirect(http::StatusCode::FOUND, &long),
                Response::status(http::StatusCode::OK),
            ],
        );
        struct Never;
        impl RedirectFollower for Never {
            fn respond(&mut self, _: &Request, _: &Response) -> Action {
                Action::Deliver
            }
        }
        let d = check_scenario(&mut Never, &s, Profile::Fetch).unwrap_err();
        let text = d.to_string();
        assert!(text.len() < 4096, "{} bytes", text.len());
        assert!(text.contains("(65537 bytes in all)"), "{text}");
        assert!(
            d.command_line().unwrap().len() > 64 * 1024,
            "the replay line is whole"
        );
    }

    #[test]
    fn an_unstartable_request_is_reported_not_skipped() {
        let s = Scenario::new(Request::new(http::Method::GET, "/relative"), vec![]);
        let d = check_scenario(&mut Keep, &s, Profile::Fetch).unwrap_err();
        assert_eq!(d.field_names(), ["request"]);
    }

    #[test]
    fn agreement_says_how_it_ended() {
        let s = Scenario::new(
            Request::new(http::Method::GET, "https://a.test/"),
            vec![
                Response::redirect(http::StatusCode::TEMPORARY_REDIRECT, "https://a.test/b"),
                Response::status(http::StatusCode::OK),
            ],
        );
        assert_eq!(
            check_scenario(&mut Keep, &s, Profile::Fetch),
            Ok(Agreement::Delivered(1))
        );
    }
}
