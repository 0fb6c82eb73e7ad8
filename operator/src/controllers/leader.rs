//! Leader election: one replica runs the controllers (above all failover), the others wait
//! to take over. Reads the `coordination.k8s.io/v1` Lease, asks `pusdata_core::lease::decide`,
//! and writes with the read resourceVersion, so of two candidates racing for an expired lease
//! only one write succeeds (409 for the other). kube 4.2's runtime ships no lease helper.
//!
//! Graceful shutdown releases the lease (empty holder), so a standby takes over at its next
//! look instead of waiting for the term to expire.

use super::Clock;
use super::permission::Permission;
use jiff::Timestamp;
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use kube::api::{Api, PostParams};
use pusdata_core::lease::{self, Decision, Observed, Timing};

/// API calls of the elector, in the operator's own namespace (a Role, not a ClusterRole).
pub const NAMESPACE_PERMISSIONS: &[Permission] = &[Permission {
    group: "coordination.k8s.io",
    resource: "leases",
    verbs: &["get", "create", "update"],
}];

/// Where this replica stands after a look at the Lease.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Standing {
    /// This replica holds the lease (acquired or renewed just now).
    Leading,
    /// Another replica holds it, or a racing candidate won the write.
    Following {
        /// The holder, when known.
        holder: Option<String>,
    },
}

/// One candidate for one Lease.
pub struct Elector {
    api: Api<Lease>,
    name: String,
    identity: String,
    timing: Timing,
    clock: Clock,
    /// The last successful acquire or renew.
    renewed: Option<Timestamp>,
    /// The Lease as this replica last wrote it: while leading, the next renewal writes over
    /// it (with its resourceVersion) without reading it first.
    written: Option<Lease>,
}

impl Elector {
    /// A candidate `identity` (the pod name) for Lease `name` in the API's namespace.
    pub fn new(
        api: Api<Lease>,
        name: &str,
        identity: &str,
        timing: Timing,
        clock: Clock,
    ) -> Elector {
        Elector {
            api,
            name: name.to_string(),
            identity: identity.to_string(),
            timing,
            clock,
            renewed: None,
            written: None,
        }
    }

    /// Whether this replica may act as leader now: it renewed within the renew deadline,
    /// which ends before any other candidate may take over.
    pub fn is_leading(&self) -> bool {
        let now = (self.clock)();
        self.renewed
            .is_some_and(|r| lease::still_leading(r, self.timing.renew_deadline, now))
    }

    /// Looks at the Lease once: acquires, renews or follows. A leader renews from the Lease
    /// it wrote last, without reading it: one request per renewal. Should anyone else have
    /// written it since, the write is refused (409) and the Lease is read and judged afresh.
    pub async fn step(&mut self) -> Result<Standing, kube::Error> {
        if self.is_leading()
            && let Some(own) = self.written.take()
        {
            match self.step_from(Some(own)).await {
                Ok(Standing::Following { holder: None }) => {}
                other => return other,
            }
        }
        let current = self.api.get_opt(&self.name).await?;
        self.step_from(current).await
    }

    /// One decision and write over `current`, the Lease as read (or as last written).
    async fn step_from(&mut self, current: Option<Lease>) -> Result<Standing, kube::Error> {
        let now = (self.clock)();
        self.written = None;
        let spec = current
            .as_ref()
            .and_then(|l| l.spec.clone())
            .unwrap_or_default();
        let observed = Observed {
            holder: spec.holder_identity.as_deref(),
            renew_time: spec
                .renew_time
                .as_ref()
                .or(spec.acquire_time.as_ref())
                .map(|t| t.0),
            lease_duration_seconds: spec.lease_duration_seconds,
        };
        let acquiring = match lease::decide(&observed, now, &self.identity) {
            Decision::Wait { holder, .. } => {
                self.renewed = None;
                return Ok(Standing::Following {
                    holder: Some(holder),
                });
            }
            Decision::Acquire { previous } => {
                if let Some(p) = previous {
                    tracing::info!(lease = %self.name, previous = %p, "taking over an expired lease");
                }
                true
            }
            Decision::Renew => false,
        };
        let seconds = i32::try_from(self.timing.lease_duration.as_secs()).unwrap_or(i32::MAX);
        let new_spec = LeaseSpec {
            holder_identity: Some(self.identity.clone()),
            lease_duration_seconds: Some(seconds),
            acquire_time: if acquiring {
                Some(MicroTime(now))
            } else {
                spec.acquire_time.clone()
            },
            renew_time: Some(MicroTime(now)),
            lease_transitions: Some(
                spec.lease_transitions.unwrap_or(0) + i32::from(acquiring && current.is_some()),
            ),
            ..spec
        };
        let written = match current {
            None => {
                let lease = Lease {
                    metadata: ObjectMeta {
                        name: Some(self.name.clone()),
                        ..ObjectMeta::default()
                    },
                    spec: Some(new_spec),
                };
                self.api.create(&PostParams::default(), &lease).await
            }
            // The read resourceVersion travels with the object: a concurrent writer makes
            // this a 409 instead of a second leader.
            Some(mut lease) => {
                lease.spec = Some(new_spec);
                self.api
                    .replace(&self.name, &PostParams::default(), &lease)
                    .await
            }
        };
        match written {
            Ok(lease) => {
                if acquiring || self.renewed.is_none() {
                    tracing::info!(lease = %self.name, identity = %self.identity, "leading");
                }
                self.renewed = Some(now);
                self.written = Some(lease);
                Ok(Standing::Leading)
            }
            Err(kube::Error::Api(e)) if e.code == 409 => {
                self.renewed = None;
                Ok(Standing::Following { holder: None })
            }
            Err(e) => Err(e),
        }
    }

    /// Gives the lease up if this replica holds it: empty holder, so the next candidate's
    /// look acquires it at once. Leadership ends here whatever the API answers.
    pub async fn release(&mut self) -> Result<(), kube::Error> {
        self.renewed = None;
        self.written = None;
        let Some(mut lease) = self.api.get_opt(&self.name).await? else {
            return Ok(());
        };
        let Some(spec) = lease.spec.as_mut() else {
            return Ok(());
        };
        if spec.holder_identity.as_deref() != Some(self.identity.as_str()) {
            return Ok(());
        }
        let now = (self.clock)();
        spec.holder_identity = None;
        spec.lease_duration_seconds = Some(1);
        spec.renew_time = Some(MicroTime(now));
        self.api
            .replace(&self.name, &PostParams::default(), &lease)
            .await?;
        tracing::info!(lease = %self.name, "lease released");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube_fake_client::ClientBuilder;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};

    /// A clock the candidates share, moved by the test.
    fn clock_of(secs: &Arc<AtomicI64>) -> Clock {
        let s = secs.clone();
        Arc::new(move || Timestamp::from_second(s.load(Ordering::SeqCst)).unwrap())
    }

    async fn two_candidates() -> (Elector, Elector, Api<Lease>, Arc<AtomicI64>) {
        let client = ClientBuilder::new().build().await.unwrap();
        let api: Api<Lease> = Api::namespaced(client, "pusdata-system");
        let secs = Arc::new(AtomicI64::new(1_795_000_000));
        let a = Elector::new(
            api.clone(),
            "pusdata-operator",
            "a",
            Timing::default(),
            clock_of(&secs),
        );
        let b = Elector::new(
            api.clone(),
            "pusdata-operator",
            "b",
            Timing::default(),
            clock_of(&secs),
        );
        (a, b, api, secs)
    }

    fn holder(lease: &Lease) -> Option<String> {
        lease.spec.as_ref().and_then(|s| s.holder_identity.clone())
    }

    #[tokio::test]
    async fn first_candidate_creates_the_lease_and_the_second_waits() {
        let (mut a, mut b, api, _) = two_candidates().await;
        assert_eq!(a.step().await.unwrap(), Standing::Leading);
        assert_eq!(
            b.step().await.unwrap(),
            Standing::Following {
                holder: Some("a".into())
            }
        );
        let lease = api.get("pusdata-operator").await.unwrap();
        assert_eq!(holder(&lease).as_deref(), Some("a"));
        assert_eq!(lease.spec.unwrap().lease_duration_seconds, Some(15));
        assert!(a.is_leading() && !b.is_leading());
    }

    #[tokio::test]
    async fn hand_over_when_the_leader_stops_renewing_never_two_leaders() {
        let (mut a, mut b, api, secs) = two_candidates().await;
        a.step().await.unwrap();
        // A renews every 2 s for a while; B looks every 2 s and keeps waiting.
        for _ in 0..5 {
            secs.fetch_add(2, Ordering::SeqCst);
            assert_eq!(a.step().await.unwrap(), Standing::Leading);
            assert!(matches!(
                b.step().await.unwrap(),
                Standing::Following { .. }
            ));
            assert!(!(a.is_leading() && b.is_leading()));
        }
        // A hangs (no more renewals). Each second: never both leaders; B leads eventually.
        let mut took_over_after = None;
        for s in 1..=20 {
            secs.fetch_add(1, Ordering::SeqCst);
            let standing = b.step().await.unwrap();
            assert!(!(a.is_leading() && b.is_leading()), "two leaders at +{s}s");
            if standing == Standing::Leading {
                took_over_after = Some(s);
                break;
            }
        }
        // The lease was renewed 15 s long: B takes over at expiry, not before.
        assert_eq!(took_over_after, Some(15));
        assert!(!a.is_leading());
        let lease = api.get("pusdata-operator").await.unwrap();
        assert_eq!(holder(&lease).as_deref(), Some("b"));
        assert_eq!(lease.spec.unwrap().lease_transitions, Some(1));
        // A comes back: it sees B's live lease and follows.
        assert_eq!(
            a.step().await.unwrap(),
            Standing::Following {
                holder: Some("b".into())
            }
        );
    }

    #[tokio::test]
    async fn release_on_shutdown_lets_the_standby_take_over_at_once() {
        let (mut a, mut b, api, secs) = two_candidates().await;
        a.step().await.unwrap();
        secs.fetch_add(1, Ordering::SeqCst);
        a.release().await.unwrap();
        assert!(!a.is_leading());
        assert_eq!(holder(&api.get("pusdata-operator").await.unwrap()), None);
        // Well before the 15 s term would have ended.
        secs.fetch_add(1, Ordering::SeqCst);
        assert_eq!(b.step().await.unwrap(), Standing::Leading);
        // Releasing a lease one does not hold changes nothing.
        a.release().await.unwrap();
        assert_eq!(
            holder(&api.get("pusdata-operator").await.unwrap()).as_deref(),
            Some("b")
        );
    }

    #[tokio::test]
    async fn a_leader_renews_with_one_write_and_no_read_and_rereads_after_a_conflict() {
        let (mut a, _b, api, secs) = two_candidates().await;
        let plain: kube::Client = api.clone().into();
        // The counting layer refuses creates in a namespace that does not exist.
        let ns: k8s_openapi::api::core::v1::Namespace =
            serde_json::from_value(serde_json::json!({"metadata": {"name": "pusdata-system"}}))
                .unwrap();
        Api::all(plain.clone())
            .create(&PostParams::default(), &ns)
            .await
            .unwrap();
        let (client, log) = crate::controllers::counting::counted_client(&plain);
        a.api = Api::namespaced(client, "pusdata-system");
        assert_eq!(a.step().await.unwrap(), Standing::Leading);
        log.clear();
        for _ in 0..5 {
            secs.fetch_add(2, Ordering::SeqCst);
            assert_eq!(a.step().await.unwrap(), Standing::Leading);
        }
        // Idle leadership: one write per renewal, nothing read.
        assert_eq!(log.reads(), Vec::<String>::new());
        assert_eq!(log.writes().len(), 5, "{:?}", log.writes());
        // Someone else wrote the Lease meanwhile (an admin's edit): the renewal from the
        // stale copy is refused, the Lease is read again and renewed over the new version.
        let mut edited = api.get("pusdata-operator").await.unwrap();
        edited
            .metadata
            .annotations
            .get_or_insert_default()
            .insert("note".into(), "edited".into());
        api.replace("pusdata-operator", &PostParams::default(), &edited)
            .await
            .unwrap();
        log.clear();
        secs.fetch_add(2, Ordering::SeqCst);
        assert_eq!(a.step().await.unwrap(), Standing::Leading);
        assert_eq!(log.reads().len(), 1, "{:?}", log.all());
        assert_eq!(log.writes().len(), 2, "{:?}", log.all());
        let lease = api.get("pusdata-operator").await.unwrap();
        assert_eq!(holder(&lease).as_deref(), Some("a"));
        assert_eq!(
            lease.metadata.annotations.unwrap()["note"],
            "edited",
            "the renewal keeps what the other writer wrote"
        );
    }

    #[tokio::test]
    async fn racing_for_an_expired_lease_only_one_write_wins() {
        let (mut a, _b, api, secs) = two_candidates().await;
        a.step().await.unwrap();
        secs.fetch_add(60, Ordering::SeqCst);
        // B and C both read the expired lease; C writes first, B's write carries the stale
        // resourceVersion.
        let stale = api.get("pusdata-operator").await.unwrap();
        let mut c = Elector::new(
            api.clone(),
            "pusdata-operator",
            "c",
            Timing::default(),
            clock_of(&secs),
        );
        assert_eq!(c.step().await.unwrap(), Standing::Leading);
        let mut racing = stale;
        racing.spec.as_mut().unwrap().holder_identity = Some("b".into());
        let err = api
            .replace("pusdata-operator", &PostParams::default(), &racing)
            .await
            .unwrap_err();
        assert!(
            matches!(err, kube::Error::Api(ref e) if e.code == 409),
            "{err}"
        );
        assert_eq!(
            holder(&api.get("pusdata-operator").await.unwrap()).as_deref(),
            Some("c")
        );
    }
}
