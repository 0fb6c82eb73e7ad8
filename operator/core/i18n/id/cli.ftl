# cli messages (Bahasa Indonesia). IDs: cli-<topic>-<detail>.

## pusdata crd
cli-crd-written = { $files } berkas hasil generate ditulis (CRD, referensi API, tabel aturan)
cli-crd-up-to-date = berkas hasil generate yang di-commit sesuai dengan tipe Rust
cli-crd-drift = { $file } berbeda dari tipe Rust; jalankan `pusdata crd --write`

## Inputs
cli-bad-input = tidak dapat membaca { $file }: { $reason }

## pusdata policy check
cli-object-ok = { $object }: sesuai
cli-policy-summary = { $objects } objek diperiksa: { $denied } ditolak, { $warnings } peringatan
cli-excepted = { $rule } dikecualikan oleh { $exception } sampai { $expires }
cli-schema-rule = server API akan menolak objek ini: { $message }

## operator/src/cli/drill.rs
cli-drill-say-where-pusdata-drill = sebutkan di mana: `pusdata drill --local` menjalankan latihan penuh di mesin ini; `pusdata drill start|status|approve` bekerja dengan Failover di klaster
cli-drill-drilled-plan-check-finding = Latihan dengan { $denying_count } temuan pemeriksaan rencana (--allow-findings):
cli-drill-drill-plan = Latihan { $name } untuk rencana { $plan }
cli-drill-steps-restores-verification-took = { $step_count } langkah; pemulihan dan verifikasi { NUMBER($work_seconds, minimumFractionDigits: 1, maximumFractionDigits: 1) } dtk dari { NUMBER($drill_seconds, minimumFractionDigits: 1, maximumFractionDigits: 1) } dtk. Laporan: { $report_html } (dan report.md)
cli-drill-any-restic-reads-what =
    restic mana pun membaca yang ditulis latihan ini:
    {"  "}{ $cmd }
cli-drill-drill-failed-see-report = latihan gagal; lihat laporan

## operator/src/cli/drill_cluster.rs
cli-drill-cluster-cannot-learn-who-you = tidak dapat mengetahui identitas Anda dari API server ({ $error }); gunakan --as USER
cli-drill-cluster-failover-step-steps = Failover { $name } tidak memiliki langkah { $step } (langkah: { $ids })
cli-drill-cluster-already-signed-off = { $step } sudah ditandatangani oleh { $username }
cli-drill-cluster-already-signed-off-sign = { $step } sudah ditandatangani oleh { $username }; tanda tangan tidak pernah dialihkan (SEC-CIA)
cli-drill-cluster-step-does-wait-sign = langkah { $step } tidak menunggu tanda tangan (status { $state })
cli-drill-cluster-signed-off = { $step } dari { $name } ditandatangani oleh { $username }

## operator/src/cli/inputs.rs
cli-inputs-pusdata-object-check = { $files }: tidak ada objek Pusdata untuk diperiksa

## operator/src/cli/place.rs
cli-place-inventory-holds-site-rack = inventaris tidak berisi Site, Rack, atau HostingRequest yang sudah ditempatkan
cli-place-hostingrequest-place = tidak ada HostingRequest untuk ditempatkan
cli-place-already-placed-put-inventory = sudah ditempatkan; masukkan ke berkas inventaris
cli-place-web-hosting-placed-rack = web hosting, tidak ditempatkan di rak
cli-place-requests-could-placed = { $failed } dari { $total } permintaan tidak dapat ditempatkan

## operator/src/cli/plan.rs
cli-plan-disasterrecoveryplan-found = tidak ada DisasterRecoveryPlan
cli-plan-finding-s-deny-warn = { $all_count } temuan: { $deny } tolak, { $warn } peringatan, { $info } info

## operator/src/inputs.rs
cli-inputs-skipped-document-s-other = melewati { $foreign } dokumen grup API lain dan { $unknown } dokumen yang tidak dapat diklasifikasi
cli-inputs-bytes-more-than-byte = { $size } bita melebihi batas { $limit } bita per berkas; pecah berkasnya
cli-inputs-more-than-byte-limit = melebihi batas { $limit } bita per berkas; pecah berkasnya
cli-inputs-utf-text = bukan teks UTF-8: { $error }
cli-inputs-holds-yaml-document = tidak berisi dokumen YAML
cli-inputs-reader-thread-failed = utas yang membaca berkas ini berhenti tiba-tiba; tidak ada isi berkas yang dimuat
cli-inputs-kubernetes-object-document-mapping = bukan objek Kubernetes (dokumen bukan pemetaan)
cli-inputs-apiversion-kind-apiversion-kind = tanpa apiVersion atau kind (apiVersion "{ $api_version }", kind "{ $kind }")
cli-inputs-whose-items-list = { $kind } yang items-nya bukan daftar
cli-inputs-lists-nested-more-than = List bersarang lebih dari { $MAX_LIST_NESTING } tingkat
cli-inputs-pusdata-kind = { $kind } dari { $api_version } bukan jenis Pusdata
cli-inputs-unknown-pusdata-apiversion-kind = apiVersion "{ $api_version }" atau kind "{ $kind }" Pusdata tidak dikenal (versi ini membaca { $GROUP }/{ $VERSION })


## pusdata chart, probe, webhook, operator
cli-chart-out-of-date = { $path } usang: jalankan `pusdata chart --write`
cli-chart-wrote = { $files } berkas ditulis
cli-chart-up-to-date = chart bersih; chart dan deploy/ mutakhir
cli-probe-failed = pemeriksaan gagal: { $failures }
cli-webhook-needs-cert-key = pusdata webhook memerlukan --cert dan --key (PEM): server API hanya memanggil webhook lewat HTTPS
cli-operator-lease-needs-identity = --lease-name memerlukan --identity (atau POD_NAME / HOSTNAME)
cli-drill-cluster-failover-not-found = Failover { $name } tidak ditemukan
cli-drill-cannot-reach-api = tidak dapat menghubungi API Kubernetes: { $error }

## operator/src/drill/mod.rs, inputs.rs, cli/place.rs (composed)
cli-drill-local-primary-lost = situs utama hilang (simulasi): memulihkan di DRC
cli-drill-local-plan-refused =
    pemeriksaan rencana menolak { $plan } ({ $count } temuan penolakan); perbaiki rencana, atau tetap latihan dengan --allow-findings:
    { $findings }
cli-drill-local-plan-finding = pemeriksaan rencana: { $finding }
cli-inputs-unknown-skip-hint = { $why } (beri --skip-unknown untuk melewatinya)
cli-place-no-addresses = alamat IP tidak tersedia: { $error }

## pusdata drill --local: the tier table
cli-drill-column-tier = tier
cli-drill-column-rpo = RPO tercapai / target
cli-drill-column-rto = RTO tercapai / target
cli-drill-column-met = terpenuhi
cli-drill-met-yes = ya
cli-drill-met-no = TIDAK

## operator/src/cli/report.rs
cli-report-compliance-summary = { $rules } aturan: { $compliant } patuh, { $findings } ada temuan, { $unchecked } tidak diperiksa otomatis

## operator/src/plans.rs
cli-plans-crd-rule-broken = aturan CRD dilanggar: { $messages }
cli-plans-crd-rule-broken-hint = API server akan menolak objek ini; perbaiki dulu

## operator/src/cli/place.rs: tabel penempatan
cli-place-col-request = PERMINTAAN
cli-place-col-rack = RAK
cli-place-col-feeds = FEED
cli-place-col-work-order = PERINTAH KERJA
cli-place-col-addresses = ALAMAT
cli-place-already-placed = (sudah ditempatkan; tetap di tempatnya)
cli-place-pinned = (dipatok)
cli-place-alternatives = alternatif
