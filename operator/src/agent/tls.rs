//! Certificates for the mTLS link between sites, and the process-wide rustls provider.
//!
//! The files are the three keys of the Site's `agentTlsSecret` (a `kubernetes.io/tls`
//! Secret plus `ca.crt`): `tls.crt`, `tls.key` and `ca.crt`. Both sites' certificates are
//! issued by the same CA; each side verifies the other against it.

use super::AgentError;
use std::fmt;
use std::path::Path;
use tonic::transport::{Certificate, ClientTlsConfig, Identity, ServerTlsConfig};

/// Installs aws-lc-rs as the process-wide rustls crypto provider.
///
/// Both `ring` and `aws-lc-rs` end up in the dependency tree (opendal pulls ring), and
/// rustls then refuses to guess which one to use, panicking at the first TLS config built.
/// Call this first thing in `main` and in tests. A second call is harmless.
pub fn install_crypto_provider() {
    // Err only means a provider is installed already, which is what we want.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

/// PEM material of one side of the link. The private key never appears in `Debug` output
/// or logs.
#[derive(Clone)]
pub struct TlsMaterial {
    /// This side's certificate chain (`tls.crt`).
    pub cert_pem: Vec<u8>,
    /// This side's private key (`tls.key`).
    pub key_pem: Vec<u8>,
    /// The CA that issued the peer's certificate (`ca.crt`).
    pub ca_pem: Vec<u8>,
}

impl fmt::Debug for TlsMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsMaterial")
            .field("cert_pem", &format_args!("{} bytes", self.cert_pem.len()))
            .field("key_pem", &"<redacted>")
            .field("ca_pem", &format_args!("{} bytes", self.ca_pem.len()))
            .finish()
    }
}

impl TlsMaterial {
    /// SHA-256 (hex) over the three PEM blocks, each length-prefixed: equal exactly when the
    /// material is. A client built from this material is reused only while the fingerprint
    /// is unchanged, so a rotated Secret builds a new client. Not secret-revealing (a hash),
    /// but still kept out of logs.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for part in [&self.cert_pem, &self.key_pem, &self.ca_pem] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part);
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Reads the three PEM files, checking that each holds what it should (so a swapped
    /// flag fails at start-up with the file's name, not at the first handshake).
    pub fn read(cert: &Path, key: &Path, ca: &Path) -> Result<TlsMaterial, AgentError> {
        let read = |p: &Path| std::fs::read(p).map_err(|e| AgentError::io(p, e));
        let m = TlsMaterial {
            cert_pem: read(cert)?,
            key_pem: read(key)?,
            ca_pem: read(ca)?,
        };
        let has = |pem: &[u8], what: &str| String::from_utf8_lossy(pem).contains(what);
        if !has(&m.cert_pem, "BEGIN CERTIFICATE") {
            return Err(AgentError::Tls(format!(
                "{}: no PEM certificate",
                cert.display()
            )));
        }
        if !has(&m.key_pem, "PRIVATE KEY-----") {
            return Err(AgentError::Tls(format!(
                "{}: no PEM private key",
                key.display()
            )));
        }
        if !has(&m.ca_pem, "BEGIN CERTIFICATE") {
            return Err(AgentError::Tls(format!(
                "{}: no PEM CA certificate",
                ca.display()
            )));
        }
        Ok(m)
    }

    /// Server side: present our certificate and require a client certificate issued by the
    /// CA. There is deliberately no way to make client certificates optional.
    pub fn server_config(&self) -> ServerTlsConfig {
        ServerTlsConfig::new()
            .identity(Identity::from_pem(&self.cert_pem, &self.key_pem))
            .client_ca_root(Certificate::from_pem(&self.ca_pem))
            .client_auth_optional(false)
    }

    /// Client side: trust only the CA (not the system roots) and present our certificate.
    /// `domain` is the name the server's certificate must carry (defaults to the endpoint's
    /// host).
    pub fn client_config(&self, domain: Option<&str>) -> ClientTlsConfig {
        let c = ClientTlsConfig::new()
            .ca_certificate(Certificate::from_pem(&self.ca_pem))
            .identity(Identity::from_pem(&self.cert_pem, &self.key_pem));
        match domain {
            Some(d) => c.domain_name(d),
            None => c,
        }
    }
}

/// Client side without a certificate of our own: only for tests proving the server refuses
/// such clients.
#[doc(hidden)]
pub fn client_config_without_identity(ca_pem: &[u8], domain: Option<&str>) -> ClientTlsConfig {
    let c = ClientTlsConfig::new().ca_certificate(Certificate::from_pem(ca_pem));
    match domain {
        Some(d) => c.domain_name(d),
        None => c,
    }
}

/// Paths of the three PEM files an agent is started with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFiles {
    /// `tls.crt`.
    pub cert: std::path::PathBuf,
    /// `tls.key`.
    pub key: std::path::PathBuf,
    /// `ca.crt`.
    pub ca: std::path::PathBuf,
}

/// Throwaway certificates for running both sites on one machine (`pusdata drill --local`):
/// a fresh CA, an agent certificate for `localhost` and `127.0.0.1`, and a client
/// certificate for the primary. Generated in memory each run; never for production, where
/// the IT office's CA issues the Secrets (docs/reference/agent.md).
#[derive(Clone, Debug)]
pub struct LocalPki {
    /// The agent's side (server certificate, key, CA).
    pub server: TlsMaterial,
    /// The primary's side (client certificate, key, CA).
    pub client: TlsMaterial,
}

impl LocalPki {
    /// Generates the CA and both certificates.
    pub fn generate() -> Result<LocalPki, AgentError> {
        use rcgen::{
            BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose,
            IsCa, KeyPair, KeyUsagePurpose,
        };
        let err = |e: rcgen::Error| AgentError::Tls(format!("generating local certificates: {e}"));
        let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
        ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca.distinguished_name
            .push(DnType::CommonName, "Pusdata local drill CA");
        ca.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca =
            CertifiedIssuer::self_signed(ca, KeyPair::generate().map_err(err)?).map_err(err)?;
        let leaf =
            |names: Vec<String>, eku: ExtendedKeyUsagePurpose| -> Result<TlsMaterial, AgentError> {
                let mut p = CertificateParams::new(names.clone()).map_err(err)?;
                if let Some(cn) = names.first() {
                    p.distinguished_name.push(DnType::CommonName, cn.as_str());
                }
                p.extended_key_usages = vec![eku];
                let key = KeyPair::generate().map_err(err)?;
                let cert = p.signed_by(&key, &ca).map_err(err)?;
                Ok(TlsMaterial {
                    cert_pem: cert.pem().into_bytes(),
                    key_pem: key.serialize_pem().into_bytes(),
                    ca_pem: ca.pem().into_bytes(),
                })
            };
        Ok(LocalPki {
            server: leaf(
                vec!["localhost".into(), "127.0.0.1".into()],
                ExtendedKeyUsagePurpose::ServerAuth,
            )?,
            client: leaf(
                vec!["primary.local".into()],
                ExtendedKeyUsagePurpose::ClientAuth,
            )?,
        })
    }
}

impl TlsMaterial {
    /// Writes `tls.crt`, `tls.key` (owner-only on Unix) and `ca.crt` into `dir`, as a
    /// mounted Secret would look.
    pub fn write_files(&self, dir: &Path) -> Result<TlsFiles, AgentError> {
        std::fs::create_dir_all(dir).map_err(|e| AgentError::io(dir, e))?;
        let files = TlsFiles {
            cert: dir.join("tls.crt"),
            key: dir.join("tls.key"),
            ca: dir.join("ca.crt"),
        };
        std::fs::write(&files.cert, &self.cert_pem).map_err(|e| AgentError::io(&files.cert, e))?;
        std::fs::write(&files.ca, &self.ca_pem).map_err(|e| AgentError::io(&files.ca, e))?;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts
            .open(&files.key)
            .map_err(|e| AgentError::io(&files.key, e))?;
        std::io::Write::write_all(&mut f, &self.key_pem)
            .map_err(|e| AgentError::io(&files.key, e))?;
        Ok(files)
    }
}
