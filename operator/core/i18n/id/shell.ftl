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

## operator/src/controllers/failover.rs dan audit.rs: laporan yang tidak dapat ditulis
## (catatan Event Warning). Galat API Kubernetes adalah argumen.
shell-failover-report-not-written = eksekusi selesai, tetapi laporannya tidak dapat ditulis ke ConfigMap { $config_map } di { $namespace } (dicoba lagi dengan jeda): { $error }
shell-audit-report-not-written = audit kebijakan tidak dapat menulis { $report } (pass berikutnya mencoba lagi): { $error }

## operator/core/src/dr/pass.rs (the schedule controller)
shell-schedule-within-rpo = setiap tier berada dalam RPO-nya
shell-schedule-beyond-rpo = tier yang melewati RPO: { $tiers }
shell-schedule-no-repository = instansi { $agency } tidak memiliki BackupRepository di situs DRC { $site } (DR-NKRI)
shell-schedule-member-namespace-missing = anggota { $member }: namespace { $namespace } tidak ada, backupnya tidak dijadwalkan
shell-schedule-running = { $count } jadwal backup berjalan

## operator/src/controllers/failover.rs, failover/traffic.rs dan operator/src/drill/mod.rs:
## catatan para pelaksana langkah PB (StepResult → StepStatus.note, ditampilkan dalam bahasa pembaca).
## Galat dari luar (gRPC, S3, API Kubernetes) adalah argumen, bukan pesan.
shell-step-refusal = { $reason } (epoch situs { $epoch })
shell-step-fence-demoted = { $site } telah diturunkan
shell-step-fence-refused-demote = { $site } menolak untuk mundur pada epoch { $epoch }: { $why }
shell-step-fence-unreachable = { $site } tidak terjangkau ({ $category }); situs tersebut akan mundur ketika menerima epoch { $epoch }
shell-step-fence-not-contacted = { $site } tidak dihubungi: { $error }
shell-step-fence-done = epoch { $epoch }: { $site } aktif; { $from }
shell-step-fence-refused-promote = { $site } menolak promosi pada epoch { $epoch }: { $why }
shell-step-agent-unavailable = tidak ada agen { $site } yang dapat dipanggil: { $error }
shell-step-agent-failed = panggilan ke agen { $site } gagal: { $error }
shell-step-no-backup = { $error } (rencana { $plan })
shell-step-restored = { $files } berkas, { $bytes } bita dipulihkan dari { $snapshot } (Backup { $backup }); checksum { $checksum }
shell-step-refused-by = ditolak oleh { $site }: { $why }
shell-step-rto-tier = { $tier }: { $achieved } detik dari { $target } detik
shell-step-rto = RTO { $tiers }
shell-step-teardown-done = pemulihan terisolasi di { $site } telah dihapus ({ $files } berkas); replikasi tidak pernah dijeda
shell-step-runbook-recorded = langkah runbook otomatis telah dicatat
shell-step-no-service = { $action }: langkah ini tidak menyebutkan layanan
shell-step-verify-no-restore = { $step }: tidak ada langkah pemulihan { $service } yang tercatat
shell-step-verify-matched = { $what }: { $files } berkas, checksum { $checksum } cocok
shell-step-verify-no-expected = { $what }: tidak ada checksum pembanding (checksum saat ini { $checksum })
shell-step-verify-differs = { $what }: checksum { $checksum } berbeda dari yang diharapkan, { $expected }
shell-step-verify-refused = { $what }: ditolak oleh { $site }: { $why }
shell-step-verify-failed = { $what }: panggilan ke agen gagal: { $error }
shell-step-verify-unexpected = { $what }: hasil yang tidak terduga { $result }
shell-step-final-sync-sources = PVC dalam rencana tidak dapat didaftar: { $error }
shell-step-final-sync-create = Backup { $backup } tidak dapat dibuat: { $error }
shell-step-final-sync-failed = sinkronisasi akhir dari { $site } gagal: { $backups }
shell-step-final-sync-done = { $count } cadangan akhir dari { $site } telah selesai
shell-step-traffic-switched = { $services } Service dan { $ingresses } Ingress kini mengarah ke { $site }
shell-step-traffic-failed = lalu lintas tidak dialihkan ke { $site }: { $error }
shell-drill-unknown-step = langkah tidak dikenal
shell-drill-restored = { $files } berkas, { $bytes } bita dipulihkan
shell-drill-refused = ditolak oleh DRC: { $reason }
shell-drill-agent-failed = panggilan ke agen DRC gagal: { $error }
shell-drill-verified = { $files } berkas, checksum { $checksum } cocok dengan checksum situs utama
shell-drill-tree-differs = struktur berkas yang dipulihkan berbeda dari snapshot-nya: { $mismatches }
shell-drill-checksum-differs = checksum { $checksum } berbeda dari checksum situs utama, { $expected }
shell-drill-refused-plain = ditolak oleh DRC
shell-drill-teardown-done = pemulihan terisolasi telah dihapus; replikasi tidak pernah dijeda
shell-drill-nothing-to-remove = tidak ada yang perlu dihapus
shell-drill-teardown-failed = pemulihan terisolasi tidak dapat dihapus: { $error }
shell-drill-rto = RTO diukur dari waktu langkah
shell-drill-runbook = langkah runbook otomatis: tidak ada yang perlu dilakukan dalam latihan lokal
shell-drill-not-a-step = { $action } bukan bagian dari latihan

## operator/src/controllers/failover/traffic.rs: sebab lalu lintas tidak dapat dialihkan
## (argumen shell-step-traffic-failed). Galat API Kubernetes adalah argumen.
shell-traffic-list-services = daftar Service di { $namespace } tidak dapat dibaca: { $error }
shell-traffic-list-ingresses = daftar Ingress di { $namespace } tidak dapat dibaca: { $error }
shell-traffic-patch-service = Service { $object } tidak dapat diarahkan ke { $site }: { $error }
shell-traffic-patch-ingress = Ingress { $object } tidak dapat diarahkan ke { $site }: { $error }
shell-traffic-bad-pair = Service { $service }: { $annotation }: "{ $pair }" bukan pasangan kunci=nilai
shell-traffic-bad-target = Service { $service }: { $annotation } harus berbentuk externalName:<host> atau selector:k=v,...
shell-traffic-nothing-annotated = tidak ada Service atau Ingress di namespace rencana yang memiliki anotasi { $annotation }: tidak ada yang akan mengarahkan lalu lintas ke { $site }

## operator/src/controllers/failover/agents.rs: sebab klien agen suatu situs tidak tersedia.
shell-agent-no-endpoint = situs { $site }: spec.endpoints.agent belum diisi
shell-agent-no-tls-secret = situs { $site }: spec.agentTlsSecret belum diisi; hubungan antarsitus hanya melalui mTLS
shell-agent-secret-unreadable = Secret { $secret } tidak dapat dibaca: { $error }
shell-agent-secret-field-missing = Secret { $secret } tidak memuat { $field }
shell-agent-client = klien agen tidak dapat disiapkan: { $error }

## operator/src/agent/server.rs: alasan situs menjawab permintaan berpagar (fenced) sebagaimana
## adanya (proto Fence.reason_message; Fence.reason tetap berbahasa Inggris untuk pembaca lama).
fence-reason-accepted = diterima
fence-reason-duplicate = sudah dilaksanakan (ID permintaan ganda)
fence-reason-stale-epoch = ditolak: epoch permintaan lebih lama daripada epoch situs ini, { $epoch }
fence-reason-not-newer = ditolak: promosi memerlukan epoch yang lebih baru daripada { $epoch }
fence-reason-request-id-reused = ditolak: ID permintaan telah dipakai untuk permintaan lain

## operator/src/drill/mod.rs: sebab latihan lokal berhenti (DrillError::Failed). Galat sistem
## (berkas, proses) adalah argumen.
drill-failed-random = kunci acak tidak dapat dibaca dari /dev/urandom: { $error }
drill-failed-file = berkas { $path }: { $error }
drill-failed-record = catatan latihan tidak dapat ditulis: { $error }
drill-failed-checksum = checksum { $path } tidak dapat dihitung: { $error }
drill-failed-backup = pencadangan { $service } gagal: { $error }
drill-failed-loss = kehilangan data tidak dapat disimulasikan: { $error }
drill-failed-workdir = direktori kerja { $path } tidak dapat disiapkan: { $error }
drill-failed-pki = sertifikat latihan tidak dapat dibuat: { $error }
drill-failed-agent = agen DRC tidak dapat dijalankan: { $error }
drill-failed-runtime = lingkungan eksekusi latihan tidak dapat dijalankan: { $error }
drill-failed-client = klien agen DRC tidak dapat disiapkan: { $error }
drill-failed-heartbeat = agen DRC tidak menjawab heartbeat: { $error }
fence-reason-unknown = menurut situs itu sendiri (dalam bahasa Inggris): { $reason }
drill-input-nothing-to-resume = { $path } tidak memuat latihan yang terputus (tidak ada drill-state.json)
drill-input-not-empty = { $path } tidak kosong; latihan tidak pernah menimpa data latihan sebelumnya
