# shell messages (English). IDs: shell-<topic>-<detail>.

## operator/src/agent/kube_work.rs
shell-agent-run-workloads-ready = not run: the workloads are not ready
shell-agent-exited = `{ $check }` exited 0
shell-agent-failed = `{ $check }` failed: { $tail }
