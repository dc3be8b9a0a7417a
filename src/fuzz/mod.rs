//! The properties that fuzzers check, one function per property (feature `fuzz`).
//!
//! The cargo-fuzz targets in `fuzz/fuzz_targets/`, the bolero harnesses in
//! `tests/fuzz_*.rs` and the corpus replay in `tests/corpus_replay.rs` all call
//! these functions and nothing else, so a property lives in one place. Each
//! function takes any input, never panics on its own account, and panics with a
//! message naming the broken property when the model misbehaves — that panic
//! is the finding.
//!
//! | function | input | property |
//! |---|---|---|
//! | [`location_parse`] | raw Location bytes | strict mode total; strict values round-trip; the RFC 9110 machine agrees with its parser |
//! | [`location_fetch`] | raw Location bytes | lenient mode total; the Fetch machine follows only to an absolute http(s) URL and keeps its invariants |
//! | [`location_differential`] | raw Location bytes | the fast paths write what the general paths (`model/strict.rs`, `model/whatwg.rs`) write, under every policy switch |
//! | [`resolve`] | reference and base bytes | RFC 3986 §5.2 result laws; agrees with `url` on a documented subset |
//! | [`resolve_rfc3986`] | reference and base bytes | its RFC 3986 half: the result laws; the strict one-pass path gives the strict general path's result |
//! | [`resolve_whatwg`] | reference and base bytes | its WHATWG half: agrees with `url` on the subset; the WHATWG fast paths write the general path's (`url`'s) result |
//! | [`machine_step`] | [`StepInput`] | one response: every step invariant |
//! | [`chain`] | [`ChainInput`] | a chain of responses: every step invariant, at every step; a machine with its fast paths off takes the same steps |
//! | [`raw_response`] | raw response bytes | `httparse` (at most 64 headers), then every profile |
//! | [`follower_agrees`] | [`ChainInput`] and any [`RedirectFollower`](crate::check::RedirectFollower) | the implementation agrees with the model, up to pinned divergences |
//!
//! To fuzz your own code with the same inputs, derive from these types or call
//! the functions from your own target:
//! ```
//! // fuzz_targets/chain.rs:  fuzz_target!(|i: redirspec::fuzz::ChainInput| redirspec::fuzz::chain(&i));
//! let input = redirspec::fuzz::ChainInput::example();
//! redirspec::fuzz::chain(&input);
//! ```

mod follower;
mod input;
mod location;
mod machine;
mod resolve;
mod response;

pub use follower::{follower_agrees, scenario, FOLLOWER_MAX_RESPONSES};
pub use input::{
    BodyInput, ChainInput, HeaderFlags, LocationLine, MethodInput, ProfileInput, RequestInput,
    ResolveInput, ResponseInput, StatusInput, StepInput, BASES, ORIGINS,
};
pub use location::{location_differential, location_fetch, location_parse};
pub use machine::{chain, machine_step};
pub use resolve::{resolve, resolve_rfc3986, resolve_under, resolve_whatwg};
pub use response::{raw_response, MAX_HEADERS};
