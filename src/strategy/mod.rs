//! proptest strategies for redirect inputs (feature `proptest`).
//!
//! Every strategy is public, documented, and shrinks toward the simplest
//! value of its class: `GET`, `301`, no header fields, no body, `/` as a
//! Location, a chain of no hops. Use them against the model, or against
//! your own client with [`check::check_scenario`](crate::check::check_scenario):
//!
//! ```
//! use proptest::prelude::*;
//! use redirspec::{strategy, Profile, RedirectMachine, Step};
//!
//! proptest!(ProptestConfig::with_cases(32), |(req in strategy::request(), loc in strategy::any_location())| {
//!     let mut m = RedirectMachine::new(
//!         req.method.clone(), &req.url, req.headers, req.body, Profile::Fetch.policy(),
//!     ).unwrap();
//!     let step = m.step_raw(http::StatusCode::PERMANENT_REDIRECT, &[&loc]);
//!     if let Step::Follow(hop) = step {
//!         prop_assert_eq!(hop.method(), &req.method); // 308 keeps the method
//!     }
//! });
//! ```

mod chain;
mod location;
mod memory;
mod request;

pub use chain::{at_the_limit, scenario, scenario_with, Chains};
pub use location::{
    any_location, location, malformed_location, representable_location, well_formed_location,
    LocationClass, Malformed,
};
pub use memory::memory_steps;
pub use request::{body, headers, host, method, plain_url, request, status, url};
