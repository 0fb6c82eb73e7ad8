//! What a report is made of.

use jiff::Timestamp;
use pusdata_core::finding::Finding;
use pusdata_crds::v1alpha1::{DisasterRecoveryPlan, Failover};

/// What a report is made of.
#[derive(Clone, Debug)]
pub struct ReportInput<'a> {
    /// The plan executed.
    pub plan: &'a DisasterRecoveryPlan,
    /// The execution, with its status.
    pub failover: &'a Failover,
    /// Plan-check findings at the time of the execution.
    pub findings: &'a [Finding],
    /// When the report is written.
    pub generated_at: Timestamp,
}
