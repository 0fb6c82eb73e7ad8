//! The library half of the `pusdata` binary: the parts that tests and other binaries of the
//! workspace drive from outside (the site-to-site agent and its client, the mover, the report and the local drill).

pub mod agent;
pub mod drill;
pub mod inputs;
pub mod mirror;
pub mod mover;
pub mod plans;
pub mod report;
// Models of the API server's authorization and admission routing, for tests (testing.md).
#[cfg(test)]
pub mod testkit;
