//! Errors of the CLI, each with a stable exit code.

use std::path::Path;

/// What went wrong, and so which exit code the process returns.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A check found problems (policy findings, drift, plan findings): exit 1.
    #[error("{0}")]
    Check(String),
    /// Input could not be read or parsed: exit 2.
    #[error("{0}")]
    Input(String),
    /// An operation failed (repository backend, I/O, verification could not run): exit 4.
    #[error("{0}")]
    Failed(String),
    /// A bug or an unexpected failure: exit 70.
    #[error("internal error: {0}")]
    Internal(String),
}

impl CliError {
    /// An I/O error on a path.
    pub fn io(path: &Path, e: std::io::Error) -> CliError {
        CliError::Input(format!("{}: {e}", path.display()))
    }

    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Check(_) => 1,
            CliError::Input(_) => 2,
            CliError::Failed(_) => 4,
            CliError::Internal(_) => 70,
        }
    }

    /// A stable category for metrics and event reasons.
    pub fn category(&self) -> &'static str {
        match self {
            CliError::Check(_) => "check",
            CliError::Input(_) => "input",
            CliError::Failed(_) => "failed",
            CliError::Internal(_) => "internal",
        }
    }
}
