# shell messages (English). IDs: shell-<topic>-<detail>.

## operator/src/agent/kube_work.rs
shell-agent-run-workloads-ready = not run: the workloads are not ready
shell-agent-exited = `{ $check }` exited 0
shell-agent-failed = `{ $check }` failed: { $tail }

## operator/src/webhook/mod.rs
shell-webhook-malformed-approval = malformed Approval
shell-webhook-malformed-requested-by = malformed spec.requestedBy: { $error }
shell-webhook-malformed-review = malformed AdmissionReview: { $error }
shell-webhook-review-without-request = AdmissionReview without a request
shell-webhook-malformed-object = malformed { $kind }: { $error }
