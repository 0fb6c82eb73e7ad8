//! A serving certificate read from files and re-read when they change, so a rotated
//! certificate (the operator or cert-manager rewrites the Secret, the kubelet refreshes the
//! mounted files) is served without restarting the webhook. A broken new pair (half-written,
//! mismatched) is logged and the previous certificate kept.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_rustls::rustls;
use tokio_rustls::rustls::crypto::CryptoProvider;
use tokio_rustls::rustls::server::{ClientHello, ResolvesServerCert};
use tokio_rustls::rustls::sign::CertifiedKey;

/// How often the files are compared with what is served.
const CHECK_EVERY: Duration = Duration::from_secs(10);

/// The current certificate and where it comes from.
#[derive(Debug)]
pub struct ReloadingCert {
    cert: PathBuf,
    key: PathBuf,
    provider: Arc<CryptoProvider>,
    state: Mutex<Loaded>,
}

#[derive(Debug)]
struct Loaded {
    served: Arc<CertifiedKey>,
    bytes: (Vec<u8>, Vec<u8>),
    checked: Instant,
}

impl ReloadingCert {
    /// Reads the pair once; fails if it is unusable.
    pub fn load(
        cert: &Path,
        key: &Path,
        provider: Arc<CryptoProvider>,
    ) -> Result<ReloadingCert, String> {
        let bytes = read_pair(cert, key)?;
        let served = certified(&bytes.0, &bytes.1, &provider)?;
        Ok(ReloadingCert {
            cert: cert.to_path_buf(),
            key: key.to_path_buf(),
            provider,
            state: Mutex::new(Loaded {
                served,
                bytes,
                checked: Instant::now(),
            }),
        })
    }

    /// Re-reads the files now; true if a new certificate is served from now on.
    pub fn check_now(&self) -> bool {
        let Ok(mut state) = self.state.lock() else {
            return false;
        };
        state.checked = Instant::now();
        let bytes = match read_pair(&self.cert, &self.key) {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(error = %e, "webhook certificate unreadable; serving the previous one");
                return false;
            }
        };
        if bytes == state.bytes {
            return false;
        }
        match certified(&bytes.0, &bytes.1, &self.provider) {
            Ok(served) => {
                state.served = served;
                state.bytes = bytes;
                tracing::info!(cert = %self.cert.display(), "webhook certificate reloaded");
                true
            }
            Err(e) => {
                // Paths and the parser's message only: never key material.
                tracing::warn!(error = %e, "new webhook certificate unusable; serving the previous one");
                false
            }
        }
    }

    /// The certificate to serve, re-reading the files at most every few seconds.
    pub fn current(&self) -> Option<Arc<CertifiedKey>> {
        let due = self
            .state
            .lock()
            .map(|s| s.checked.elapsed() >= CHECK_EVERY)
            .unwrap_or(false);
        if due {
            self.check_now();
        }
        self.state.lock().ok().map(|s| s.served.clone())
    }
}

impl ResolvesServerCert for ReloadingCert {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.current()
    }
}

fn read_pair(cert: &Path, key: &Path) -> Result<(Vec<u8>, Vec<u8>), String> {
    let c = std::fs::read(cert).map_err(|e| format!("{}: {e}", cert.display()))?;
    let k = std::fs::read(key).map_err(|e| format!("{}: {e}", key.display()))?;
    Ok((c, k))
}

fn certified(
    cert_pem: &[u8],
    key_pem: &[u8],
    provider: &CryptoProvider,
) -> Result<Arc<CertifiedKey>, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("certificate: {e}"))?;
    if certs.is_empty() {
        return Err("certificate: no PEM certificate found".into());
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| format!("key: {e}"))?;
    let signing = provider
        .key_provider
        .load_private_key(key)
        .map_err(|e| format!("key: {e}"))?;
    let ck = CertifiedKey::new(certs, signing);
    ck.keys_match()
        .map_err(|e| format!("certificate and key: {e}"))?;
    Ok(Arc::new(ck))
}

/// A TLS acceptor serving the pair in `cert` / `key`, reloaded when the files change.
pub fn reloading_acceptor(cert: &Path, key: &Path) -> Result<tokio_rustls::TlsAcceptor, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let resolver = Arc::new(ReloadingCert::load(cert, key, provider.clone())?);
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_cert_resolver(resolver);
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(name: &str) -> (String, String) {
        let c = rcgen::generate_simple_self_signed(vec![name.to_string()]).unwrap();
        (c.cert.pem(), c.signing_key.serialize_pem())
    }

    fn served(r: &ReloadingCert) -> Vec<u8> {
        r.current().unwrap().cert[0].as_ref().to_vec()
    }

    #[test]
    fn a_rewritten_pair_is_served_and_a_broken_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = (dir.path().join("tls.crt"), dir.path().join("tls.key"));
        let (c1, k1) = pair("one.example");
        std::fs::write(&cert, &c1).unwrap();
        std::fs::write(&key, &k1).unwrap();
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let r = ReloadingCert::load(&cert, &key, provider).unwrap();
        let first = served(&r);
        assert!(!r.check_now(), "unchanged files are not reloaded");
        // Rotation: the new pair is served.
        let (c2, k2) = pair("two.example");
        std::fs::write(&cert, &c2).unwrap();
        std::fs::write(&key, &k2).unwrap();
        assert!(r.check_now());
        let second = served(&r);
        assert_ne!(first, second);
        // Half-written rotation (new certificate, old key): keep serving the last good pair.
        let (c3, _) = pair("three.example");
        std::fs::write(&cert, &c3).unwrap();
        assert!(!r.check_now());
        assert_eq!(served(&r), second);
        // Files gone: still the last good pair.
        std::fs::remove_file(&key).unwrap();
        assert!(!r.check_now());
        assert_eq!(served(&r), second);
    }

    #[test]
    fn an_unusable_pair_is_refused_at_start() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = (dir.path().join("tls.crt"), dir.path().join("tls.key"));
        let (c1, _) = pair("one.example");
        let (_, k2) = pair("two.example");
        std::fs::write(&cert, c1).unwrap();
        std::fs::write(&key, k2).unwrap();
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let err = ReloadingCert::load(&cert, &key, provider).unwrap_err();
        assert!(err.contains("certificate and key"), "{err}");
    }
}
