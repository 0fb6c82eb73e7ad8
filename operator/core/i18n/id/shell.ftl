# shell messages (Bahasa Indonesia). IDs: shell-<topic>-<detail>.

## operator/src/agent/kube_work.rs
shell-agent-run-workloads-ready = tidak dijalankan: workload belum siap
shell-agent-exited = `{ $check }` selesai dengan kode 0
shell-agent-failed = `{ $check }` gagal: { $tail }

## operator/src/webhook/mod.rs
shell-webhook-malformed-approval = Approval tidak sesuai skema
shell-webhook-malformed-requested-by = spec.requestedBy tidak sesuai skema: { $error }
shell-webhook-malformed-review = AdmissionReview rusak: { $error }
shell-webhook-review-without-request = AdmissionReview tanpa request
shell-webhook-malformed-object = { $kind } tidak sesuai skema: { $error }
