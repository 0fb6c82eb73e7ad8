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
