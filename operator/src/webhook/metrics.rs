//! Admission metrics: one counter per decision, labelled by kind, decision and mode.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;
use pusdata_crds::v1alpha1::EnforcementMode;

/// The outcome of one review, as counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Admitted with no finding.
    Allowed,
    /// Admitted, with warnings (warn findings, or deny findings in Monitor mode).
    Warned,
    /// Denied.
    Denied,
    /// Namespace exempt: not checked.
    Exempt,
    /// The body was not a usable AdmissionReview.
    Invalid,
}

impl Outcome {
    /// Metric label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Warned => "warned",
            Outcome::Denied => "denied",
            Outcome::Exempt => "exempt",
            Outcome::Invalid => "invalid",
        }
    }
}

/// Label values for `kind` (Pusdata's kinds, and `unknown` for unreadable bodies).
const KINDS: &[&str] = &[
    "Site",
    "Rack",
    "Agency",
    "HostingRequest",
    "Approval",
    "ResidencyPolicy",
    "ExternalCloudService",
    "BackupRepository",
    "DisasterRecoveryPlan",
    "Backup",
    "Restore",
    "Failover",
    "unknown",
];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Labels {
    kind: String,
    decision: &'static str,
    mode: &'static str,
    endpoint: &'static str,
}

/// The webhook's metrics registry.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    decisions: Family<Labels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// A registry with `pusdata_admission_decisions_total`.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("pusdata_admission");
        let decisions = Family::<Labels, Counter>::default();
        registry.register(
            "decisions",
            "Admission reviews by kind, decision (allowed, warned, denied, exempt, invalid), mode and endpoint (validate, mutate)",
            decisions.clone(),
        );
        Metrics {
            registry,
            decisions,
        }
    }

    /// Counts one decision. Kinds are Pusdata's (bounded); anything else is `other`, so a
    /// misconfigured webhook cannot blow up the label set.
    pub fn count(
        &self,
        endpoint: &'static str,
        kind: &str,
        outcome: Outcome,
        mode: EnforcementMode,
    ) {
        let kind = if KINDS.contains(&kind) {
            kind.to_string()
        } else {
            "other".to_string()
        };
        self.decisions
            .get_or_create(&Labels {
                kind,
                decision: outcome.as_str(),
                mode: match mode {
                    EnforcementMode::Enforce => "enforce",
                    EnforcementMode::Monitor => "monitor",
                },
                endpoint,
            })
            .inc();
    }

    /// The OpenMetrics text exposition.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}
