//! The operator's metrics registry. Each controller registers its own families here (in
//! `Metrics::new`), so that one `/metrics` endpoint serves them all.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReconcileLabels {
    controller: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    controller: &'static str,
    category: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    plan: String,
    kind: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TierLabels {
    plan: String,
    kind: &'static str,
    tier: String,
}

/// Metrics of all controllers.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    reconciles: Family<ReconcileLabels, Counter>,
    errors: Family<ErrorLabels, Counter>,
    duration: Family<ReconcileLabels, Histogram>,
    failovers: Family<OutcomeLabels, Counter>,
    rto: Family<TierLabels, Gauge<f64, AtomicU64>>,
    rto_target: Family<TierLabels, Gauge<f64, AtomicU64>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// A registry with the reconcile families (`pusdata_reconcile_*`).
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("pusdata");
        let reconciles = Family::<ReconcileLabels, Counter>::default();
        let errors = Family::<ErrorLabels, Counter>::default();
        let duration = Family::<ReconcileLabels, Histogram>::new_with_constructor(|| {
            Histogram::new([0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0])
        });
        registry.register(
            "reconcile_runs",
            "Reconcile runs by controller",
            reconciles.clone(),
        );
        registry.register(
            "reconcile_errors",
            "Reconcile errors by controller and category (kube, invalid-spec, internal)",
            errors.clone(),
        );
        registry.register(
            "reconcile_duration_seconds",
            "Duration of one reconcile run by controller",
            duration.clone(),
        );
        let failovers = Family::<OutcomeLabels, Counter>::default();
        let rto = Family::<TierLabels, Gauge<f64, AtomicU64>>::default();
        let rto_target = Family::<TierLabels, Gauge<f64, AtomicU64>>::default();
        registry.register(
            "failover_executions",
            "Finished drills, failovers and failbacks by plan, type and outcome",
            failovers.clone(),
        );
        registry.register(
            "failover_rto_achieved_seconds",
            "RTO achieved per tier by the last finished execution of the type",
            rto.clone(),
        );
        registry.register(
            "failover_rto_target_seconds",
            "RTO target per tier from the plan, beside the achieved one",
            rto_target.clone(),
        );
        Metrics {
            registry,
            reconciles,
            errors,
            duration,
            failovers,
            rto,
            rto_target,
        }
    }

    /// Records one reconcile run.
    pub fn reconciled(
        &self,
        controller: &'static str,
        took: Duration,
        error: Option<&'static str>,
    ) {
        let l = ReconcileLabels { controller };
        self.reconciles.get_or_create(&l).inc();
        self.duration.get_or_create(&l).observe(took.as_secs_f64());
        if let Some(category) = error {
            self.errors
                .get_or_create(&ErrorLabels {
                    controller,
                    category,
                })
                .inc();
        }
    }

    /// Records a finished drill, failover or failback: its outcome, and per tier the RTO
    /// achieved (when measured) and the target.
    pub fn failover_finished(
        &self,
        plan: &str,
        kind: &'static str,
        outcome: &'static str,
        tiers: &[(String, Option<u64>, u64)],
    ) {
        self.failovers
            .get_or_create(&OutcomeLabels {
                plan: plan.to_string(),
                kind,
                outcome,
            })
            .inc();
        for (tier, achieved, target) in tiers {
            let l = TierLabels {
                plan: plan.to_string(),
                kind,
                tier: tier.clone(),
            };
            self.rto_target.get_or_create(&l).set(*target as f64);
            if let Some(a) = achieved {
                self.rto.get_or_create(&l).set(*a as f64);
            }
        }
    }

    /// The OpenMetrics text exposition.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconcile_runs_and_errors_are_counted_per_controller() {
        let m = Metrics::new();
        m.reconciled("agency", Duration::from_millis(3), None);
        m.reconciled("agency", Duration::from_millis(3), Some("kube"));
        let text = m.encode();
        assert!(text.contains("pusdata_reconcile_runs_total{controller=\"agency\"} 2"));
        assert!(
            text.contains(
                "pusdata_reconcile_errors_total{controller=\"agency\",category=\"kube\"} 1"
            )
        );
        assert!(text.contains("pusdata_reconcile_duration_seconds_count{controller=\"agency\"} 2"));
    }

    #[test]
    fn failover_outcomes_and_rto_per_tier() {
        let m = Metrics::new();
        m.failover_finished(
            "bekasi",
            "Drill",
            "Succeeded",
            &[
                ("tier-1".into(), Some(42), 14_400),
                ("tier-2".into(), None, 3600),
            ],
        );
        let text = m.encode();
        assert!(text.contains(
            "pusdata_failover_executions_total{plan=\"bekasi\",kind=\"Drill\",outcome=\"Succeeded\"} 1"
        ), "{text}");
        assert!(text.contains(
            "pusdata_failover_rto_achieved_seconds{plan=\"bekasi\",kind=\"Drill\",tier=\"tier-1\"} 42"
        ), "{text}");
        assert!(!text.contains(
            "pusdata_failover_rto_achieved_seconds{plan=\"bekasi\",kind=\"Drill\",tier=\"tier-2\"}"
        ));
        assert!(text.contains(
            "pusdata_failover_rto_target_seconds{plan=\"bekasi\",kind=\"Drill\",tier=\"tier-2\"} 3600"
        ), "{text}");
    }
}
