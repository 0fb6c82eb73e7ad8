//! Step ids: fixed ones, and those made from a service and PVC name.

/// Fencing step.
pub const FENCE: &str = "fence";
/// Final sync step.
pub const FINAL_SYNC: &str = "final-sync";
/// RTO measurement (drills).
pub const MEASURE_RTO: &str = "measure-rto";
/// Drill teardown.
pub const TEARDOWN: &str = "teardown";
/// Traffic switch.
pub const SWITCH_TRAFFIC: &str = "switch-traffic";
/// Restore step of a service restored as one unit (no known PVCs).
pub fn restore(svc: &str) -> String {
    format!("restore/{svc}")
}
/// Restore step of one PVC of a service.
pub fn restore_pvc(svc: &str, pvc: &str) -> String {
    format!("restore/{svc}/{pvc}")
}
/// Verify step of a service.
pub fn verify(svc: &str) -> String {
    format!("verify/{svc}")
}
