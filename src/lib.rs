#![doc = include_str!("crate_doc.md")]
#![warn(missing_docs)]
// One `unsafe` block, allowed where it is: `model::ascii::AsciiCursor::into_str`, with its
// `SAFETY:` proof (the cursor takes ASCII bytes only).
#![deny(unsafe_code)]
#![deny(clippy::undocumented_unsafe_blocks)]
// docs.rs builds with every feature and `--cfg docsrs`: each item says which feature it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "cases")]
pub mod cases;
pub mod check;
#[cfg(feature = "fuzz")]
pub mod fuzz;
#[cfg(feature = "live")]
pub mod live;
pub mod memory;
pub mod model;
#[cfg(feature = "server")]
pub mod probe;
mod replay;
#[cfg(feature = "server")]
pub mod server;
#[cfg(feature = "proptest")]
pub mod strategy;

/// The `http` crate this API speaks (`Method`, `StatusCode`, `HeaderMap`, `Uri`), re-exported so
/// a caller's version always matches.
pub use http;

pub use model::{
    Body, BodyAction, DeliverReason, Hop, LocationError, Policy, Profile, RedirectMachine, Refusal,
    Removal, RemovedHeader, StartError, Step,
};
