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

## operator/core/src/agency_status.rs (the Agency controller)
shell-agency-apply-failed = gagal menerapkan namespace, kuota, batasan, kebijakan jaringan dan role binding instansi: { $error }
shell-agency-ready = { $count ->
   *[other] { $count } namespace dengan kuota, batasan, kebijakan jaringan dan role binding
}

## operator/src/controllers/decode.rs
shell-decode-malformed = { $kind } { $object } tidak dapat dibaca: { $field }: { $error }; dilewati sampai diperbaiki

## operator/src/controllers/gate.rs
shell-gate-not-leader = { $method } { $path } ditolak: replika ini bukan lagi pemimpin

## operator/src/controllers/run.rs
shell-run-lost-lease = kehilangan lease { $lease }: controller dihentikan

## operator/src/chart/mod.rs
shell-chart-no-engine = mesin Helm belum terpasang ({ $python }): jalankan `bash tests/helm/setup.sh` atau atur PUSDATA_HELM_PYTHON

## operator/src/controllers/repository.rs
shell-repository-invalid-interval = spec.validationInterval tidak valid: { $error }
shell-repository-agency-not-registered = spec.agency "{ $agency }" bukan Perangkat Daerah yang terdaftar
shell-repository-check-passed = SEC-CIA: pemeriksaan lulus (data dibaca: { $subset })
shell-repository-check-passed-no-data = SEC-CIA: pemeriksaan lulus (data dibaca: tidak ada)
shell-repository-check-failed = SEC-CIA: pemeriksaan menemukan { $count } galat: { $first }
shell-repository-check-not-run = pemeriksaan tidak dapat dijalankan: { $error }

## operator/core/src/dr/failover_status.rs (the Failover controller)
shell-failover-succeeded = semua langkah berhasil atau dilewati
shell-failover-at-step = langkah { $step }

## operator/core/src/dr/pass.rs (the schedule controller)
shell-schedule-within-rpo = setiap tier berada dalam RPO-nya
shell-schedule-beyond-rpo = tier yang melewati RPO: { $tiers }
shell-schedule-no-repository = instansi { $agency } tidak memiliki BackupRepository di situs DRC { $site } (DR-NKRI)
shell-schedule-member-namespace-missing = anggota { $member }: namespace { $namespace } tidak ada, backupnya tidak dijadwalkan
shell-schedule-running = { $count } jadwal backup berjalan
