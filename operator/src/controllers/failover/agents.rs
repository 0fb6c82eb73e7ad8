//! How the Failover controller reaches the site agents: gRPC clients over mTLS, one per site
//! and endpoint, rebuilt when the Site's TLS Secret rotates.

use k8s_openapi::api::core::v1::Secret;
use kube::ResourceExt;
use kube::api::Api;
use pusdata::agent::client::{AgentClient, ClientConfig};
use pusdata::agent::tls::TlsMaterial;
use pusdata_core::i18n::Text;
use pusdata_core::t;
use pusdata_crds::v1alpha1::Site;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// A boxed future (the traits below are used as trait objects).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// How the controller reaches a site's agent: the executor of Restore, Verify, Discard,
/// Promote and Demote. [`GrpcAgents`] is the real one; tests pass it certificates directly.
pub trait SiteAgents: Send + Sync {
    /// A client of `site`'s agent (from `site.spec.endpoints.agent`).
    /// Why there is none is a catalogue message (an outside error is its argument).
    fn agent<'a>(&'a self, site: &'a Site) -> BoxFuture<'a, Result<AgentClient, Text>>;
}

/// gRPC clients of the site agents, with mTLS material from each Site's `agentTlsSecret`
/// (`tls.crt`, `tls.key`, `ca.crt`) or given once for all sites.
pub struct GrpcAgents {
    client: kube::Client,
    default_namespace: String,
    fixed: Option<TlsMaterial>,
    /// Server name the agents' certificates carry; the endpoint's host when `None`.
    pub server_name: Option<String>,
    /// Per-call deadline of quick calls (heartbeat, promote, demote).
    pub call_timeout: Duration,
    /// Attempts per call.
    pub attempts: u32,
    /// One client per site and endpoint, with the fingerprint of the TLS material it was
    /// built from: a rotated Secret (new certificate or CA) replaces it.
    pub(super) clients: tokio::sync::Mutex<BTreeMap<String, (String, AgentClient)>>,
}

impl GrpcAgents {
    /// Certificates from the Sites' Secrets (in `default_namespace` unless the reference
    /// names one).
    pub fn from_secrets(client: kube::Client, default_namespace: &str) -> GrpcAgents {
        GrpcAgents {
            client,
            default_namespace: default_namespace.to_string(),
            fixed: None,
            server_name: None,
            call_timeout: Duration::from_secs(5),
            attempts: 3,
            clients: Default::default(),
        }
    }

    /// The same certificate for every site.
    #[cfg(test)]
    pub fn with_tls(client: kube::Client, tls: TlsMaterial) -> GrpcAgents {
        GrpcAgents {
            fixed: Some(tls),
            ..GrpcAgents::from_secrets(client, "")
        }
    }

    async fn material(&self, site: &Site) -> Result<TlsMaterial, Text> {
        if let Some(t) = &self.fixed {
            return Ok(t.clone());
        }
        let r = site
            .spec
            .agent_tls_secret
            .as_ref()
            .ok_or_else(|| t!("shell-agent-no-tls-secret", site = site.name_any()))?;
        let ns = r.namespace.as_deref().unwrap_or(&self.default_namespace);
        let name = format!("{ns}/{}", r.name);
        let secret = Api::<Secret>::namespaced(self.client.clone(), ns)
            .get(&r.name)
            .await
            .map_err(|e| {
                t!(
                    "shell-agent-secret-unreadable",
                    secret = name.as_str(),
                    error = e.to_string()
                )
            })?;
        let data = secret.data.unwrap_or_default();
        let field = |k: &str| {
            data.get(k).map(|b| b.0.clone()).ok_or_else(|| {
                t!(
                    "shell-agent-secret-field-missing",
                    secret = name.as_str(),
                    field = k
                )
            })
        };
        Ok(TlsMaterial {
            cert_pem: field("tls.crt")?,
            key_pem: field("tls.key")?,
            ca_pem: field("ca.crt")?,
        })
    }
}

impl SiteAgents for GrpcAgents {
    fn agent<'a>(&'a self, site: &'a Site) -> BoxFuture<'a, Result<AgentClient, Text>> {
        Box::pin(async move {
            let endpoint = site
                .spec
                .endpoints
                .agent
                .clone()
                .ok_or_else(|| t!("shell-agent-no-endpoint", site = site.name_any()))?;
            let key = format!("{}={endpoint}", site.name_any());
            // The Secret is read on every call (one GET) so a rotation is picked up at the next
            // call; the client (and its connection) is reused while the material is the same.
            let tls = self.material(site).await?;
            let fingerprint = tls.fingerprint();
            let mut clients = self.clients.lock().await;
            if let Some((fp, c)) = clients.get(&key)
                && *fp == fingerprint
            {
                return Ok(c.clone());
            }
            if clients.contains_key(&key) {
                tracing::info!(site = %site.name_any(), "agent TLS material rotated: new client");
            }
            let mut cfg = ClientConfig::new(&endpoint, &tls, self.server_name.as_deref());
            cfg.call_timeout = self.call_timeout;
            cfg.connect_timeout = self.call_timeout;
            cfg.attempts = self.attempts;
            let c = AgentClient::new(cfg)
                .map_err(|e| t!("shell-agent-client", error = e.to_string()))?;
            clients.insert(key, (fingerprint, c.clone()));
            Ok(c)
        })
    }
}
