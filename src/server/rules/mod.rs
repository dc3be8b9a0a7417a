//! The rules, one concept per file. Each reads a [`View`] and the request
//! and pushes findings; none can fail or panic.

mod caching;
mod content;
mod location;
mod open_redirect;
mod status;

use super::finding::Finding;
use super::report::Report;
use super::request::RequestInfo;
use super::view::View;

pub(crate) use open_redirect::BrowserBase;

/// What the rules read from a response alone, not from the request: the
/// Location rules' findings about presence, count and bytes (and the one
/// Location a client may follow, parsed), the framing rules' findings about
/// Content-Length and Transfer-Encoding (and the length to compare with the
/// content), and the caching rules' findings.
/// Worked out once per response however many requests it is checked
/// against; [`run_read`] reports them for each request in their places.
#[derive(Debug)]
pub(crate) struct Read<'a> {
    location: location::Read<'a>,
    framing: content::Framing<'a>,
    caching: Vec<Finding>,
}

impl<'a> Read<'a> {
    /// Reads `view`.
    pub(crate) fn of(view: &View<'a>) -> Self {
        let mut caching = Vec::new();
        caching::check(view, &mut caching);
        Read {
            location: location::Read::of(view),
            framing: content::Framing::of(view),
            caching,
        }
    }
}

/// How many findings the rules that read the request usually add at most
/// (a self-loop or a downgrade, which exclude each other, content, a
/// status, an open redirect).
const PER_REQUEST: usize = 4;

/// Runs every rule, in the order of [`Rule::ALL`](super::Rule::ALL).
pub(crate) fn run(view: &View<'_>, request: &RequestInfo, report: &mut Report) {
    run_read(view, &Read::of(view), request, report);
}

/// [`run`], with what the rules read from the response alone already
/// worked out: `read` is [`Read::of`] `view`.
pub(crate) fn run_read(
    view: &View<'_>,
    read: &Read<'_>,
    request: &RequestInfo,
    report: &mut Report,
) {
    // Room for every finding of `read` and a few of the request's own, so
    // that the report's list is allocated once (it grew twice when `read`'s
    // filled it).
    let from_read = read.location.len() + read.framing.len() + read.caching.len();
    if from_read > 0 {
        report.reserve(from_read + PER_REQUEST);
    }
    location::check(&read.location, view, request, report);
    content::check(&read.framing, view, request, report);
    status::check(view, request, report);
    report.extend_cloned(&read.caching);
    open_redirect::check(view, request, report);
}
