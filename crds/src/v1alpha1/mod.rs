//! Version `v1alpha1` of the `pusdata.io` API.
//!
//! Every kind has a spec written by its owner (platform team, agency, DR operator or the
//! operator itself), a status with `conditions` and `observedGeneration`, printer columns,
//! short names and the `pusdata` category. Constraints inside one object are CEL rules
//! (`x-kubernetes-validations`) so the API server rejects them before any webhook runs;
//! rules that need other objects live in `pusdata-core::policy`.

mod agency;
mod approval;
mod backup;
mod common;
mod drp;
mod external_cloud;
mod failover;
mod hosting;
mod rack;
mod repository;
mod residency;
mod restore;
mod site;
mod text;

pub use agency::*;
pub use approval::*;
pub use backup::*;
pub use common::*;
pub use drp::*;
pub use external_cloud::*;
pub use failover::*;
pub use hosting::*;
pub use rack::*;
pub use repository::*;
pub use residency::*;
pub use restore::*;
pub use site::*;
pub use text::*;
