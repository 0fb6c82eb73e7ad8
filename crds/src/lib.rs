//! Pusdata's API: every custom resource of the group `pusdata.io`, the CRDs generated from
//! them, and fixture builders for tests.
//!
//! This crate depends on nothing else of Pusdata's: the decision core and the binary build on
//! it, never the other way round.

pub mod docs;
pub mod fixtures;
pub mod generate;
pub mod object;
pub mod v1alpha1;

pub use docs::{DOCS_DIR, DocPage, render_docs};
pub use generate::{CrdFile, KEEP_ON_UNINSTALL, all_crds, render_all};
pub use object::{Object, ObjectError, check_rules, yaml_documents};

/// The API group of every Pusdata resource.
pub const GROUP: &str = "pusdata.io";
/// The only served and stored version for now.
pub const VERSION: &str = "v1alpha1";
/// The `kubectl get pusdata` category every kind belongs to.
pub const CATEGORY: &str = "pusdata";
