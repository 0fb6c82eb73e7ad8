//! Errors of the agent's server side.

use std::path::PathBuf;

/// What went wrong starting or running the agent.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Certificates or keys are unusable.
    #[error("TLS setup: {0}")]
    Tls(String),
    /// The persisted state could not be parsed.
    #[error("state file {path}: {reason}")]
    State {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
    /// A child agent process could not be started.
    #[error("agent process: {0}")]
    Spawn(String),
    /// The gRPC transport failed.
    #[error("gRPC transport: {0}")]
    Transport(#[from] tonic::transport::Error),
}

impl AgentError {
    /// An I/O error on a path.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> AgentError {
        AgentError::Io {
            path: path.into(),
            source,
        }
    }

    /// A stable category for metrics and event reasons.
    pub fn category(&self) -> &'static str {
        match self {
            AgentError::Io { .. } => "io",
            AgentError::Tls(_) => "tls",
            AgentError::State { .. } => "state",
            AgentError::Bind { .. } => "bind",
            AgentError::Spawn(_) => "spawn",
            AgentError::Transport(_) => "transport",
        }
    }

    /// Whether the operator's input (flags, files) is at fault rather than the program.
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            AgentError::Io { .. }
                | AgentError::Tls(_)
                | AgentError::State { .. }
                | AgentError::Bind { .. }
        )
    }
}
