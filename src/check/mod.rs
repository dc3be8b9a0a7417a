//! Checking an implementation against the model.
//!
//! An HTTP client, proxy or framework reports what it does with each
//! response through the [`RedirectFollower`] trait; the check steps the
//! model ([`RedirectMachine`](crate::RedirectMachine)) with the same
//! responses under a [`Profile`] (or a [`Policy`](crate::Policy)) and
//! compares, field by field: the action (follow, deliver, error), and for a
//! follow the method, the URL (fragment included), the body, and every
//! header field of the first request or of the model's next request.
//! Header fields the implementation adds itself are not compared.
//!
//! Pure: no I/O, needs only the model.
//!
//! Two entry points:
//! - [`assert_conforms`]: one line in a test; runs [`builtin_scenarios`] and
//!   panics with every divergence found.
//! - [`check_scenario`]: one scenario, `Result<_, Divergence>`. [`Divergence`] is
//!   a `std::error::Error`, which proptest's `TestCaseError` converts from,
//!   so `?` works inside `proptest!` and proptest shrinks the case.
//!
//! A [`Divergence`] prints the case, expected vs observed per field, and the
//! `redirspec decide …` command line that replays the diverging step.
//!
//! # Examples
//! ```
//! use redirspec::check::{self, Action, RedirectFollower, Request, Response};
//! use redirspec::Profile;
//!
//! /// A client that follows every 3xx with GET, to the Location as given.
//! struct Naive;
//! impl RedirectFollower for Naive {
//!     fn respond(&mut self, sent: &Request, r: &Response) -> Action {
//!         match r.location.first() {
//!             Some(l) if r.status.is_redirection() => Action::Follow(Request::new(
//!                 http::Method::GET,
//!                 String::from_utf8_lossy(l).into_owned(),
//!             )),
//!             _ => Action::Deliver,
//!         }
//!     }
//! }
//! let found = check::conformance(&mut Naive, Profile::Fetch);
//! assert!(!found.is_empty());
//! println!("{}", found[0]); // case, expected vs observed, replay command
//! ```

mod cases;
mod divergence;
mod follower;
pub mod memory;
pub mod rules;
mod run;

/// The request body as [`Request`] carries it (the model's type, here beside the request).
pub use crate::model::Body;
pub use cases::builtin_scenarios;
pub use divergence::{Details, Divergence, FieldDiff};
pub use follower::{
    Action, ErrorKind, Failure, InvalidHeader, RedirectFollower, Request, Response, Scenario,
};
pub use rules::{Level, Rule, Topic};
pub use run::{check_scenario, check_scenario_with, Agreement};

use crate::model::Profile;

/// Runs every [`builtin_scenarios`] case through `follower` under `profile`
/// and returns the divergences (at most one per scenario).
pub fn conformance<F: RedirectFollower + ?Sized>(
    follower: &mut F,
    profile: Profile,
) -> Vec<Divergence> {
    builtin_scenarios()
        .iter()
        .filter_map(|s| check_scenario(follower, s, profile).err())
        .collect()
}

/// Panics, printing every divergence, unless `follower` agrees with the model
/// under `profile` on every [`builtin_scenarios`] case.
///
/// # Panics
/// When a divergence is found: that is the test failing.
///
/// # Examples
/// ```should_panic
/// # use redirspec::check::{Action, RedirectFollower, Request, Response};
/// struct Never;
/// impl RedirectFollower for Never {
///     fn respond(&mut self, _: &Request, _: &Response) -> Action { Action::Deliver }
/// }
/// redirspec::check::assert_conforms(&mut Never, redirspec::Profile::Fetch);
/// ```
pub fn assert_conforms<F: RedirectFollower + ?Sized>(follower: &mut F, profile: Profile) {
    let found = conformance(follower, profile);
    if !found.is_empty() {
        let shown: Vec<String> = found.iter().take(10).map(ToString::to_string).collect();
        panic!(
            "{} of {} built-in scenarios diverge from profile {profile}; the first {}:\n\n{}",
            found.len(),
            builtin_scenarios().len(),
            shown.len(),
            shown.join("\n\n")
        );
    }
}
