# shell messages (Bahasa Indonesia). IDs: shell-<topic>-<detail>.

## operator/src/agent/kube_work.rs
shell-agent-run-workloads-ready = tidak dijalankan: workload belum siap
shell-agent-exited = `{ $check }` selesai dengan kode 0
shell-agent-failed = `{ $check }` gagal: { $tail }
