//! The probing client: it sends requests to a running server (plain HTTP/1.1 over
//! `std::net`, loopback or hosts named with [`NetOptions::allow_host`]) or to an in-process
//! `tower::Service` ([`check_service`], feature `tower`), and hands each response to the pure
//! checker, [`crate::server`].
//!
//! The arrow points one way: `probe` uses `server` (bytes in, findings out), never the other
//! way round, so the checker stays free of sockets. A [`Plan`] says what to send: methods,
//! paths, queries, and the open-redirect probe's attacker values
//! ([`attack_values`](crate::server::attack_values)) in every encoding a server may pass
//! through. Every read and wait is bounded (time, bytes, connections).

mod net;
mod plan;
#[cfg(feature = "tower")]
mod service;

pub use net::{
    check_server, check_target, fetch, fetch_raw, Fetched, NetError, NetOptions, ReadEnd,
};
pub use plan::{Plan, Planned};
#[cfg(feature = "tower")]
pub use service::{check_service, BoxError, ServiceError, ServiceOptions};
