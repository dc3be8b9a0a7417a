//! The pieces of the `redirspec` command line that are worth a library API
//! (feature `cli`): the `decide` case format and its JSON results.

pub mod case;
pub mod lines;

pub use case::{
    decide, decide_lines, decision_of, split_header, Case, CaseError, Decision, MemoryEvent,
    RememberedHop,
};
pub use lines::{BoundedLines, LineError};
