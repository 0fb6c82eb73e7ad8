//! The Agency controller: keeps each agency's namespaces, quota, default limits, network
//! policies and role bindings (CLOUD-CITY, NET-PORTS), and blocks removing an agency while it
//! still has hosted systems or backups.
//!
//! Pipeline: dereference → build (pure, `pusdata_core::tenancy`) → apply → update status.

use super::permission::Permission;
use super::{Context, Error};
use k8s_openapi::api::core::v1::{LimitRange, Namespace, ResourceQuota};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::api::rbac::v1::RoleBinding;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::api::Api;
use kube::runtime::controller::Action;
use kube::{Resource, ResourceExt};
use pusdata_core::agency_status::{Reached, agency_status};
use pusdata_core::tenancy::{self, AgencyChildren};
use pusdata_crds::v1alpha1::{
    Agency, BackupRepository, Decision, EgressPort, HostingPhase, ResidencyPolicy,
};
use serde::Serialize;
use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

/// Finalizer that keeps an Agency until nothing of it remains.
pub const FINALIZER: &str = "pusdata.io/agency-protection";

/// What the reconcile found and did, for tests and logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Children applied, status written.
    Applied {
        /// Namespaces kept.
        namespaces: usize,
    },
    /// Deletion waits for hosted systems or repositories to go.
    DeletionBlocked,
    /// Deletion allowed: finalizer removed.
    Released,
}

/// Reconciles one Agency.
pub async fn reconcile(agency: Arc<Agency>, ctx: Arc<Context>) -> Result<Action, Error> {
    reconcile_once(&agency, &ctx)
        .await
        .map(|outcome| match outcome {
            Outcome::DeletionBlocked => Action::requeue(Duration::from_secs(300)),
            _ => Action::requeue(Duration::from_secs(3600)),
        })
}

/// API calls of this controller (see `rbac`).
pub const PERMISSIONS: &[Permission] = &[
    Permission {
        group: "pusdata.io",
        resource: "agencies",
        verbs: &["get", "list", "watch", "patch"],
    },
    Permission {
        group: "pusdata.io",
        resource: "agencies/status",
        verbs: &["patch"],
    },
    Permission {
        group: "pusdata.io",
        resource: "hostingrequests",
        verbs: &["list"],
    },
    Permission {
        group: "pusdata.io",
        resource: "backuprepositories",
        verbs: &["list"],
    },
    Permission {
        group: "pusdata.io",
        resource: "residencypolicies",
        verbs: &["list"],
    },
    Permission {
        group: "pusdata.io",
        resource: "approvals",
        verbs: &["get"],
    },
    Permission {
        group: "",
        resource: "namespaces",
        // Server-side apply of an absent object is a create (issue 14, defect 1).
        verbs: &["create", "patch"],
    },
    Permission {
        group: "",
        resource: "resourcequotas",
        // `get`: apply_if_changed compares the stored copy before writing (a quiet restart).
        verbs: &["get", "list", "watch", "create", "patch"],
    },
    Permission {
        group: "",
        resource: "limitranges",
        // `get`: apply_if_changed compares the stored copy before writing (a quiet restart).
        verbs: &["get", "list", "watch", "create", "patch"],
    },
    Permission {
        group: "networking.k8s.io",
        resource: "networkpolicies",
        // `get`: apply_if_changed compares the stored copy before writing (a quiet restart).
        verbs: &["get", "list", "watch", "create", "patch"],
    },
    Permission {
        group: "rbac.authorization.k8s.io",
        resource: "rolebindings",
        // `get`: apply_if_changed compares the stored copy before writing (a quiet restart).
        verbs: &["get", "list", "watch", "create", "patch"],
    },
    // Binding the built-in `edit` ClusterRole without holding all of it.
    Permission {
        group: "rbac.authorization.k8s.io",
        resource: "clusterroles",
        verbs: &["bind"],
    },
];

/// One pass of the pipeline, returning what happened.
pub async fn reconcile_once(agency: &Agency, ctx: &Context) -> Result<Outcome, Error> {
    let name = agency.name_any();
    let agencies: Api<Agency> = Api::all(ctx.client.clone());
    let (hosted, repositories) = remaining(agency, ctx).await?;

    if agency.meta().deletion_timestamp.is_some() {
        if let Some(why) = tenancy::deletion_blocked(hosted, repositories) {
            let reached = Reached::DeletionBlocked(why);
            write_status(agency, ctx, &reached, hosted, repositories).await?;
            return Ok(Outcome::DeletionBlocked);
        }
        super::finalizer::remove(&agencies, agency, FINALIZER).await?;
        return Ok(Outcome::Released);
    }

    if let Err(why) = tenancy::validate(agency, &ctx.platform_namespace) {
        let en = why.en.clone();
        write_status(agency, ctx, &Reached::Invalid(why), hosted, repositories).await?;
        return Err(Error::InvalidSpec(en));
    }

    super::finalizer::add(&agencies, agency, FINALIZER).await?;

    let children = match build_and_apply(agency, ctx).await {
        Ok(children) => children,
        Err(e) => {
            // The user must see why their agency is not ready (a refused or failed apply),
            // not an absent status. Best effort: the apply's error is the one returned.
            let reached = Reached::ApplyFailed(e.to_string());
            if let Err(status_error) =
                write_status(agency, ctx, &reached, hosted, repositories).await
            {
                tracing::warn!(agency = %name, error = %status_error, "status of a failed apply not written");
            }
            return Err(e);
        }
    };

    let reached = Reached::Applied {
        namespaces: children.namespaces.len(),
    };
    write_status(agency, ctx, &reached, hosted, repositories).await?;
    Ok(Outcome::Applied {
        namespaces: children.namespaces.len(),
    })
}

/// Reads the policy and approved ports, builds the children (pure) and applies them.
async fn build_and_apply(agency: &Agency, ctx: &Context) -> Result<AgencyChildren, Error> {
    // The same policy as the rules, the audit and the webhook (`cache::active_policy_of`).
    let policies: Vec<Arc<ResidencyPolicy>> = super::cache::shared(ctx).await?;
    let policy = super::cache::active_policy_of(&policies);
    let standard = pusdata_core::ports::allowed_ports(
        policy
            .as_ref()
            .map(|p| p.spec.allowed_egress_ports.as_slice())
            .unwrap_or(&[]),
    );
    let extra = approved_extra_ports(agency, ctx).await?;
    let children = tenancy::agency_children(agency, &standard, &extra, &ctx.operator_namespace);
    apply_children(agency, ctx, &children).await?;
    Ok(children)
}

/// Hosted systems (placed or active requests in the agency's namespaces) and repositories.
async fn remaining(agency: &Agency, ctx: &Context) -> Result<(usize, usize), Error> {
    let mut hosted = 0;
    for ns in tenancy::namespaces_of(agency) {
        hosted += super::cache::requests_in(ctx, &ns)
            .await?
            .iter()
            .filter(|r| {
                matches!(
                    r.status.as_ref().and_then(|s| s.phase),
                    Some(HostingPhase::Placed | HostingPhase::Active)
                )
            })
            .count();
    }
    let repositories = super::cache::matching(ctx, |r: &BackupRepository| {
        r.spec.agency == agency.spec.code
    })
    .await?
    .len();
    Ok((hosted, repositories))
}

/// Extra egress ports whose approval exists, approves, and targets this agency (NET-PORTS).
async fn approved_extra_ports(agency: &Agency, ctx: &Context) -> Result<Vec<EgressPort>, Error> {
    if agency.spec.extra_egress.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for port in &agency.spec.extra_egress {
        let Some(name) = &port.approval_ref else {
            continue;
        };
        let approved = super::cache::approval(ctx, name).await?.is_some_and(|a| {
            a.spec.decision == Decision::Approved
                && a.spec.target.kind == "Agency"
                && a.spec.target.name == agency.name_any()
        });
        if approved {
            out.push(port.clone());
        }
    }
    Ok(out)
}

fn owner(agency: &Agency) -> Option<OwnerReference> {
    agency.controller_owner_ref(&())
}

/// Applies one child, stamped with its fingerprint (`apply::APPLIED`). With caches, the
/// child's cached metadata decides: the same fingerprint is left alone and a child not there
/// is created, both without a read; any other is compared in full and applied if it differs
/// (a changed spec, or a child someone else edited).
async fn ssa_namespaced<K>(
    ctx: &Context,
    mut obj: K,
    owned_by: &Option<OwnerReference>,
) -> Result<(), Error>
where
    K: super::cache::Child + Serialize,
{
    let ns = obj.namespace().unwrap_or_default();
    let name = obj.name_any();
    if let Some(o) = owned_by {
        obj.meta_mut().owner_references = Some(vec![o.clone()]);
    }
    let api: Api<K> = Api::namespaced(ctx.client.clone(), &ns);
    let mut value = serde_json::to_value(&obj)?;
    set_type_meta::<K>(&mut value);
    let (value, print) = super::apply::stamped(value);
    if let Some(c) = &ctx.caches {
        let cached = K::cached(c).get(&kube::runtime::reflector::ObjectRef::new(&name).within(&ns));
        match cached {
            Some(m) if m.applied() == Some(print.as_str()) => return Ok(()),
            None => {
                super::apply::apply(&api, &name, &value).await?;
                return Ok(());
            }
            Some(_) => {}
        }
    }
    super::apply::apply_if_changed(&api, &name, &value).await?;
    Ok(())
}

fn set_type_meta<K: Resource<DynamicType = ()>>(value: &mut serde_json::Value) {
    value["apiVersion"] = K::api_version(&()).into();
    value["kind"] = K::kind(&()).into();
}

async fn apply_children(
    agency: &Agency,
    ctx: &Context,
    children: &AgencyChildren,
) -> Result<(), Error> {
    // Namespaces carry no owner reference: garbage collection must never delete an agency's
    // data when the Agency object goes.
    let namespaces: Api<Namespace> = Api::all(ctx.client.clone());
    for ns in &children.namespaces {
        let mut value = serde_json::to_value(ns)?;
        // The namespace cache holds metadata, which is all an agency's namespace sets.
        if let Some(c) = &ctx.caches {
            let cached = c
                .namespaces
                .get(&kube::runtime::reflector::ObjectRef::new(&ns.name_any()));
            let holds = cached.is_some_and(|m| {
                let stored = serde_json::json!({ "metadata": m.metadata });
                let want = serde_json::json!({ "metadata": value["metadata"] });
                super::apply::holds(&stored, &want)
            });
            if holds {
                continue;
            }
            // Absent or different in the cache: applied without a read first.
            set_type_meta::<Namespace>(&mut value);
            super::apply::apply(&namespaces, &ns.name_any(), &value).await?;
            continue;
        }
        set_type_meta::<Namespace>(&mut value);
        super::apply::apply_if_changed(&namespaces, &ns.name_any(), &value).await?;
    }
    let o = owner(agency);
    for q in &children.quotas {
        ssa_namespaced::<ResourceQuota>(ctx, q.clone(), &o).await?;
    }
    for l in &children.limit_ranges {
        ssa_namespaced::<LimitRange>(ctx, l.clone(), &o).await?;
    }
    for p in &children.network_policies {
        ssa_namespaced::<NetworkPolicy>(ctx, p.clone(), &o).await?;
    }
    for b in &children.role_bindings {
        ssa_namespaced::<RoleBinding>(ctx, b.clone(), &o).await?;
    }
    Ok(())
}

/// Writes the status the core decides for `reached` (`agency_status`), when it changed,
/// and publishes its transitions.
async fn write_status(
    agency: &Agency,
    ctx: &Context,
    reached: &Reached,
    hosted: usize,
    repositories: usize,
) -> Result<(), Error> {
    let old = agency.status.clone().unwrap_or_default();
    let new = agency_status(agency, reached, hosted, repositories, (ctx.clock)());
    if new == old {
        return Ok(());
    }
    super::patch_status_if_changed::<Agency, _>(ctx, &agency.name_any(), &old, &new).await?;
    super::events::publish(ctx, agency, &old.conditions, &new.conditions).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controllers::testing::{seed_cluster, seed_namespaced};

    use k8s_openapi::api::core::v1::Namespace;
    use kube::api::{ListParams, PostParams};
    use kube_fake_client::ClientBuilder;
    use pusdata_crds::fixtures;
    use pusdata_crds::v1alpha1::{Approval, HostingRequest};

    async fn context() -> Context {
        crate::controllers::testing::context(
            ClientBuilder::new()
                .with_resource::<Agency>()
                .with_status_subresource::<Agency>()
                .with_resource::<HostingRequest>()
                .with_status_subresource::<HostingRequest>()
                .with_resource::<BackupRepository>()
                .with_resource::<Approval>()
                .with_resource::<ResidencyPolicy>(),
        )
        .await
    }

    async fn get_agency(ctx: &Context, name: &str) -> Agency {
        Api::<Agency>::all(ctx.client.clone())
            .get(name)
            .await
            .unwrap()
    }

    /// The spec of the egress NetworkPolicy of `namespace`, as JSON text.
    async fn egress_of(ctx: &Context, namespace: &str) -> String {
        let egress = crate::controllers::testing::as_harness(
            Api::<NetworkPolicy>::namespaced(ctx.client.clone(), namespace)
                .get(tenancy::EGRESS_NAME),
        )
        .await
        .unwrap();
        serde_json::to_string(&egress.spec).unwrap()
    }

    #[tokio::test]
    async fn onboarding_creates_every_child_and_a_ready_status() {
        let mut a = fixtures::agency("disdukcapil");
        a.spec.quota.cpu = Some(k8s_openapi::apimachinery::pkg::api::resource::Quantity(
            "8".into(),
        ));
        let ctx = context().await;
        seed_cluster(&ctx, &a).await;
        let a = get_agency(&ctx, "disdukcapil").await;
        let out = reconcile_once(&a, &ctx).await.unwrap();
        assert_eq!(out, Outcome::Applied { namespaces: 1 });

        let ns = Api::<Namespace>::all(ctx.client.clone())
            .get("disdukcapil")
            .await
            .unwrap();
        assert_eq!(ns.labels()[tenancy::AGENCY_LABEL], "disdukcapil");
        assert!(
            ns.metadata.owner_references.is_none(),
            "namespaces are never owned: no cascading delete of data"
        );
        let quota = crate::controllers::testing::as_harness(
            Api::<ResourceQuota>::namespaced(ctx.client.clone(), "disdukcapil")
                .get(tenancy::QUOTA_NAME),
        )
        .await
        .unwrap();
        assert_eq!(quota.spec.unwrap().hard.unwrap()["requests.cpu"].0, "8");
        assert_eq!(quota.metadata.owner_references.unwrap()[0].kind, "Agency");
        let policies = crate::controllers::testing::as_harness(
            Api::<NetworkPolicy>::namespaced(ctx.client.clone(), "disdukcapil")
                .list(&ListParams::default()),
        )
        .await
        .unwrap();
        assert_eq!(policies.items.len(), 2);
        let rb = crate::controllers::testing::as_harness(
            Api::<RoleBinding>::namespaced(ctx.client.clone(), "disdukcapil")
                .get(tenancy::EDIT_BINDING_NAME),
        )
        .await
        .unwrap();
        assert_eq!(rb.subjects.unwrap()[0].name, "agency:disdukcapil");

        let a = get_agency(&ctx, "disdukcapil").await;
        assert!(a.finalizers().iter().any(|f| f == FINALIZER));
        let status = a.status.unwrap();
        let ready = status
            .conditions
            .iter()
            .find(|c| c.type_ == "Ready")
            .unwrap();
        assert_eq!(ready.status, "True");
        assert_eq!(status.namespaces, vec!["disdukcapil".to_string()]);
    }

    /// Issue 14, defect 1: on a real cluster the first apply was refused (403) and the
    /// Agency was left with no status at all.
    #[tokio::test]
    async fn a_refused_apply_is_named_in_the_agencys_status() {
        use crate::testkit::authz::{Authorizer, Identity, Rbac};
        use crate::testkit::manifests::Site;
        let mut ctx = context().await;
        seed_cluster(&ctx, &fixtures::agency("disdukcapil")).await;
        // The chart's RBAC without `create` on namespaces (as shipped before the fix); a
        // refusal is answered with the API server's 403.
        let rbac = Rbac::rendered(Site::Primary).revoke("", "namespaces", "create");
        ctx.client = Authorizer::new(ctx.client.clone(), rbac, Identity::operator())
            .answering_403()
            .client();
        let a = get_agency(&ctx, "disdukcapil").await;
        let err = reconcile_once(&a, &ctx).await.unwrap_err();
        assert!(err.to_string().contains("forbidden"), "{err}");

        let status = get_agency(&ctx, "disdukcapil").await.status.unwrap();
        let ready = status
            .conditions
            .iter()
            .find(|c| c.type_ == "Ready")
            .unwrap();
        assert_eq!(
            (ready.status.as_str(), ready.reason.as_str()),
            ("False", "ApplyFailed")
        );
        assert!(
            ready
                .message
                .contains("namespaces \"disdukcapil\" is forbidden")
                && ready.message.contains("gagal menerapkan"),
            "{}",
            ready.message
        );
    }

    #[tokio::test]
    async fn onboarding_and_a_blocked_deletion_are_events() {
        let ctx = context().await;
        seed_cluster(&ctx, &fixtures::agency("disdik")).await;
        for _ in 0..2 {
            let a = get_agency(&ctx, "disdik").await;
            reconcile_once(&a, &ctx).await.unwrap();
        }
        // Cluster-scoped objects get their Events in `default`.
        let events = || async {
            crate::controllers::testing::as_harness(
                Api::<k8s_openapi::api::events::v1::Event>::namespaced(
                    ctx.client.clone(),
                    "default",
                )
                .list(&ListParams::default()),
            )
            .await
            .unwrap()
            .items
        };
        let ready: Vec<_> = events()
            .await
            .into_iter()
            .filter(|e| e.reason.as_deref() == Some("Reconciled"))
            .collect();
        assert_eq!(
            ready.len(),
            1,
            "one event for the flip to Ready, none for the second pass"
        );
        assert_eq!(ready[0].type_.as_deref(), Some("Normal"));
        assert_eq!(
            ready[0].regarding.as_ref().map(|r| r.kind.as_deref()),
            Some(Some("Agency"))
        );
        let before = events().await.len();
        let a = get_agency(&ctx, "disdik").await;
        reconcile_once(&a, &ctx).await.unwrap();
        assert_eq!(events().await.len(), before, "steady state says nothing");
    }

    #[tokio::test]
    async fn a_reconcile_at_steady_state_changes_nothing() {
        let ctx = context().await;
        seed_cluster(&ctx, &fixtures::agency("disdik")).await;
        // The first pass adds the finalizer (the fake bumps the generation for it, a real API
        // server does not), the second settles the status; the third must write nothing.
        for _ in 0..2 {
            let a = get_agency(&ctx, "disdik").await;
            reconcile_once(&a, &ctx).await.unwrap();
        }
        let settled = get_agency(&ctx, "disdik").await;
        reconcile_once(&settled, &ctx).await.unwrap();
        let after = get_agency(&ctx, "disdik").await;
        assert_eq!(settled.status, after.status);
        assert_eq!(
            settled.resource_version(),
            after.resource_version(),
            "unchanged status is not rewritten"
        );
    }

    #[tokio::test]
    async fn extra_egress_needs_an_approval_for_this_agency() {
        let mut a = fixtures::agency("disdik");
        a.spec.extra_egress = vec![
            EgressPort {
                port: 6379,
                approval_ref: Some("disdik-redis".into()),
                ..EgressPort::default()
            },
            EgressPort {
                port: 25,
                approval_ref: Some("missing".into()),
                ..EgressPort::default()
            },
            EgressPort {
                port: 8080,
                approval_ref: None,
                ..EgressPort::default()
            },
        ];
        let mut approval = fixtures::approval("disdik", "disdik");
        approval.metadata.name = Some("disdik-redis".into());
        approval.spec.target = pusdata_crds::v1alpha1::ObjectRef {
            kind: "Agency".into(),
            namespace: None,
            name: "disdik".into(),
        };
        let ctx = context().await;
        seed_cluster(&ctx, &a).await;
        seed_namespaced(&ctx, &approval).await;
        let a = get_agency(&ctx, "disdik").await;
        reconcile_once(&a, &ctx).await.unwrap();
        let text = egress_of(&ctx, "disdik").await;
        assert!(text.contains("6379"), "approved extra port is opened");
        assert!(
            !text.contains(":25,") && !text.contains("8080"),
            "unapproved ports stay closed: {text}"
        );
    }

    /// With two ResidencyPolicies the agency's egress follows the one whose settings the
    /// rules apply — the first by name (`policy::active_policy`). Before, this controller
    /// alone preferred a policy named `default`: the webhook and the audit judged by one
    /// policy while the namespaces' egress was opened by the other.
    #[tokio::test]
    async fn egress_follows_the_policy_the_rules_apply() {
        let policy = |name: &str, ports: &[u16]| {
            let mut p = fixtures::residency_policy();
            p.metadata.name = Some(name.into());
            p.spec.allowed_egress_ports = ports
                .iter()
                .map(|&port| EgressPort {
                    port,
                    ..EgressPort::default()
                })
                .collect();
            p
        };
        let ctx = context().await;
        seed_cluster(&ctx, &policy("default", &[443, 5432])).await;
        seed_cluster(&ctx, &policy("a-strict", &[443])).await;
        seed_cluster(&ctx, &fixtures::agency("disdik")).await;
        let a = get_agency(&ctx, "disdik").await;
        reconcile_once(&a, &ctx).await.unwrap();
        let text = egress_of(&ctx, "disdik").await;
        assert!(text.contains("443"), "{text}");
        assert!(
            !text.contains("5432"),
            "a-strict applies, not default: {text}"
        );
    }

    #[tokio::test]
    async fn deletion_is_blocked_while_a_system_is_hosted_then_released() {
        let mut a = fixtures::agency("disdukcapil");
        a.metadata.finalizers = Some(vec![FINALIZER.into()]);
        let mut hr = fixtures::colocation_request("disdukcapil");
        hr.status = Some(pusdata_crds::v1alpha1::HostingRequestStatus {
            phase: Some(HostingPhase::Active),
            ..Default::default()
        });
        let ctx = context().await;
        seed_cluster(&ctx, &a).await;
        seed_namespaced(&ctx, &hr).await;
        let mut a = get_agency(&ctx, "disdukcapil").await;
        a.metadata.deletion_timestamp = Some(ctx.now());
        assert_eq!(
            reconcile_once(&a, &ctx).await.unwrap(),
            Outcome::DeletionBlocked
        );
        let stored = get_agency(&ctx, "disdukcapil").await;
        assert!(
            stored.finalizers().iter().any(|f| f == FINALIZER),
            "finalizer kept"
        );
        let blocked = stored
            .status
            .unwrap()
            .conditions
            .into_iter()
            .find(|c| c.type_ == "DeletionBlocked")
            .unwrap();
        assert_eq!(blocked.status, "True");
        assert!(
            blocked.message.contains("1 hosted system"),
            "{}",
            blocked.message
        );

        // The system moves out: the agency may go, and its namespace is left in place.
        crate::controllers::testing::as_harness(
            Api::<HostingRequest>::namespaced(ctx.client.clone(), "disdukcapil")
                .delete("db-server", &Default::default()),
        )
        .await
        .unwrap();
        let mut a = get_agency(&ctx, "disdukcapil").await;
        a.metadata.deletion_timestamp = Some(ctx.now());
        assert_eq!(reconcile_once(&a, &ctx).await.unwrap(), Outcome::Released);
        let stored = get_agency(&ctx, "disdukcapil").await;
        assert!(!stored.finalizers().iter().any(|f| f == FINALIZER));
    }

    #[tokio::test]
    async fn claiming_kube_system_is_refused_and_nothing_is_created() {
        let mut a = fixtures::agency("disdik");
        a.spec.namespaces = vec!["kube-system".into()];
        let ctx = context().await;
        seed_cluster(&ctx, &a).await;
        let a = get_agency(&ctx, "disdik").await;
        let err = reconcile_once(&a, &ctx).await.unwrap_err();
        assert_eq!(err.category(), "invalid-spec");
        let policies = crate::controllers::testing::as_harness(
            Api::<NetworkPolicy>::namespaced(ctx.client.clone(), "kube-system")
                .list(&ListParams::default()),
        )
        .await
        .unwrap();
        assert!(policies.items.is_empty());
        let ready = get_agency(&ctx, "disdik")
            .await
            .status
            .unwrap()
            .conditions
            .into_iter()
            .find(|c| c.type_ == "Ready")
            .unwrap();
        assert_eq!(
            (ready.status.as_str(), ready.reason.as_str()),
            ("False", "InvalidSpec")
        );
        assert!(ready.message.contains("CLOUD-CITY"));
    }

    #[tokio::test]
    async fn a_repository_also_blocks_deletion() {
        let mut a = fixtures::agency("bkpsdm");
        a.metadata.finalizers = Some(vec![FINALIZER.into()]);
        let repo = fixtures::backup_repository("bkpsdm", "drc-bandung");
        let ctx = context().await;
        seed_cluster(&ctx, &a).await;
        seed_cluster(&ctx, &repo).await;
        let mut a = get_agency(&ctx, "bkpsdm").await;
        a.metadata.deletion_timestamp = Some(ctx.now());
        assert_eq!(
            reconcile_once(&a, &ctx).await.unwrap(),
            Outcome::DeletionBlocked
        );
        let _ = PostParams::default();
    }
}
