//! The mirror's only state: when each destination-only key was first seen missing at the
//! source, in a small JSON file (one per direction), written atomically.

use super::error::MirrorError;
use jiff::Timestamp;
use pusdata_core::mirror::MissingSince;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The state file's content.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MirrorState {
    /// Format version.
    #[serde(default = "one")]
    pub version: u32,
    /// The source URL of the last run (informative).
    #[serde(default)]
    pub source: String,
    /// The destination URL of the last run (informative).
    #[serde(default)]
    pub destination: String,
    /// The last run's "now".
    #[serde(default)]
    pub updated: Option<Timestamp>,
    /// Key → first seen missing at the source.
    #[serde(default)]
    pub missing_since: MissingSince,
}

fn one() -> u32 {
    1
}

fn err(path: &Path, e: impl std::fmt::Display) -> MirrorError {
    MirrorError::State {
        path: path.display().to_string(),
        error: e.to_string(),
    }
}

/// Reads the state; a missing file is an empty state.
pub fn load_state(path: &Path) -> Result<MirrorState, MirrorError> {
    match std::fs::read(path) {
        Ok(b) => serde_json::from_slice(&b).map_err(|e| err(path, e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(MirrorState {
            version: 1,
            ..MirrorState::default()
        }),
        Err(e) => Err(err(path, e)),
    }
}

/// Writes the state through a temporary file and a rename, so a crash leaves the old one.
pub fn save_state(path: &Path, state: &MirrorState) -> Result<(), MirrorError> {
    let mut s = state.clone();
    s.version = 1;
    let body = serde_json::to_vec_pretty(&s).map_err(|e| err(path, e))?;
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, body).map_err(|e| err(path, e))?;
    std::fs::rename(&tmp, path).map_err(|e| err(path, e))
}

/// Reads the state kept in the destination ([`pusdata_core::mirror::STATE_KEY`] under its
/// prefix); a missing object is an empty state.
pub async fn load_state_s3(
    client: &aws_sdk_s3::Client,
    ep: &super::endpoint::S3Endpoint,
) -> Result<MirrorState, MirrorError> {
    let key = ep.key(pusdata_core::mirror::STATE_KEY);
    let where_ = || format!("{}{}", ep.url(), pusdata_core::mirror::STATE_KEY);
    match client
        .get_object()
        .bucket(&ep.bucket)
        .key(&key)
        .send()
        .await
    {
        Ok(o) => {
            let body = o
                .body
                .collect()
                .await
                .map_err(|e| err(Path::new(&where_()), e))?
                .into_bytes();
            serde_json::from_slice(&body).map_err(|e| err(Path::new(&where_()), e))
        }
        Err(e)
            if e.as_service_error()
                .is_some_and(aws_sdk_s3::operation::get_object::GetObjectError::is_no_such_key) =>
        {
            Ok(MirrorState {
                version: 1,
                ..MirrorState::default()
            })
        }
        Err(e) => Err(err(Path::new(&where_()), super::copy::sdk_error(&e))),
    }
}

/// Writes the state into the destination (one PUT: the object is replaced whole or not).
pub async fn save_state_s3(
    client: &aws_sdk_s3::Client,
    ep: &super::endpoint::S3Endpoint,
    state: &MirrorState,
) -> Result<(), MirrorError> {
    let where_ = format!("{}{}", ep.url(), pusdata_core::mirror::STATE_KEY);
    let mut s = state.clone();
    s.version = 1;
    let body = serde_json::to_vec_pretty(&s).map_err(|e| err(Path::new(&where_), e))?;
    client
        .put_object()
        .bucket(&ep.bucket)
        .key(ep.key(pusdata_core::mirror::STATE_KEY))
        .content_type("application/json")
        .body(aws_sdk_s3::primitives::ByteStream::from(body))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| err(Path::new(&where_), super::copy::sdk_error(&e)))
}
