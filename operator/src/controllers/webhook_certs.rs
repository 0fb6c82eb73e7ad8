//! Webhook certificates: the operator issues a CA and a serving certificate for the webhook
//! Service into a Secret, and injects the CA bundle into the Validating- and
//! MutatingWebhookConfiguration, renewing two thirds through the lifetime
//! (`pusdata_core::certs::decide`). With `--webhook-certs=cert-manager` none of this runs:
//! cert-manager issues the Secret and its CA injector fills the bundle.
//!
//! A rotation puts the new CA first in the bundle and keeps the previous one, so webhook
//! replicas still serving the old certificate stay trusted until they reload the files.

use super::permission::Permission;
use super::{Error, FIELD_MANAGER};
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::ByteString;
use k8s_openapi::api::admissionregistration::v1::{
    MutatingWebhookConfiguration, ValidatingWebhookConfiguration,
};
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, Patch, PatchParams, PostParams};
use pusdata_core::certs::{self, Current, Reason, Rotation};
use std::collections::BTreeMap;

/// The name of both webhook configurations the chart installs.
pub const WEBHOOK_CONFIGURATION: &str = "pusdata";

/// Cluster-scoped API calls (the webhook configurations, restricted to
/// [`WEBHOOK_CONFIGURATION`] by `resourceNames` in the chart).
pub const PERMISSIONS: &[Permission] = &[
    Permission {
        group: "admissionregistration.k8s.io",
        resource: "validatingwebhookconfigurations",
        verbs: &["get", "patch"],
    },
    Permission {
        group: "admissionregistration.k8s.io",
        resource: "mutatingwebhookconfigurations",
        verbs: &["get", "patch"],
    },
];

/// API calls in the operator's own namespace (the certificate Secret).
pub const NAMESPACE_PERMISSIONS: &[Permission] = &[Permission {
    group: "",
    resource: "secrets",
    verbs: &["get", "create", "update"],
}];

const NOT_BEFORE: &str = "pusdata.io/not-before";
const NOT_AFTER: &str = "pusdata.io/not-after";
const DNS_NAMES: &str = "pusdata.io/dns-names";
/// The bundle to inject: the current CA and, after a rotation, the previous one.
const BUNDLE_KEY: &str = "ca-bundle.crt";

/// Where the certificate goes and for how long it is valid.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Namespace of the Secret and the webhook Service.
    pub namespace: String,
    /// The Secret's name (`tls.crt`, `tls.key`, `ca.crt`).
    pub secret: String,
    /// The webhook Service's name.
    pub service: String,
    /// The webhook configurations' name.
    pub configuration: String,
    /// Lifetime of the CA and the serving certificate.
    pub validity: SignedDuration,
}

/// What one pass did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// `Some(reason)` when a new certificate was issued.
    pub issued: Option<Reason>,
    /// When the certificate is next due.
    pub renew_at: Timestamp,
    /// Webhook configurations whose bundle was written (0 when already current).
    pub injected: usize,
}

/// Issues or keeps the certificate, then makes both webhook configurations trust it.
pub async fn reconcile_once(
    client: &kube::Client,
    settings: &Settings,
    now: Timestamp,
) -> Result<Outcome, Error> {
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &settings.namespace);
    let existing = secrets.get_opt(&settings.secret).await?;
    let names = certs::service_dns_names(&settings.service, &settings.namespace);
    let current = existing.as_ref().map(read_current);
    let (secret, issued, renew_at) = match certs::decide(current.as_ref(), &names, now) {
        Rotation::Keep { renew_at } => match existing {
            Some(s) => (s, None, renew_at),
            None => return Err(Error::InvalidSpec("certificate secret vanished".into())),
        },
        Rotation::Issue(reason) => {
            let previous_ca = existing
                .as_ref()
                .and_then(|s| data(s, "ca.crt"))
                .map(str::to_string);
            let pem = issue(&names, now, settings.validity)?;
            let not_after = now
                .checked_add(settings.validity)
                .map_err(|e| Error::InvalidSpec(format!("--webhook-cert-validity: {e}")))?;
            let bundle = certs::ca_bundle(&pem.ca, previous_ca.as_deref());
            let mut secret = existing.unwrap_or_default();
            secret.metadata.name = Some(settings.secret.clone());
            secret.metadata.namespace = Some(settings.namespace.clone());
            let ann = secret
                .metadata
                .annotations
                .get_or_insert_with(BTreeMap::new);
            ann.insert(NOT_BEFORE.into(), now.to_string());
            ann.insert(NOT_AFTER.into(), not_after.to_string());
            ann.insert(DNS_NAMES.into(), names.join(","));
            secret.type_ = Some("kubernetes.io/tls".into());
            secret.data = Some(BTreeMap::from([
                ("tls.crt".into(), ByteString(pem.cert.into_bytes())),
                ("tls.key".into(), ByteString(pem.key.into_bytes())),
                ("ca.crt".into(), ByteString(pem.ca.into_bytes())),
                (BUNDLE_KEY.into(), ByteString(bundle.into_bytes())),
            ]));
            secret.string_data = None;
            // The key is never logged: only the reason and the expiry.
            tracing::info!(secret = %settings.secret, reason = reason.as_str(), %not_after, "issued webhook certificate");
            let written = if secret.metadata.resource_version.is_some() {
                secrets
                    .replace(&settings.secret, &PostParams::default(), &secret)
                    .await?
            } else {
                secrets.create(&PostParams::default(), &secret).await?
            };
            let renew_at = certs::renew_at(now, not_after);
            (written, Some(reason), renew_at)
        }
    };
    let bundle = data(&secret, BUNDLE_KEY)
        .or_else(|| data(&secret, "ca.crt"))
        .unwrap_or_default()
        .as_bytes()
        .to_vec();
    let mut injected = 0;
    let validating: Api<ValidatingWebhookConfiguration> = Api::all(client.clone());
    if let Some(mut vwc) = validating.get_opt(&settings.configuration).await? {
        let hooks = vwc.webhooks.get_or_insert_with(Vec::new);
        if set_bundle(
            hooks.iter_mut().map(|w| &mut w.client_config.ca_bundle),
            &bundle,
        ) {
            patch_webhooks(&validating, &settings.configuration, hooks).await?;
            injected += 1;
        }
    }
    let mutating: Api<MutatingWebhookConfiguration> = Api::all(client.clone());
    if let Some(mut mwc) = mutating.get_opt(&settings.configuration).await? {
        let hooks = mwc.webhooks.get_or_insert_with(Vec::new);
        if set_bundle(
            hooks.iter_mut().map(|w| &mut w.client_config.ca_bundle),
            &bundle,
        ) {
            patch_webhooks(&mutating, &settings.configuration, hooks).await?;
            injected += 1;
        }
    }
    Ok(Outcome {
        issued,
        renew_at,
        injected,
    })
}

/// Sets every bundle to `bundle`; true if any changed.
fn set_bundle<'a>(
    bundles: impl Iterator<Item = &'a mut Option<ByteString>>,
    bundle: &[u8],
) -> bool {
    let mut changed = false;
    for b in bundles {
        if b.as_ref().map(|b| b.0.as_slice()) != Some(bundle) {
            *b = Some(ByteString(bundle.to_vec()));
            changed = true;
        }
    }
    changed
}

/// A merge patch replaces the whole `webhooks` list (lists are atomic in merge patches), so
/// send the list as read with the new bundles.
async fn patch_webhooks<K, W>(api: &Api<K>, name: &str, hooks: &[W]) -> Result<(), Error>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
    W: serde::Serialize,
{
    let patch = serde_json::json!({ "webhooks": hooks });
    api.patch(
        name,
        &PatchParams::apply(FIELD_MANAGER),
        &Patch::Merge(&patch),
    )
    .await?;
    Ok(())
}

fn data<'a>(secret: &'a Secret, key: &str) -> Option<&'a str> {
    secret
        .data
        .as_ref()?
        .get(key)
        .and_then(|b| std::str::from_utf8(&b.0).ok())
        .filter(|s| !s.trim().is_empty())
}

/// What the Secret holds, for the pure decision.
fn read_current(secret: &Secret) -> Current {
    let ann = secret.metadata.annotations.clone().unwrap_or_default();
    let time = |k: &str| ann.get(k).and_then(|v| v.parse::<Timestamp>().ok());
    Current {
        complete: ["tls.crt", "tls.key", "ca.crt"]
            .iter()
            .all(|k| data(secret, k).is_some()),
        not_before: time(NOT_BEFORE),
        not_after: time(NOT_AFTER),
        dns_names: ann
            .get(DNS_NAMES)
            .map(|v| v.split(',').map(str::to_string).collect())
            .unwrap_or_default(),
    }
}

/// PEM text of a new CA and a serving certificate it signed.
struct Issued {
    ca: String,
    cert: String,
    key: String,
}

/// A fresh CA (constrained to sign leaves only) and a serving certificate for `names`, both
/// valid from `now` for `validity`.
fn issue(names: &[String], now: Timestamp, validity: SignedDuration) -> Result<Issued, Error> {
    use rcgen::{
        BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose,
        IsCa, KeyPair, KeyUsagePurpose,
    };
    let err = |e: rcgen::Error| Error::InvalidSpec(format!("issuing webhook certificate: {e}"));
    let epoch = rcgen::date_time_ymd(1970, 1, 1);
    let at = |t: Timestamp| {
        u64::try_from(t.as_second())
            .map(|s| epoch + std::time::Duration::from_secs(s))
            .map_err(|_| Error::InvalidSpec("clock before 1970".into()))
    };
    let not_before = at(now)?;
    let not_after = at(now
        .checked_add(validity)
        .map_err(|e| Error::InvalidSpec(e.to_string()))?)?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.distinguished_name
        .push(DnType::CommonName, "Pusdata webhook CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.not_before = not_before;
    ca.not_after = not_after;
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().map_err(err)?).map_err(err)?;
    let mut leaf = CertificateParams::new(names.to_vec()).map_err(err)?;
    if let Some(cn) = names.last() {
        leaf.distinguished_name
            .push(DnType::CommonName, cn.as_str());
    }
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.not_before = not_before;
    leaf.not_after = not_after;
    let key = KeyPair::generate().map_err(err)?;
    let cert = leaf.signed_by(&key, &ca).map_err(err)?;
    Ok(Issued {
        ca: ca.pem(),
        cert: cert.pem(),
        key: key.serialize_pem(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::admissionregistration::v1::{
        MutatingWebhook, RuleWithOperations, ServiceReference, ValidatingWebhook,
        WebhookClientConfig,
    };
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    use kube_fake_client::ClientBuilder;

    fn settings() -> Settings {
        Settings {
            namespace: "pusdata-system".into(),
            secret: "pusdata-webhook-tls".into(),
            service: "pusdata-webhook".into(),
            configuration: WEBHOOK_CONFIGURATION.into(),
            validity: SignedDuration::from_hours(24 * 365),
        }
    }

    fn client_config(path: &str) -> WebhookClientConfig {
        WebhookClientConfig {
            service: Some(ServiceReference {
                name: "pusdata-webhook".into(),
                namespace: "pusdata-system".into(),
                path: Some(path.into()),
                port: Some(443),
            }),
            ..Default::default()
        }
    }

    async fn cluster() -> kube::Client {
        let client = ClientBuilder::new().build().await.unwrap();
        let rules = Some(vec![RuleWithOperations {
            api_groups: Some(vec!["pusdata.io".into()]),
            api_versions: Some(vec!["v1alpha1".into()]),
            operations: Some(vec!["CREATE".into()]),
            resources: Some(vec!["approvals".into()]),
            scope: None,
        }]);
        let vwc = ValidatingWebhookConfiguration {
            metadata: ObjectMeta {
                name: Some("pusdata".into()),
                ..Default::default()
            },
            webhooks: Some(vec![ValidatingWebhook {
                name: "validate.pusdata.io".into(),
                admission_review_versions: vec!["v1".into()],
                side_effects: "None".into(),
                failure_policy: Some("Fail".into()),
                client_config: client_config("/validate"),
                rules: rules.clone(),
                ..Default::default()
            }]),
        };
        let mwc = MutatingWebhookConfiguration {
            metadata: ObjectMeta {
                name: Some("pusdata".into()),
                ..Default::default()
            },
            webhooks: Some(vec![MutatingWebhook {
                name: "mutate.pusdata.io".into(),
                admission_review_versions: vec!["v1".into()],
                side_effects: "None".into(),
                client_config: client_config("/mutate"),
                rules,
                ..Default::default()
            }]),
        };
        Api::all(client.clone())
            .create(&PostParams::default(), &vwc)
            .await
            .unwrap();
        Api::all(client.clone())
            .create(&PostParams::default(), &mwc)
            .await
            .unwrap();
        client
    }

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    async fn bundles(client: &kube::Client) -> (Vec<u8>, Vec<u8>) {
        let v: ValidatingWebhookConfiguration =
            Api::all(client.clone()).get("pusdata").await.unwrap();
        let m: MutatingWebhookConfiguration =
            Api::all(client.clone()).get("pusdata").await.unwrap();
        let vb = v.webhooks.unwrap()[0]
            .client_config
            .ca_bundle
            .clone()
            .unwrap()
            .0;
        let mb = m.webhooks.unwrap()[0]
            .client_config
            .ca_bundle
            .clone()
            .unwrap()
            .0;
        // The rest of the configuration survived the patch.
        (vb, mb)
    }

    async fn secret(client: &kube::Client) -> Secret {
        Api::<Secret>::namespaced(client.clone(), "pusdata-system")
            .get("pusdata-webhook-tls")
            .await
            .unwrap()
    }

    fn text(s: &Secret, k: &str) -> String {
        data(s, k).unwrap().to_string()
    }

    #[tokio::test]
    async fn creates_the_secret_injects_the_ca_and_is_idempotent() {
        let client = cluster().await;
        let now = t("2026-11-25T00:00:00Z");
        let first = reconcile_once(&client, &settings(), now).await.unwrap();
        assert_eq!(first.issued, Some(Reason::Missing));
        assert_eq!(first.injected, 2);
        let s = secret(&client).await;
        assert_eq!(s.type_.as_deref(), Some("kubernetes.io/tls"));
        let ca = text(&s, "ca.crt");
        assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(text(&s, "tls.key").contains("PRIVATE KEY"));
        let (vb, mb) = bundles(&client).await;
        assert_eq!(String::from_utf8(vb).unwrap(), ca);
        assert_eq!(String::from_utf8(mb).unwrap(), ca);
        // The serving certificate verifies for the Service name against the injected CA.
        assert_serves(&s, "pusdata-webhook.pusdata-system.svc", now);
        // Next pass: nothing issued, nothing written.
        let rv = s.metadata.resource_version.clone();
        let second = reconcile_once(&client, &settings(), t("2027-01-01T00:00:00Z"))
            .await
            .unwrap();
        assert_eq!(second.issued, None);
        assert_eq!(second.injected, 0);
        assert_eq!(second.renew_at, first.renew_at);
        assert_eq!(secret(&client).await.metadata.resource_version, rv);
    }

    #[tokio::test]
    async fn rotates_near_expiry_and_keeps_the_previous_ca_in_the_bundle() {
        let client = cluster().await;
        reconcile_once(&client, &settings(), t("2026-01-01T00:00:00Z"))
            .await
            .unwrap();
        let old_ca = text(&secret(&client).await, "ca.crt");
        // 300 days into a 365-day certificate: due.
        let out = reconcile_once(&client, &settings(), t("2026-10-28T00:00:00Z"))
            .await
            .unwrap();
        assert_eq!(out.issued, Some(Reason::Renewal));
        assert_eq!(out.injected, 2);
        let s = secret(&client).await;
        let new_ca = text(&s, "ca.crt");
        assert_ne!(new_ca, old_ca);
        let (vb, _) = bundles(&client).await;
        let vb = String::from_utf8(vb).unwrap();
        assert!(vb.starts_with(new_ca.trim_end()) && vb.contains(old_ca.trim_end()));
        assert_serves(
            &s,
            "pusdata-webhook.pusdata-system.svc",
            t("2026-10-28T00:00:01Z"),
        );
        // An expired secret (restored from an old backup) is replaced too.
        let out = reconcile_once(&client, &settings(), t("2028-01-01T00:00:00Z"))
            .await
            .unwrap();
        assert_eq!(out.issued, Some(Reason::OutsideValidity));
    }

    #[tokio::test]
    async fn a_renamed_service_gets_a_new_certificate() {
        let client = cluster().await;
        let now = t("2026-11-25T00:00:00Z");
        reconcile_once(&client, &settings(), now).await.unwrap();
        let mut renamed = settings();
        renamed.service = "webhook".into();
        let out = reconcile_once(&client, &renamed, now).await.unwrap();
        assert_eq!(out.issued, Some(Reason::NamesChanged));
        assert_serves(&secret(&client).await, "webhook.pusdata-system.svc", now);
    }

    /// The certificate chains to the CA for `name` at `now`, checked by rustls' verifier.
    fn assert_serves(s: &Secret, name: &str, now: Timestamp) {
        use rustls::client::danger::ServerCertVerifier;
        use rustls::pki_types::{CertificateDer, ServerName, UnixTime, pem::PemObject};
        let ca = CertificateDer::from_pem_slice(text(s, "ca.crt").as_bytes()).unwrap();
        let leaf = CertificateDer::from_pem_slice(text(s, "tls.crt").as_bytes()).unwrap();
        let mut roots = rustls::RootCertStore::empty();
        roots.add(ca).unwrap();
        let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let verifier =
            rustls::client::WebPkiServerVerifier::builder_with_provider(roots.into(), provider)
                .build()
                .unwrap();
        let at = UnixTime::since_unix_epoch(std::time::Duration::from_secs(now.as_second() as u64));
        verifier
            .verify_server_cert(
                &leaf,
                &[],
                &ServerName::try_from(name.to_string()).unwrap(),
                &[],
                at,
            )
            .unwrap();
    }
}
