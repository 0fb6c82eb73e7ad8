//! Switching traffic to the site taking over: the `switch-traffic` step's work on the
//! annotated Services and Ingresses of the plan's namespaces.

use super::agents::BoxFuture;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::networking::v1::Ingress;
use kube::ResourceExt;
use kube::api::{Api, ListParams, Patch, PatchParams};
use pusdata_core::i18n::Text;
use pusdata_core::t;
use pusdata_crds::v1alpha1::Member;
use std::collections::BTreeSet;

/// Annotation prefix on Services and Ingresses: `traffic.pusdata.io/<site>` says where the
/// object points when `<site>` is active (see [`ServiceSwitch`]).
pub const TRAFFIC_PREFIX: &str = "traffic.pusdata.io/";
/// Annotation the traffic switch writes: the site a Service or Ingress points at now.
pub const TRAFFIC_SITE_ANNOTATION: &str = "pusdata.io/traffic-site";

/// Points traffic at a site. [`ServiceSwitch`] does it with Kubernetes Services and
/// Ingresses; a DNS provider plugs in behind the same trait.
pub trait TrafficSwitch: Send + Sync {
    /// Points the `services` of the plan at `site`; idempotent. Returns what was changed,
    /// for the step's note, or why not: both catalogue messages, in both languages.
    fn switch<'a>(
        &'a self,
        site: &'a str,
        services: &'a [Member],
    ) -> BoxFuture<'a, Result<Text, Text>>;
}

/// Switches traffic with Kubernetes objects in the services' namespaces:
/// - a Service annotated `traffic.pusdata.io/<site>: externalName:<host>` becomes an
///   `ExternalName` Service pointing at `<host>`; with `selector:k=v,k2=v2` it becomes a
///   selector Service with exactly that selector;
/// - an Ingress annotated `traffic.pusdata.io/<site>: <service>` sends every backend to
///   `<service>`.
///
/// Both get `pusdata.io/traffic-site: <site>`. Objects without an annotation for the site are
/// left alone.
pub struct ServiceSwitch {
    client: kube::Client,
}

impl ServiceSwitch {
    /// A switch over the given API client.
    pub fn new(client: kube::Client) -> ServiceSwitch {
        ServiceSwitch { client }
    }
}

/// The merge patch that points a Service at a site, from its annotation value.
fn service_patch(svc: &Service, site: &str, target: &str) -> Result<serde_json::Value, Text> {
    let name = svc.name_any();
    let annotation = format!("{TRAFFIC_PREFIX}{site}");
    let mut spec = serde_json::Map::new();
    if let Some(host) = target.strip_prefix("externalName:") {
        spec.insert("type".into(), "ExternalName".into());
        spec.insert("externalName".into(), host.trim().into());
        spec.insert("selector".into(), serde_json::Value::Null);
        spec.insert("clusterIP".into(), serde_json::Value::Null);
        spec.insert("clusterIPs".into(), serde_json::Value::Null);
    } else if let Some(sel) = target.strip_prefix("selector:") {
        let mut map = serde_json::Map::new();
        // A merge patch merges maps: keys of the old selector are removed explicitly.
        for k in svc
            .spec
            .as_ref()
            .and_then(|s| s.selector.as_ref())
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
        {
            map.insert(k.clone(), serde_json::Value::Null);
        }
        for pair in sel.split(',').filter(|p| !p.trim().is_empty()) {
            let (k, v) = pair.split_once('=').ok_or_else(|| {
                t!(
                    "shell-traffic-bad-pair",
                    service = name.as_str(),
                    annotation = annotation.as_str(),
                    pair = pair
                )
            })?;
            map.insert(k.trim().into(), v.trim().into());
        }
        spec.insert("type".into(), "ClusterIP".into());
        spec.insert("externalName".into(), serde_json::Value::Null);
        spec.insert("selector".into(), map.into());
    } else {
        return Err(t!(
            "shell-traffic-bad-target",
            service = name.as_str(),
            annotation = annotation.as_str()
        ));
    }
    Ok(serde_json::json!({
        "metadata": {"annotations": {TRAFFIC_SITE_ANNOTATION: site}},
        "spec": spec,
    }))
}

/// The Ingress spec with every backend sent to `service`.
fn ingress_patch(ing: &Ingress, site: &str, service: &str) -> serde_json::Value {
    let mut spec = ing.spec.clone().unwrap_or_default();
    let point = |b: &mut k8s_openapi::api::networking::v1::IngressBackend| {
        if let Some(s) = b.service.as_mut() {
            s.name = service.to_string();
        }
    };
    if let Some(b) = spec.default_backend.as_mut() {
        point(b);
    }
    for rule in spec.rules.iter_mut().flatten() {
        for path in rule.http.iter_mut().flat_map(|h| h.paths.iter_mut()) {
            point(&mut path.backend);
        }
    }
    serde_json::json!({
        "metadata": {"annotations": {TRAFFIC_SITE_ANNOTATION: site}},
        "spec": spec,
    })
}

impl TrafficSwitch for ServiceSwitch {
    fn switch<'a>(
        &'a self,
        site: &'a str,
        services: &'a [Member],
    ) -> BoxFuture<'a, Result<Text, Text>> {
        Box::pin(async move {
            let key = format!("{TRAFFIC_PREFIX}{site}");
            let namespaces: BTreeSet<&str> =
                services.iter().map(|m| m.namespace.as_str()).collect();
            let pp = PatchParams::default();
            let (mut svcs, mut ings) = (0, 0);
            for ns in namespaces {
                let api = Api::<Service>::namespaced(self.client.clone(), ns);
                let list = api.list(&ListParams::default()).await.map_err(|e| {
                    t!(
                        "shell-traffic-list-services",
                        namespace = ns,
                        error = e.to_string()
                    )
                })?;
                for svc in list.items {
                    let Some(target) = svc.annotations().get(&key).cloned() else {
                        continue;
                    };
                    let patch = service_patch(&svc, site, &target)?;
                    api.patch(&svc.name_any(), &pp, &Patch::Merge(&patch))
                        .await
                        .map_err(|e| {
                            t!(
                                "shell-traffic-patch-service",
                                object = format!("{ns}/{}", svc.name_any()),
                                site = site,
                                error = e.to_string()
                            )
                        })?;
                    svcs += 1;
                }
                let api = Api::<Ingress>::namespaced(self.client.clone(), ns);
                let list = api.list(&ListParams::default()).await.map_err(|e| {
                    t!(
                        "shell-traffic-list-ingresses",
                        namespace = ns,
                        error = e.to_string()
                    )
                })?;
                for ing in list.items {
                    let Some(target) = ing.annotations().get(&key).cloned() else {
                        continue;
                    };
                    let patch = ingress_patch(&ing, site, &target);
                    api.patch(&ing.name_any(), &pp, &Patch::Merge(&patch))
                        .await
                        .map_err(|e| {
                            t!(
                                "shell-traffic-patch-ingress",
                                object = format!("{ns}/{}", ing.name_any()),
                                site = site,
                                error = e.to_string()
                            )
                        })?;
                    ings += 1;
                }
            }
            if svcs + ings == 0 {
                return Err(t!(
                    "shell-traffic-nothing-annotated",
                    annotation = key.as_str(),
                    site = site
                ));
            }
            Ok(t!(
                "shell-step-traffic-switched",
                services = svcs,
                ingresses = ings,
                site = site
            ))
        })
    }
}
