//! The key file of repositories Pusdata creates.
//!
//! rustic_core 0.13 writes every key with scrypt `N = 2^17, r = 8, p = 1`
//! (`Params::RECOMMENDED`, not configurable): 128 MiB of memory and ~0.4 s of CPU each time a
//! mover opens the repository — most of the mover's peak RSS and a fixed cost on every Job.
//! restic caps its calibrated KDF at 60 MiB (measured on this machine: `N = 2^14, r = 8,
//! p = 3`). Pusdata writes the key itself with `N = 2^14, r = 8, p = 4`: four independent
//! 16 MiB lanes that scrypt's `parallel` feature runs one per core (32 MiB at once on two
//! cores), and a work factor (`N·r·p = 2^19`) above restic's here (`3·2^17`), so the key is
//! no weaker than the peer's while a Job opens the repository in a sixth of rustic's time.
//! The file is restic's key format, read by restic and rustic alike (the tests open every
//! repository with the restic CLI).
//!
//! Crash safety: the key file is written before the repository's config. A creation that
//! died between the two leaves `keys/` without a config; the next creation finds that key,
//! opens it with the password and reuses its master key, so a half-made repository never
//! ends with a config no key can open.

use super::error::MoverError;
use super::seal::MasterKey as Sealer;
use rand::{Rng, rng};
use rustic_core::repofile::{KeyFile, MasterKey};
use sha2::{Digest, Sha256};

/// scrypt cost parameters of keys Pusdata writes (see the module comment for why).
pub const LOG_N: u8 = 14;
/// scrypt block size.
pub const R: u32 = 8;
/// scrypt parallelism.
pub const P: u32 = 4;

/// A key file ready to store as `keys/<id>`: restic names key files by the SHA-256 of their
/// bytes.
pub struct NewKeyFile {
    /// Lowercase hex SHA-256 of `bytes`.
    pub id: String,
    /// The JSON key file.
    pub bytes: Vec<u8>,
}

#[cfg(test)]
thread_local! {
    /// scrypt derivations Pusdata's own code ran on this thread (tests: a run derives the
    /// key once, in rustic's open, and never again for its lock).
    pub(crate) static DERIVATIONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn derive(password: &str, salt: &[u8], log_n: u8, r: u32, p: u32) -> Result<[u8; 64], MoverError> {
    #[cfg(test)]
    DERIVATIONS.with(|d| d.set(d.get() + 1));
    let params = scrypt::Params::new(log_n, r, p)
        .map_err(|e| MoverError::Repository(format!("invalid scrypt parameters: {e}")))?;
    let mut out = [0u8; 64];
    scrypt::scrypt(password.as_bytes(), salt, &params, &mut out)
        .map_err(|e| MoverError::Repository(format!("scrypt failed: {e}")))?;
    Ok(out)
}

/// Encrypts `master` under `password` into a restic-format key file.
pub fn key_file(
    master: &MasterKey,
    password: &str,
    hostname: Option<String>,
) -> Result<NewKeyFile, MoverError> {
    let mut salt = [0u8; 64];
    rng().fill_bytes(&mut salt);
    let derived = derive(password, &salt, LOG_N, R, P)?;
    let plain = serde_json::to_vec(master)
        .map_err(|e| MoverError::Repository(format!("cannot encode the master key: {e}")))?;
    let data = Sealer::from_bytes(&derived).seal(&plain)?;
    let file = KeyFile {
        hostname,
        username: Some("pusdata".into()),
        created: Some(jiff::Zoned::now()),
        kdf: "scrypt".into(),
        n: 1u32 << LOG_N,
        r: R,
        p: P,
        data,
        salt: salt.to_vec(),
    };
    let bytes = serde_json::to_vec(&file)
        .map_err(|e| MoverError::Repository(format!("cannot encode the key file: {e}")))?;
    let id = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(NewKeyFile { id, bytes })
}

/// The master key in `bytes` (a key file), if `password` opens it; `Ok(None)` when the
/// password is not this key's.
pub fn open_key_file(bytes: &[u8], password: &str) -> Result<Option<MasterKey>, MoverError> {
    let file: KeyFile = serde_json::from_slice(bytes)
        .map_err(|e| MoverError::Repository(format!("unreadable key file: {e}")))?;
    if file.kdf != "scrypt" || !file.n.is_power_of_two() || file.data.len() < 32 {
        return Err(MoverError::Repository(format!(
            "unsupported key file (kdf {}, N {})",
            file.kdf, file.n
        )));
    }
    let derived = derive(
        password,
        &file.salt,
        file.n.trailing_zeros() as u8,
        file.r,
        file.p,
    )?;
    let Some(plain) = Sealer::from_bytes(&derived).open(&file.data) else {
        return Ok(None);
    };
    serde_json::from_slice(&plain)
        .map(Some)
        .map_err(|e| MoverError::Repository(format!("unreadable master key: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_opens_with_its_password_only() {
        let master = MasterKey::new();
        let k = key_file(&master, "rahasia-dinas", Some("h".into())).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&k.bytes).unwrap();
        assert_eq!(json["N"], 16384);
        assert_eq!(json["r"], 8);
        assert_eq!(json["p"], 4);
        assert_eq!(json["kdf"], "scrypt");
        assert_eq!(k.id.len(), 64);
        assert_eq!(k.id, format!("{:x}", Sha256::digest(&k.bytes)));
        let opened = open_key_file(&k.bytes, "rahasia-dinas").unwrap().unwrap();
        assert_eq!(
            serde_json::to_value(&opened).unwrap(),
            serde_json::to_value(&master).unwrap()
        );
        assert!(open_key_file(&k.bytes, "salah").unwrap().is_none());
        // Two files of the same key differ (fresh salt and nonce).
        let again = key_file(&master, "rahasia-dinas", None).unwrap();
        assert_ne!(again.id, k.id);
    }
}
