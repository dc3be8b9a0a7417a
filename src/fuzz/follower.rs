//! Any implementation under fuzz: a [`RedirectFollower`] against the model.

use crate::check::{
    check_scenario, Agreement, Divergence, RedirectFollower, Request, Response, Scenario,
};
use crate::Profile;

use super::input::ChainInput;

/// Longest chain given to a follower: one more redirect than Fetch's limit
/// of 20, so that the limit itself is reached. (Adapters that replay a chain
/// per response, as the tower-http one does, cost quadratically in it.)
pub const FOLLOWER_MAX_RESPONSES: usize = 22;

/// The chain of `input` as a [`Scenario`] (at most
/// [`FOLLOWER_MAX_RESPONSES`] responses; the input's `hops` is not used: a
/// follower starts every chain at zero).
pub fn scenario(input: &ChainInput) -> Scenario {
    let r = &input.request;
    let request = Request {
        method: r.method.method(),
        url: r.url(),
        headers: r.headers.headers(),
        body: r.body.body(),
    };
    let responses = input
        .responses
        .iter()
        .take(FOLLOWER_MAX_RESPONSES)
        .map(|resp| Response {
            status: resp.status.status(),
            location: resp.lines(),
        })
        .collect();
    Scenario::new(request, responses)
}

/// Runs the chain of `input` through `follower` and through the model under
/// `profile` ([`check_scenario`]) and panics on a divergence that
/// `is_pinned` does not accept, printing it (action, fields, expected and
/// observed, and the `redirspec decide` line that replays the step).
///
/// Chains with a Location line an `http::HeaderValue` cannot hold (CR, LF,
/// NUL, DEL...) are skipped: an `http`-based client never sees them. Returns
/// how the chain ended, or `None` when it was skipped or diverged as pinned.
///
/// A three-line cargo-fuzz target for your own client (a snippet for your
/// fuzz crate, which has `libfuzzer-sys`; not compiled here):
/// ```text
/// libfuzzer_sys::fuzz_target!(|input: redirspec::fuzz::ChainInput| {
///     redirspec::fuzz::follower_agrees(&input, &mut MyClient::default(), redirspec::Profile::Fetch, |_| false);
/// });
/// ```
///
/// # Examples
/// ```
/// use redirspec::check::{Action, RedirectFollower, Request, Response};
/// /// The model itself, as a follower, agrees with the model.
/// struct Model(Option<redirspec::RedirectMachine>);
/// impl RedirectFollower for Model {
///     fn start(&mut self, first: &Request) {
///         self.0 = redirspec::RedirectMachine::new(
///             first.method.clone(), &first.url, first.headers.clone(), first.body,
///             redirspec::Profile::Fetch.policy(),
///         ).ok();
///     }
///     fn respond(&mut self, _sent: &Request, r: &Response) -> Action {
///         let lines: Vec<&[u8]> = r.location.iter().map(Vec::as_slice).collect();
///         match self.0.as_mut().map(|m| m.step_raw(r.status, &lines)) {
///             Some(redirspec::Step::Follow(hop)) => Action::Follow(Request {
///                 method: hop.method().clone(), url: hop.url().to_owned(),
///                 headers: hop.headers().clone(), body: hop.body(),
///             }),
///             Some(redirspec::Step::Deliver(_)) => Action::Deliver,
///             _ => Action::Error("refused".into()),
///         }
///     }
/// }
/// let input = redirspec::fuzz::ChainInput::example();
/// let end = redirspec::fuzz::follower_agrees(&input, &mut Model(None), redirspec::Profile::Fetch, |_| false);
/// assert!(end.is_some());
/// ```
pub fn follower_agrees<F: RedirectFollower + ?Sized>(
    input: &ChainInput,
    follower: &mut F,
    profile: Profile,
    is_pinned: impl Fn(&Divergence) -> bool,
) -> Option<Agreement> {
    let s = scenario(input);
    if s.responses.iter().any(|r| r.location_values().is_none()) {
        return None;
    }
    match check_scenario(follower, &s, profile) {
        Ok(agreement) => Some(agreement),
        Err(d) if is_pinned(&d) => None,
        Err(d) => panic!("a divergence that is not pinned:\n{d}"),
    }
}
