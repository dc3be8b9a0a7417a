//! The model: pure, no I/O, no clock, no randomness, no global state.
//!
//! Data flows one way: Location bytes -> [`parse_location`] (RFC 3986) or the
//! WHATWG URL parser -> [`resolve`] -> [`RedirectMachine::step`] -> [`Step`].

mod ascii;
mod body;
mod chars;
mod equivalence;
pub(crate) mod fast;
pub(crate) mod fast_strict;
pub(crate) mod fast_whatwg;
mod fast_whatwg_wide;
mod location;
mod machine;
#[deprecated(note = "the redirect cache is its own part now: use `redirspec::memory`")]
#[doc(hidden)]
pub mod memory {
    //! Moved to [`crate::memory`]: the redirect cache is a client of the
    //! machine, beside the model rather than inside it.
    pub use crate::memory::*;
}
mod origin;
mod profile;
mod resolve;
mod seen;
mod status;
mod step;
pub(crate) mod strict;
mod uri;
pub(crate) mod whatwg;

pub(crate) use ascii::first_where;
pub use body::{Body, BodyAction, BodyParseError};
pub use location::{
    parse_location, trim_field_value, ByteName, Component, LocationError, LocationMode,
};
pub use machine::{RedirectMachine, StartError};
pub use origin::{default_port, Origin};
pub use profile::{
    Boundary, CompareWith, Downgrade, MultipleLocations, Policy, Profile, RedirectRule, Rewrite,
    StatusRules, StreamBody, UnknownProfile, DEFAULT_MAX_LOCATION_LEN, FETCH_BROWSER_CREDENTIALS,
    FETCH_CALLER_CREDENTIALS, FRAMING_HEADERS, NO_LOCATION_CAP,
};
pub use resolve::{remove_dot_segments, resolve, UriBuf};
pub use status::{classify, StatusClass};
pub(crate) use step::FINISHED_DETAIL;
pub use step::{DeliverReason, Hop, Refusal, Removal, RemovedHeader, Step};
pub use uri::{parse_uri_reference, UriRef};
