//! Why a mirror run stopped: its own module, so the parts that fail with it need not import
//! the whole mirror.

/// Why a run could not proceed at all (per-key failures are in the report instead).
#[derive(Debug, thiserror::Error)]
pub enum MirrorError {
    /// Listing a side failed.
    #[error("cannot list {url}: {error}")]
    List {
        /// Which side.
        url: String,
        /// Why.
        error: String,
    },
    /// The state file could not be read or written.
    #[error("state file {path}: {error}")]
    State {
        /// The file.
        path: String,
        /// Why.
        error: String,
    },
}
