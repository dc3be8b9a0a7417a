//! Helpers shared by integration tests.
#![allow(dead_code)]

pub mod pinned;
pub mod reference;
pub mod tower_http;
pub mod ureq_proto;
