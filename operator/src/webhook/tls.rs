//! TLS for the webhook: rustls with the aws-lc-rs provider, and a certificate that follows
//! its files.
//!
//! [`ReloadingCert`] is a rustls `ResolvesServerCert` over the PEM files of a mounted Secret.
//! At most once per [`CHECK_EVERY`], a handshake re-reads both files; when their content
//! changed and the pair is valid (parses, key matches the certificate), new handshakes get
//! the new pair. Connections already open keep the session they negotiated, so a rotation by
//! cert-manager or the operator needs no restart and drops nothing. A half-written rotation
//! (new certificate, old key) is refused and the previous pair kept until the key follows.

use arc_swap::ArcSwap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::server::{ClientHello, ResolvesServerCert};
use tokio_rustls::rustls::sign::CertifiedKey;

/// How often a handshake may look at the files (one read of both files per second at most,
/// whatever the request rate).
pub const CHECK_EVERY: Duration = Duration::from_secs(1);

/// The process-wide provider, chosen explicitly: ring may also be in the tree (rustic), and
/// rustls refuses to guess.
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// A certificate chain and its key from PEM, checked to belong together.
pub fn certified_key(cert_pem: &[u8], key_pem: &[u8]) -> Result<CertifiedKey, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("certificate: {e}"))?;
    if certs.is_empty() {
        return Err("certificate: no PEM certificate found".into());
    }
    // The key's content never reaches an error message: rustls' errors name its kind only.
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| format!("key: {e}"))?;
    CertifiedKey::from_der(certs, key, &provider()).map_err(|e| format!("key: {e}"))
}

/// An acceptor for HTTP/1.1 over TLS whose certificate `resolver` picks per handshake.
pub fn acceptor(resolver: Arc<dyn ResolvesServerCert>) -> Result<TlsAcceptor, String> {
    let mut config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_cert_resolver(resolver);
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// The TLS acceptor for a fixed PEM certificate chain and key (benchmarks, tests).
pub fn tls_acceptor(cert_pem: &[u8], key_pem: &[u8]) -> Result<TlsAcceptor, String> {
    let key = certified_key(cert_pem, key_pem)?;
    acceptor(Arc::new(rustls::sign::SingleCertAndKey::from(key)))
}

/// The files as last read, and when they were last looked at.
#[derive(Debug)]
struct Seen {
    checked: Instant,
    cert_pem: Vec<u8>,
    key_pem: Vec<u8>,
}

/// A server certificate that follows its PEM files (see the module documentation).
#[derive(Debug)]
pub struct ReloadingCert {
    cert_path: PathBuf,
    key_path: PathBuf,
    check_every: Duration,
    current: ArcSwap<CertifiedKey>,
    seen: Mutex<Seen>,
}

impl ReloadingCert {
    /// Loads the pair now (an error names the paths, never the key's content).
    pub fn load(cert: &Path, key: &Path, check_every: Duration) -> Result<ReloadingCert, String> {
        let (cert_pem, key_pem) = read_pair(cert, key)?;
        let ck = certified_key(&cert_pem, &key_pem)
            .map_err(|e| format!("{} / {}: {e}", cert.display(), key.display()))?;
        Ok(ReloadingCert {
            cert_path: cert.to_path_buf(),
            key_path: key.to_path_buf(),
            check_every,
            current: ArcSwap::from_pointee(ck),
            seen: Mutex::new(Seen {
                checked: Instant::now(),
                cert_pem,
                key_pem,
            }),
        })
    }

    /// Re-reads the files if the last look is older than the interval; swaps in a changed,
    /// valid pair. Returns whether the certificate changed. Never blocks a handshake on
    /// another: when one is already looking, the others use the current pair.
    pub fn refresh(&self) -> bool {
        let Ok(mut seen) = self.seen.try_lock() else {
            return false;
        };
        if seen.checked.elapsed() < self.check_every {
            return false;
        }
        seen.checked = Instant::now();
        let (cert_pem, key_pem) = match read_pair(&self.cert_path, &self.key_path) {
            Ok(pair) => pair,
            Err(e) => {
                tracing::warn!(error = %e, "webhook certificate unreadable; keeping the current one");
                return false;
            }
        };
        if cert_pem == seen.cert_pem && key_pem == seen.key_pem {
            return false;
        }
        let changed = match certified_key(&cert_pem, &key_pem) {
            Ok(ck) => {
                self.current.store(Arc::new(ck));
                tracing::info!(cert = %self.cert_path.display(), "webhook certificate reloaded");
                true
            }
            Err(e) => {
                // Remembered as seen, so the warning is logged once per change of the files.
                tracing::warn!(cert = %self.cert_path.display(), error = %e,
                    "new webhook certificate refused; keeping the current one");
                false
            }
        };
        seen.cert_pem = cert_pem;
        seen.key_pem = key_pem;
        changed
    }

    /// The pair new handshakes get.
    pub fn current(&self) -> Arc<CertifiedKey> {
        self.current.load_full()
    }
}

impl ResolvesServerCert for ReloadingCert {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.refresh();
        Some(self.current())
    }
}

fn read_pair(cert: &Path, key: &Path) -> Result<(Vec<u8>, Vec<u8>), String> {
    let c = std::fs::read(cert).map_err(|e| format!("{}: {e}", cert.display()))?;
    let k = std::fs::read(key).map_err(|e| format!("{}: {e}", key.display()))?;
    Ok((c, k))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair() -> (String, String) {
        let c = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
        (c.cert.pem(), c.signing_key.serialize_pem())
    }

    fn leaf(ck: &CertifiedKey) -> Vec<u8> {
        ck.cert[0].to_vec()
    }

    #[test]
    fn a_changed_valid_pair_is_swapped_in_and_a_mismatched_one_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = (dir.path().join("tls.crt"), dir.path().join("tls.key"));
        let (a_cert, a_key) = pair();
        std::fs::write(&cert, &a_cert).unwrap();
        std::fs::write(&key, &a_key).unwrap();
        let r = ReloadingCert::load(&cert, &key, Duration::ZERO).unwrap();
        let a = leaf(&r.current());
        assert!(!r.refresh(), "unchanged files are no reload");

        // Half a rotation: new certificate, old key. Refused, A stays.
        let (b_cert, b_key) = pair();
        std::fs::write(&cert, &b_cert).unwrap();
        assert!(!r.refresh());
        assert_eq!(leaf(&r.current()), a);

        // The key follows: B.
        std::fs::write(&key, &b_key).unwrap();
        assert!(r.refresh());
        let b = leaf(&r.current());
        assert_ne!(b, a);

        // Garbage or a missing file: B stays.
        std::fs::write(&cert, "not a certificate").unwrap();
        assert!(!r.refresh());
        std::fs::remove_file(&key).unwrap();
        assert!(!r.refresh());
        assert_eq!(leaf(&r.current()), b);
    }

    #[test]
    fn files_are_looked_at_once_per_interval_at_most() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = (dir.path().join("tls.crt"), dir.path().join("tls.key"));
        let (a_cert, a_key) = pair();
        std::fs::write(&cert, &a_cert).unwrap();
        std::fs::write(&key, &a_key).unwrap();
        let r = ReloadingCert::load(&cert, &key, Duration::from_secs(3600)).unwrap();
        let (b_cert, b_key) = pair();
        std::fs::write(&cert, &b_cert).unwrap();
        std::fs::write(&key, &b_key).unwrap();
        assert!(!r.refresh(), "within the interval the files are not read");
    }

    #[test]
    fn load_errors_name_the_files_not_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = (dir.path().join("tls.crt"), dir.path().join("tls.key"));
        let (a_cert, _) = pair();
        let (_, other_key) = pair();
        std::fs::write(&cert, &a_cert).unwrap();
        std::fs::write(&key, &other_key).unwrap();
        let e = ReloadingCert::load(&cert, &key, CHECK_EVERY).unwrap_err();
        assert!(e.contains("tls.crt") && e.contains("tls.key"), "{e}");
        assert!(!e.contains("PRIVATE KEY"), "{e}");
        let e = ReloadingCert::load(&dir.path().join("missing"), &key, CHECK_EVERY).unwrap_err();
        assert!(e.contains("missing"), "{e}");
    }
}
