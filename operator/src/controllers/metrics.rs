//! The operator's metrics registry. Each controller registers its own families here (in
//! `Metrics::new`), so that one `/metrics` endpoint serves them all.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
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

/// Metrics of all controllers.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    reconciles: Family<ReconcileLabels, Counter>,
    errors: Family<ErrorLabels, Counter>,
    duration: Family<ReconcileLabels, Histogram>,
    leading: Gauge,
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
        let leading = Gauge::default();
        registry.register(
            "leader",
            "1 while this replica holds the operator's Lease and runs the controllers",
            leading.clone(),
        );
        Metrics {
            registry,
            reconciles,
            errors,
            duration,
            leading,
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

    /// Records whether this replica leads (`pusdata_leader`).
    pub fn set_leading(&self, leading: bool) {
        self.leading.set(i64::from(leading));
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
    fn leadership_is_a_gauge() {
        let m = Metrics::new();
        assert!(m.encode().contains("pusdata_leader 0"));
        m.set_leading(true);
        assert!(m.encode().contains("pusdata_leader 1"));
        m.set_leading(false);
        assert!(m.encode().contains("pusdata_leader 0"));
    }
}
