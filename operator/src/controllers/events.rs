//! Kubernetes Events for the state changes users care about: every condition whose status or
//! reason changed ([`pusdata_core::conditions::transitions`]) becomes one Event on the object,
//! `Warning` when something needs a look. Events are best effort: a refused Event is logged,
//! never a reason to fail a reconcile. Messages are the condition messages (both languages),
//! which never carry secrets.

use super::Context;
use super::permission::Permission;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::Resource;
use kube::runtime::events::{Event, EventType, Recorder, Reporter};
use pusdata_core::conditions::{Transition, transitions};

/// API calls of the events (see `rbac`). `patch` updates a repeated Event's series.
pub const PERMISSIONS: &[Permission] = &[Permission {
    group: "events.k8s.io",
    resource: "events",
    verbs: &["create", "patch"],
}];

/// The reporting controller's name in every Event.
pub const REPORTER: &str = "pusdata-operator";

/// Publishes one Event per condition that changed from `old` to `new` on `object`, and
/// returns how many were accepted.
pub async fn publish<K>(ctx: &Context, object: &K, old: &[Condition], new: &[Condition]) -> usize
where
    K: Resource<DynamicType = ()>,
{
    publish_transitions(ctx, object, transitions(old, new)).await
}

/// Publishes one Event per transition (conditions, or e.g. Failover steps from
/// [`pusdata_core::dr::steps::step_transitions`]) on `object`, and returns how many were
/// accepted.
pub async fn publish_transitions<K>(ctx: &Context, object: &K, changes: Vec<Transition>) -> usize
where
    K: Resource<DynamicType = ()>,
{
    if changes.is_empty() {
        return 0;
    }
    let recorder = recorder(&ctx.client);
    let reference = object.object_ref(&());
    let mut sent = 0;
    for t in changes {
        let event = Event {
            type_: if t.warning {
                EventType::Warning
            } else {
                EventType::Normal
            },
            reason: t.reason.clone(),
            note: Some(fit(format!("{} = {}: {}", t.type_, t.status, t.message))),
            action: format!("Set{}", t.type_),
            secondary: None,
        };
        match recorder.publish(&event, &reference).await {
            Ok(()) => sent += 1,
            Err(e) => tracing::warn!(reason = %t.reason, %e, "event not recorded"),
        }
    }
    sent
}

/// Publishes one `Warning` Event on the object `regarding` names (also one that does not
/// decode as its kind); returns whether it was accepted.
pub async fn warn(
    client: &kube::Client,
    regarding: &k8s_openapi::api::core::v1::ObjectReference,
    reason: &str,
    action: &str,
    note: String,
) -> bool {
    let event = Event {
        type_: EventType::Warning,
        reason: reason.into(),
        note: Some(fit(note)),
        action: action.into(),
        secondary: None,
    };
    match recorder(client).publish(&event, regarding).await {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(%reason, %e, "event not recorded");
            false
        }
    }
}

fn recorder(client: &kube::Client) -> Recorder {
    Recorder::new(
        client.clone(),
        Reporter {
            controller: REPORTER.into(),
            // The pod's name, given by the chart through the downward API.
            instance: std::env::var("POD_NAME").ok(),
        },
    )
}

/// The API refuses notes over 1 kB.
fn fit(mut note: String) -> String {
    if note.len() > 1000 {
        let mut cut = 1000;
        while !note.is_char_boundary(cut) {
            cut -= 1;
        }
        note.truncate(cut);
    }
    note
}

#[cfg(test)]
mod tests {
    /// Every reason the code sets is documented in docs/reference/conditions.md (Events
    /// carry the same reasons).
    #[test]
    fn every_reason_in_the_code_is_on_the_conditions_page() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let page = std::fs::read_to_string(format!("{root}/docs/reference/conditions.md")).unwrap();
        let quoted = |line: &str| line.split('"').nth(1).map(str::to_string);
        let hosting =
            std::fs::read_to_string(format!("{root}/operator/core/src/hosting.rs")).unwrap();
        let module = hosting.split("pub mod reason").nth(1).unwrap();
        let module = &module[..module.find("\n}").unwrap()];
        let mut reasons: Vec<String> = module
            .lines()
            .filter(|l| l.trim_start().starts_with("pub const"))
            .filter_map(quoted)
            .collect();
        assert!(reasons.len() >= 15, "{reasons:?}");
        let agency =
            std::fs::read_to_string(format!("{root}/operator/core/src/agency_status.rs")).unwrap();
        reasons.extend(
            agency
                .lines()
                .filter(|l| l.trim_start().starts_with("reason: \""))
                .filter_map(quoted),
        );
        assert!(reasons.iter().any(|r| r == "StillInUse"));
        // The other controllers: reason constants, and the CamelCase literals of the
        // functions that choose a reason.
        let read = |path: &str| std::fs::read_to_string(format!("{root}/{path}")).unwrap();
        let between = |text: &str, from: &str, to: &str| -> String {
            let start = text.find(from).unwrap_or_else(|| panic!("{from}"));
            let rest = &text[start..];
            rest[..rest.find(to).unwrap_or(rest.len())].to_string()
        };
        let camel = |text: &str| -> Vec<String> {
            text.split('"')
                .skip(1)
                .step_by(2)
                .filter(|w| {
                    w.len() > 2
                        && w.starts_with(|c: char| c.is_ascii_uppercase())
                        && w.chars().all(|c| c.is_ascii_alphabetic())
                })
                .map(str::to_string)
                .collect()
        };
        let repository = read("operator/core/src/repository.rs");
        let sources = [
            between(&repository, "pub mod reason", "\n}"),
            between(&repository, "pub mod check_reason", "\n}"),
            between(&repository, "pub fn deletion(", "\n}"),
            between(&read("operator/core/src/backup/mod.rs"), "fn ready(", "\n}"),
            between(
                &read("operator/core/src/dr/steps.rs"),
                "pub mod step_reason",
                "\n}",
            ),
            between(
                &read("operator/core/src/dr/pass.rs"),
                "type_: conditions::RPO_MET",
                "fn bucket_passes",
            ),
            between(
                &read("operator/core/src/dr/failover_status.rs"),
                "pub fn conditions(",
                "\n}",
            ),
            between(
                &read("operator/core/src/retention/run.rs"),
                "pub mod reason",
                "\n}",
            ),
            between(&read("operator/core/src/peer.rs"), "impl PeerReason", "\n}"),
            between(
                &read("operator/src/controllers/site.rs"),
                "pub const AUTOMATIC_FAILOVER",
                "\n",
            ),
            between(
                &read("operator/src/controllers/decode.rs"),
                "pub const MALFORMED",
                "\n",
            ),
            between(
                &read("operator/src/controllers/failover.rs"),
                "pub const REPORT_NOT_WRITTEN",
                "\n",
            ),
            between(
                &read("operator/src/controllers/audit.rs"),
                "pub const REPORT_NOT_WRITTEN",
                "\n",
            ),
        ];
        let mut more: Vec<String> = sources.iter().flat_map(|s| camel(s)).collect();
        more.extend(
            pusdata_core::restore::Reason::ALL
                .iter()
                .map(|r| r.as_str().to_string()),
        );
        more.extend(camel(&between(
            &read("operator/core/src/restore.rs"),
            "fn verified(",
            "\n}",
        )));
        for r in [
            "CheckFailed",
            "ReadOnly",
            "PartiallyFailed",
            "StepWaitingForPerson",
            "RpoExceeded",
            "AwaitingSignOff",
            "WithinTargets",
            "TargetExists",
            "NotVerified",
            "RepositoryLocked",
            "HeartbeatStale",
            "NoEndpoint",
            "AutomaticFailover",
            "Malformed",
        ] {
            assert!(more.iter().any(|m| m == r), "{r} not found in {more:?}");
        }
        reasons.extend(more);
        for r in &reasons {
            assert!(
                page.contains(&format!("`{r}`")),
                "{r} is not on docs/reference/conditions.md"
            );
        }
    }
}
