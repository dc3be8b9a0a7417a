//! The rules, one concept per file. Each reads a [`View`] and the request
//! and pushes findings; none can fail or panic.

mod caching;
mod content;
mod location;
mod open_redirect;
mod status;

use super::report::Report;
use super::request::RequestInfo;
use super::view::View;

pub(crate) use open_redirect::BrowserBase;

/// Runs every rule, in the order of [`Rule::ALL`](super::Rule::ALL).
pub(crate) fn run(view: &View<'_>, request: &RequestInfo, report: &mut Report) {
    location::check(view, request, report);
    content::check(view, request, report);
    status::check(view, request, report);
    caching::check(view, report);
    open_redirect::check(view, request, report);
}
