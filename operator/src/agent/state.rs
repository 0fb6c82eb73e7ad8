//! The agent's persisted state: the fencing state and the results of finished work, in one
//! JSON file replaced atomically, so a `kill -9` at any instant leaves either the old or the
//! new state on disk — never a torn one — and an epoch once answered is never forgotten.

use super::AgentError;
use super::work::Report;
use pusdata_core::fence::{FenceState, REMEMBERED_REQUESTS};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The file name inside `--state-dir`.
pub const STATE_FILE: &str = "agent-state.json";
const FORMAT_VERSION: u32 = 1;

/// Everything the agent must remember across restarts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PersistedState {
    /// Format version, for later migrations.
    pub version: u32,
    /// Epoch, active flag and answered request ids.
    pub fence: FenceState,
    /// Results of finished work by request id, oldest first, bounded like the fence memory.
    #[serde(default)]
    pub results: VecDeque<StoredResult>,
}

/// The result of one finished work request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredResult {
    /// The request id.
    pub request_id: String,
    /// What was asked (operation and arguments), to tell a retry from a reused id.
    pub fingerprint: String,
    /// What was done.
    pub report: Report,
}

impl PersistedState {
    /// The stored result of a request id.
    pub fn result(&self, request_id: &str) -> Option<&StoredResult> {
        self.results.iter().find(|r| r.request_id == request_id)
    }

    /// Remembers a result, forgetting the oldest beyond the bound.
    pub fn remember(&mut self, result: StoredResult) {
        self.results.retain(|r| r.request_id != result.request_id);
        self.results.push_back(result);
        while self.results.len() > REMEMBERED_REQUESTS {
            self.results.pop_front();
        }
    }
}

/// Reads and writes the state file in a directory.
#[derive(Clone, Debug)]
pub struct StateStore {
    dir: PathBuf,
}

impl StateStore {
    /// Opens (creating the directory if needed) and loads the state; a missing file is a
    /// fresh site at epoch 0, standby.
    pub fn open(dir: &Path) -> Result<(StateStore, PersistedState), AgentError> {
        std::fs::create_dir_all(dir).map_err(|e| AgentError::io(dir, e))?;
        let store = StateStore {
            dir: dir.to_path_buf(),
        };
        let path = store.path();
        let state = match std::fs::read(&path) {
            Ok(bytes) => {
                serde_json::from_slice::<PersistedState>(&bytes).map_err(|e| AgentError::State {
                    path: path.clone(),
                    reason: e.to_string(),
                })?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => PersistedState {
                version: FORMAT_VERSION,
                ..PersistedState::default()
            },
            Err(e) => return Err(AgentError::io(path, e)),
        };
        if state.version > FORMAT_VERSION {
            return Err(AgentError::State {
                path,
                reason: format!(
                    "written by a newer Pusdata (format {}, this one reads {FORMAT_VERSION})",
                    state.version
                ),
            });
        }
        Ok((store, state))
    }

    /// The state file's path.
    pub fn path(&self) -> PathBuf {
        self.dir.join(STATE_FILE)
    }

    /// Replaces the state file atomically and durably: write a temporary file, fsync it,
    /// rename it over the old one, fsync the directory (so the rename itself survives a
    /// power cut). Blocking: call from `spawn_blocking`.
    pub fn save(&self, state: &PersistedState) -> Result<(), AgentError> {
        let path = self.path();
        let tmp = self.dir.join(format!("{STATE_FILE}.tmp"));
        let mut bytes = serde_json::to_vec_pretty(state).map_err(|e| AgentError::State {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        bytes.push(b'\n');
        let mut f = std::fs::File::create(&tmp).map_err(|e| AgentError::io(&tmp, e))?;
        f.write_all(&bytes).map_err(|e| AgentError::io(&tmp, e))?;
        f.sync_all().map_err(|e| AgentError::io(&tmp, e))?;
        drop(f);
        std::fs::rename(&tmp, &path).map_err(|e| AgentError::io(&path, e))?;
        let dir = std::fs::File::open(&self.dir).map_err(|e| AgentError::io(&self.dir, e))?;
        dir.sync_all().map_err(|e| AgentError::io(&self.dir, e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trip_and_fresh() {
        let dir = tempfile::tempdir().unwrap();
        let (store, fresh) = StateStore::open(dir.path()).unwrap();
        assert_eq!((fresh.fence.epoch, fresh.fence.active), (0, false));
        let mut s = fresh.clone();
        s.fence.epoch = 7;
        s.fence.active = true;
        store.save(&s).unwrap();
        let (_, back) = StateStore::open(dir.path()).unwrap();
        assert_eq!(back, s);
        assert!(!dir.path().join(format!("{STATE_FILE}.tmp")).exists());
    }

    #[test]
    fn torn_file_is_an_error_not_a_fresh_site() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(STATE_FILE), b"{\"version\":1,\"fen").unwrap();
        assert!(StateStore::open(dir.path()).is_err());
    }
}
