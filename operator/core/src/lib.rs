//! Pusdata's decisions, as pure functions over plain data.
//!
//! Nothing here talks to a cluster, a network, a disk or a clock: every input — including
//! "now" — is passed in. Controllers, the webhook, the gRPC agent, the movers and the CLI read
//! the world, call these functions and apply what they return, so one decision lives in one
//! place and is tested exhaustively here.

pub mod agency_status;
pub mod backup;
pub mod certs;
pub mod compliance;
pub mod conditions;
pub mod dr;
pub mod duration;
pub mod fence;
pub mod finding;
pub mod hash;
pub mod hosting;
pub mod i18n;
pub mod labels;
pub mod lease;
pub mod lock;
pub mod mirror;
pub mod names;
pub mod peer;
pub mod placement;
pub mod policy;
pub mod ports;
pub mod quantity;
pub mod repository;
pub mod requeue;
pub mod restore;
pub mod retention;
pub mod rules;
pub mod sites;
pub mod tenancy;
