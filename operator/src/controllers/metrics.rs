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

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RepositoryLabels {
    repository: String,
    agency: String,
    site: String,
}

/// Metrics of all controllers.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    reconciles: Family<ReconcileLabels, Counter>,
    errors: Family<ErrorLabels, Counter>,
    duration: Family<ReconcileLabels, Histogram>,
    repository_available: Family<RepositoryLabels, Gauge>,
    repository_snapshots: Family<RepositoryLabels, Gauge>,
    repository_stored_bytes: Family<RepositoryLabels, Gauge>,
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
        let repository_available = Family::<RepositoryLabels, Gauge>::default();
        let repository_snapshots = Family::<RepositoryLabels, Gauge>::default();
        let repository_stored_bytes = Family::<RepositoryLabels, Gauge>::default();
        registry.register(
            "repository_available",
            "1 when the BackupRepository opened with its key on the last validation, else 0",
            repository_available.clone(),
        );
        registry.register(
            "repository_snapshots",
            "Snapshots in the BackupRepository at the last validation",
            repository_snapshots.clone(),
        );
        registry.register(
            "repository_stored_bytes",
            "Bytes stored by the BackupRepository at the last validation",
            repository_stored_bytes.clone(),
        );
        Metrics {
            registry,
            reconciles,
            errors,
            duration,
            repository_available,
            repository_snapshots,
            repository_stored_bytes,
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

    /// Records one repository validation; counts only when the repository was opened.
    pub fn repository(
        &self,
        repository: &str,
        agency: &str,
        site: &str,
        available: bool,
        counts: Option<(u64, u64)>,
    ) {
        let l = RepositoryLabels {
            repository: repository.to_string(),
            agency: agency.to_string(),
            site: site.to_string(),
        };
        self.repository_available
            .get_or_create(&l)
            .set(i64::from(available));
        if let Some((snapshots, bytes)) = counts {
            let clamp = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
            self.repository_snapshots
                .get_or_create(&l)
                .set(clamp(snapshots));
            self.repository_stored_bytes
                .get_or_create(&l)
                .set(clamp(bytes));
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
    fn repository_gauges_follow_the_last_validation() {
        let m = Metrics::new();
        m.repository("dinkes-drc", "dinkes", "drc-bandung", true, Some((3, 4096)));
        m.repository("dinkes-drc", "dinkes", "drc-bandung", false, None);
        let text = m.encode();
        let l = "repository=\"dinkes-drc\",agency=\"dinkes\",site=\"drc-bandung\"";
        assert!(
            text.contains(&format!("pusdata_repository_available{{{l}}} 0")),
            "{text}"
        );
        assert!(
            text.contains(&format!("pusdata_repository_snapshots{{{l}}} 3")),
            "{text}"
        );
        assert!(
            text.contains(&format!("pusdata_repository_stored_bytes{{{l}}} 4096")),
            "{text}"
        );
    }
}
