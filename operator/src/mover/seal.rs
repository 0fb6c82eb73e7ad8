//! Restic's sealing (AES-256-CTR + Poly1305-AES) with a repository's master key or a key
//! derived from a password: lock files (`lock`) and key files (`key`) are sealed alike. A
//! leaf, so both can use it.

use super::error::MoverError;
use aes256ctr_poly1305aes::Aes256CtrPoly1305Aes;
use aes256ctr_poly1305aes::aead::Aead;
use rand::{Rng, rng};
use std::fmt;

/// The repository's master key (64 bytes: AES key, Poly1305 `k`, Poly1305 `r`).
#[derive(Clone)]
pub(crate) struct MasterKey(aes256ctr_poly1305aes::Key);

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(***)")
    }
}

impl MasterKey {
    /// A key from its 64 bytes (also a key derived by scrypt from a password, which seals a
    /// key file the same way: `mover::key`).
    pub(crate) fn from_bytes(bytes: &[u8; 64]) -> MasterKey {
        MasterKey(aes256ctr_poly1305aes::Key::from(*bytes))
    }

    /// The repository's master key as a key file holds it; `None` when its parts do not
    /// add up to 64 bytes.
    pub(crate) fn from_master(m: &rustic_core::repofile::MasterKey) -> Option<MasterKey> {
        let bytes: [u8; 64] = [&m.encrypt[..], &m.mac.k, &m.mac.r]
            .concat()
            .try_into()
            .ok()?;
        Some(MasterKey::from_bytes(&bytes))
    }

    /// Seals `plain` as restic does: 16-byte random nonce, ciphertext, 16-byte MAC.
    pub(crate) fn seal(&self, plain: &[u8]) -> Result<Vec<u8>, MoverError> {
        let mut nonce = [0u8; 16];
        rng().fill_bytes(&mut nonce);
        let sealed = Aes256CtrPoly1305Aes::new(&self.0)
            .encrypt(&nonce.into(), plain)
            .map_err(|_| MoverError::Repository("cannot encrypt a lock file".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens a sealed file; `None` when the MAC does not match (another key, or damage).
    pub(crate) fn open(&self, data: &[u8]) -> Option<Vec<u8>> {
        let (nonce, rest) = data.split_at_checked(16)?;
        let nonce: [u8; 16] = nonce.try_into().ok()?;
        Aes256CtrPoly1305Aes::new(&self.0)
            .decrypt(&nonce.into(), rest)
            .ok()
    }
}
