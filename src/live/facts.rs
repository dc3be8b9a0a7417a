//! What a client did, in plain words, read off its observed traces (not judged against any
//! profile): the behaviours people ask about — method rewriting, body and header handling,
//! credentials across origins, limits, odd Locations.

use super::client::ClientOutcome;
use super::compare::{BodyView, RequestView};
use super::matrix::ScenarioReport;
use serde::Serialize;

/// One observed behaviour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    /// What was asked (`POST on 301/302/303`).
    pub name: &'static str,
    /// What the client did (`GET / GET / GET`); `?` where the scenario was not run.
    pub value: String,
}

/// Fact names, in display order.
pub const FACT_NAMES: &[&str] = &[
    "POST on 301 / 302 / 303",
    "PUT on 301 / 302 / 303",
    "POST on 307 / 308",
    "Content-Type after POST->GET (302)",
    "Authorization to other port / host",
    "Authorization back on first origin",
    "Cookie to other port / host",
    "redirects followed (chains 10/11/20/21)",
    "self-loop",
    "302 without Location",
    "two Location lines /one, /two",
    "relative ../g, //host/g",
    "non-http Location (ftp file data)",
];

fn find<'a>(all: &'a [ScenarioReport], name: &str) -> Option<&'a ScenarioReport> {
    all.iter().find(|s| s.name == name)
}

fn hop<'a>(all: &'a [ScenarioReport], name: &str, index: usize) -> Option<&'a RequestView> {
    find(all, name).and_then(|s| s.observed.get(index))
}

fn path_of(url: &str) -> String {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    after_scheme
        .find('/')
        .map_or_else(|| "/".to_owned(), |i| after_scheme[i..].to_owned())
}

/// What became of the request after the first redirect: `GET`, `POST+body`, or how it ended.
fn method_after(all: &[ScenarioReport], name: &str) -> String {
    let Some(s) = find(all, name) else {
        return "?".to_owned();
    };
    match s.observed.get(1) {
        Some(r) => match r.body {
            BodyView::None => r.method.clone(),
            BodyView::Original => format!("{}+body", r.method),
            BodyView::Other(n) => format!("{}+{n}B", r.method),
        },
        None => ending(&s.outcome),
    }
}

fn ending(o: &ClientOutcome) -> String {
    match o {
        ClientOutcome::Delivered { status: Some(s) } => format!("stops ({s})"),
        ClientOutcome::Delivered { status: None } => "stops".to_owned(),
        ClientOutcome::Failed { .. } => "error".to_owned(),
        ClientOutcome::TimedOut { .. } => "timeout".to_owned(),
    }
}

fn flag(
    all: &[ScenarioReport],
    name: &str,
    index: usize,
    pick: fn(&RequestView) -> bool,
) -> String {
    match hop(all, name, index) {
        Some(r) if pick(r) => "kept".to_owned(),
        Some(_) => "dropped".to_owned(),
        None => find(all, name).map_or_else(|| "?".to_owned(), |s| ending(&s.outcome)),
    }
}

fn chain(all: &[ScenarioReport], n: usize) -> String {
    let Some(s) = find(all, &format!("chain-{n}")) else {
        return "?".to_owned();
    };
    let followed = s.observed.len().saturating_sub(1);
    match &s.outcome {
        ClientOutcome::Delivered {
            status: Some(200) | None,
        } if followed == n => "ok".to_owned(),
        o => format!("{} after {followed}", ending(o)),
    }
}

/// The facts of one client, in [`FACT_NAMES`] order.
pub fn facts(all: &[ScenarioReport]) -> Vec<Fact> {
    let join = |parts: Vec<String>| parts.join(" / ");
    let auth = |r: &RequestView| r.authorization;
    let cookie = |r: &RequestView| r.cookie;
    let self_loop = find(all, "loop-self").map_or_else(
        || "?".to_owned(),
        |s| {
            format!(
                "{} after {} redirects",
                ending(&s.outcome),
                s.observed.len().saturating_sub(1)
            )
        },
    );
    let next_request = |name: &str| {
        find(all, name).map_or_else(
            || "?".to_owned(),
            |s| match s.observed.get(1) {
                Some(r) => format!("requests {}", path_of(&r.url)),
                None => ending(&s.outcome),
            },
        )
    };
    let relative = |name: &str| match hop(all, name, 1) {
        Some(r) => path_of(&r.url),
        None => find(all, name).map_or_else(|| "?".to_owned(), |s| ending(&s.outcome)),
    };
    // A request to our own server means the Location was taken as a relative path.
    let schemes = ["scheme-ftp", "scheme-file", "scheme-data"]
        .iter()
        .map(|n| match (find(all, n), hop(all, n, 1)) {
            (Some(s), _) if !s.elsewhere.is_empty() => "followed (connected)".to_owned(),
            (_, Some(_)) => "as a path".to_owned(),
            (Some(s), None) => ending(&s.outcome),
            (None, None) => "?".to_owned(),
        })
        .collect();
    let values = vec![
        join(vec![
            method_after(all, "301-post"),
            method_after(all, "302-post"),
            method_after(all, "303-post"),
        ]),
        join(vec![
            method_after(all, "301-put"),
            method_after(all, "302-put"),
            method_after(all, "303-put"),
        ]),
        join(vec![
            method_after(all, "307-post"),
            method_after(all, "308-post"),
        ]),
        flag(all, "302-post", 1, |r| r.content_type),
        join(vec![
            flag(all, "cred-cross-port", 1, auth),
            flag(all, "cred-cross-host", 1, auth),
        ]),
        join(vec![
            flag(all, "cred-leave-and-return-port", 2, auth),
            flag(all, "cred-leave-and-return-host", 2, auth),
        ]),
        join(vec![
            flag(all, "cred-cross-port", 1, cookie),
            flag(all, "cred-cross-host", 1, cookie),
        ]),
        join([10, 11, 20, 21].iter().map(|n| chain(all, *n)).collect()),
        self_loop,
        next_request("loc-missing"),
        next_request("loc-two-different"),
        join(vec![relative("rel-dotdot"), relative("rel-network-path")]),
        join(schemes),
    ];
    FACT_NAMES
        .iter()
        .zip(values)
        .map(|(name, value)| Fact { name, value })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::path_of;

    #[test]
    fn path_of_urls() {
        assert_eq!(path_of("http://127.0.0.1:1/a?b"), "/a?b");
        assert_eq!(path_of("http://h"), "/");
    }
}
