# dr messages (Bahasa Indonesia). IDs: dr-<topic>-<detail>.

## operator/core/src/dr/check.rs
dr-check-tier-members = tier { $name } tidak memiliki anggota
dr-check-add-services-tier-remove = tambahkan layanan ke tier ini, atau hapus tier-nya
dr-check-member-names-must-unique = nama anggota harus unik di dalam rencana
dr-check-depends-which-tier-covers = { $name } bergantung pada { $dependency }, yang tidak tercakup tier mana pun: tidak ada cadangannya dan tidak dapat dipulihkan lebih dulu
dr-check-add-member-tier-fix = tambahkan { $dependency } sebagai anggota sebuah tier, atau perbaiki namanya
dr-check-rpo-depends-which-longer = { $name } (RPO { $rpo }) bergantung pada { $dependency }, yang RPO-nya lebih panjang ({ $dep_rpo }): setelah bencana keduanya bisa tidak sesuai
dr-check-move-into-tier-more = pindahkan { $dependency } ke tier { $name } atau yang lebih kritis
dr-check-dependency-cycle-restore-order = siklus ketergantungan: { $path }; tidak ada urutan pemulihan
dr-check-remove-one-dependson-entry = hapus salah satu entri dependsOn dalam siklus tersebut
dr-check-write-go-duration-such = tulis durasi gaya Go seperti 15m, 4h atau 1h30m
dr-check-write-field-cron-expression = tulis ekspresi cron 5 kolom (*/15 * * * *) atau @every 15m
dr-check-back-up-least-often = cadangkan minimal sesering RPO, atau hapus jadwal agar diturunkan dari RPO
dr-check-drill-names-unknown-tier = latihan { $name } menyebut tier { $tier } yang tidak dikenal
dr-check-use-tier-name-plan = gunakan nama tier dari rencana
dr-check-measured-assumed-restore-throughput = tidak ada laju pemulihan terukur maupun asumsi: kelayakan RTO tidak diperiksa
dr-check-run-drill-set-assumedrestorebytespersecond = jalankan latihan, atau isi assumedRestoreBytesPerSecond
dr-check-raise-rto-split-data = naikkan RTO, pecah datanya, perpendek rantai ketergantungan atau tambah bandwidth pemulihan
dr-check-leave-margin-real-disaster = sisakan cadangan waktu: pemulihan saat bencana jarang secepat saat latihan
dr-check-tier-size-unknown-counted = tier { $name }: ukuran { $names } belum diketahui; dihitung kosong dalam perkiraan RTO
dr-check-set-sizehintbytes-until-first = isi sizeHintBytes sampai cadangan pertama mengukurnya
dr-check-site-among-sites-given = situs { $name } tidak ada di antara Site yang diberikan
dr-check-declare-site-check-name = deklarasikan Site tersebut, atau periksa namanya
dr-check-repository-site-which-registered = repositori { $name } berada di situs { $site }, yang bukan Site terdaftar
dr-check-backups-go-only-repositories = cadangan hanya boleh ke repositori di situs terdaftar
dr-check-agency-member-backuprepository-drc = Perangkat Daerah { $agency } (anggota { $first }, …) tidak memiliki BackupRepository di situs DRC { $drc_site }
dr-check-create-agency-s-repository = buat repositori Perangkat Daerah tersebut di DRC (lihat dr-plans/repositories.yaml)
dr-check-member-lists-buckets-but = anggota { $name } mencantumkan bucket tetapi tanpa bucketMirror, sehingga tidak pernah dicerminkan
dr-check-set-bucketmirror-primarycredentials-secret = isi bucketMirror.primaryCredentials (Secret di namespace anggota)
dr-check-member-takes-bucket-keys = anggota { $name } mengambil kunci bucket dari namespace { $ns }, bukan miliknya ({ $namespace })
dr-check-keep-each-agency-s = simpan kunci setiap Perangkat Daerah di namespace-nya sendiri
dr-check-bucket-members-member-mirrored = anggota bucket (anggota { $first }, …) dicerminkan melalui situs { $site_name }, yang tidak mendaftarkan endpoint S3
dr-check-register-site-s-object = daftarkan object storage situs di spec.endpoints.s3
dr-check-runbook-step-id-used = id langkah runbook { $id } dipakai dua kali
dr-check-give-every-step-own = beri setiap langkah id sendiri
dr-check-step-owned-role-which = langkah { $id } dimiliki peran { $owner_role }, yang tidak memiliki kontak
dr-check-add-contact-role-fix = tambahkan kontak dengan peran tersebut, atau perbaiki perannya
dr-check-step-waits-sign-off = langkah { $id } menunggu tanda tangan peran { $owner_role }, yang tidak dipetakan ke grup Kubernetes mana pun di spec.roles: hanya tim platform yang dapat menandatanganinya
dr-check-add-name-groups-spec = tambahkan {"{"}name: { $owner_role }, groups: [...]{"}"} ke spec.roles dengan grup orang-orang yang memegang peran tersebut
dr-check-approval-step-before-failover = tidak ada langkah Approval sebelum Failover: failover sungguhan harus diperintahkan seseorang
dr-check-add-runbook-step-kind = tambahkan langkah runbook dengan kind: Approval, stage: Before yang berlaku untuk Failover
dr-check-automatic-failover-without-after = failover otomatis tanpa `after`: rencana harus menyebut berapa lama pusat data utama boleh hilang
dr-check-set-peerloss-after-e = isi peerLoss.after, misalnya 30m

## operator/core/src/dr/drc.rs
dr-drc-namespace-true-label-only = namespace { $namespace } tidak berlabel { $DRILL_LABEL }=true: hanya namespace terisolasi milik drill yang dihapus
dr-drc-sec-cia-backuprepository-belongs = SEC-CIA: BackupRepository { $repository } milik Perangkat Daerah { $agency }, bukan { $agency2 } pemilik namespace { $namespace } yang didrill: Secret-nya tidak disalin
dr-drc-namespace-true-label-secrets = namespace { $namespace } tidak berlabel { $DRILL_LABEL }=true: Secret hanya disalin ke namespace terisolasi milik drill
dr-drc-restore-service-verify = tidak ada Restore layanan ini untuk diverifikasi
dr-drc-restore-phase-file-s = Restore { $name }: fase { $phase }, { $mismatched } berkas berbeda dari snapshot, atau belum diverifikasi
dr-drc-done-after-s = { $what }: belum selesai setelah { $seconds } detik
dr-drc-caller-s-deadline-reached = { $what }: tenggat pemanggil tercapai; minta lagi untuk terus menunggu
dr-drc-workloads-local-drill = tidak ada workload dalam drill lokal
dr-drc-readiness-check-plan-service = rencana tidak memuat pemeriksaan kesiapan untuk layanan ini
dr-drc-smoke-command-plan-service = rencana tidak memuat perintah uji asap untuk layanan ini
dr-drc-workload-s-ready = { $count } workload siap

## operator/core/src/dr/steps.rs
dr-steps-dependency-cycle-restore-order = siklus ketergantungan { $cycle }: tidak ada urutan pemulihan
dr-steps-scope-names-unknown-tier = cakupan menyebut tier { $tier } yang tidak dikenal
dr-steps-scope-names-unknown-service = cakupan menyebut layanan { $service } yang tidak dikenal
dr-steps-stale-epoch-execution-holds = epoch kedaluwarsa: eksekusi ini memegang epoch { $held } tetapi epoch { $current_epoch } sudah ada; eksekusi lain telah mengambil alih
dr-steps-step-failed-after-attempt = langkah { $id } gagal setelah { $attempts } percobaan: { $why }
dr-steps-refusing-switch-traffic-execution = menolak mengalihkan lalu lintas: eksekusi ini tidak memegang epoch fencing
dr-steps-waiting-person-sign-off = menunggu tanda tangan petugas: { $list }
dr-steps-site-being-left-unreachable = situs yang ditinggalkan tidak dapat dihubungi: menunggu untuk sinkronisasi akhir; untuk melanjutkan tanpanya, mulai eksekusi baru dengan acceptDataLoss: true
dr-steps-step-can-proceed-recorded = tidak ada langkah yang dapat berjalan: progres tercatat tidak sesuai rencana

## operator/core/src/peer.rs
dr-peer-site-spec-endpoints-agent = situs { $site } tidak punya spec.endpoints.agent: heartbeat-nya tidak dapat diperiksa
dr-peer-peer-site-answered-heartbeat = situs pasangan belum menjawab heartbeat; failover tidak dimulai
dr-peer-last-heartbeat-s-future = heartbeat terakhir { $seconds } detik di masa depan: periksa jam (NTP) kedua situs
dr-peer-heartbeat-peer-site-s = tidak ada heartbeat dari situs pasangan selama { $seconds } detik (batas { $limit } detik); hanya peringatan, failover tidak dimulai
dr-peer-peer-site-answers-heartbeats = situs pasangan menjawab heartbeat

dr-peer-automatic-failover-reason = failover otomatis oleh spec.peerLoss rencana { $plan } (automaticFailover, after { $after }): pusat data utama tidak menjawab heartbeat selama { $lost } (PeerReady=False sejak { $since })

## operator/core/src/dr/check.rs (composed)
dr-check-member-twice-in-tier = anggota { $member } muncul dua kali di tier { $tier }
dr-check-member-in-two-tiers = anggota { $member } ada di dua tier ({ $other } dan { $tier }); satu layanan hanya punya satu RPO dan satu RTO
dr-check-invalid-duration = durasi tidak valid: { $error }
dr-check-invalid-schedule = jadwal tidak valid: { $error }
dr-check-gap-never = tidak pernah
dr-check-schedule-sparser-than-rpo = tier { $tier }: jadwal { $schedule } menyisakan jeda hingga { $gap } antar-cadangan, melebihi RPO { $rpo }
dr-check-restore-over-rto = tier { $tier }: pemulihan butuh sekitar { $took } pada { NUMBER($speed, maximumFractionDigits: 0) } MB/detik di rantai ketergantungan terpanjang, melebihi RTO { $rto }
dr-check-restore-near-rto = tier { $tier }: pemulihan butuh sekitar { $took } pada { NUMBER($speed, maximumFractionDigits: 0) } MB/detik, di atas { NUMBER($share, maximumFractionDigits: 0) }% dari RTO { $rto }

## operator/core/src/dr/restore.rs
dr-restore-pvc-of-member = PVC { $pvc } milik { $member }
dr-restore-no-verified-backup = tidak ada Backup terverifikasi untuk { $what }: latihan tier ini hanya memulihkan snapshot yang sudah dibuktikan oleh uji pemulihan (verification.restoreTestSchedule)
dr-restore-no-completed-backup = tidak ada Backup selesai untuk { $what }

## operator/core/src/dr/drc.rs (composed)
dr-drc-why-suffix = {" "}({ $why })
dr-drc-no-workloads-match = tidak ada Deployment atau StatefulSet yang cocok dengan selektor kesiapan{ $why }
dr-drc-not-ready = belum siap: { $names }{ $why }

## operator/core/src/peer.rs
dr-peer-auto-plan-spec-peerloss-automaticfailover = rencana { $plan }: spec.peerLoss.automaticFailover mati; manusia yang memutuskan (DR-PLAN)
dr-peer-auto-primary-never-fails-over = pusat data utama tidak pernah failover sendiri: hanya DRC yang menerapkan spec.peerLoss
dr-peer-auto-plan-spec-peerloss-after = rencana { $plan }: spec.peerLoss.after tidak valid: { $error }
dr-peer-auto-plan-spec-peerloss-after-unset = rencana { $plan }: spec.peerLoss.after belum diisi (DR-PLAN)
dr-peer-auto-primary-known-lost-peerready = pusat data utama tidak diketahui hilang (PeerReady bukan False)
dr-peer-auto-peerready-changed-after-now = PeerReady berubah setelah sekarang: jam tidak sepakat
dr-peer-auto-plan-already-failed-over = rencana { $plan } sudah failover (oleh { $name }); DRC yang aktif
## operator/core/src/dr/languages.rs
dr-languages-untranslated = { $path } { $state ->
        [plain] hanya satu teks untuk kedua bahasa
        [only-en] tidak memiliki Bahasa Indonesia
        [only-id] tidak memiliki bahasa Inggris
       *[empty] kosong
    }: laporan menampilkannya tanpa terjemahan
dr-languages-untranslated-hint = tulis sebagai {"{"}en: <bahasa Inggris>, id: <Bahasa Indonesia>{"}"}

## operator/core/src/dr/check.rs: toleransi tanggal latihan (dr::calendar)
dr-check-drill-tolerance = jadwal latihan { $name }: toleransi bukan durasi: { $error }
dr-check-drill-tolerance-hint = tuliskan batas keterlambatan latihan yang masih dihitung, sebagai durasi Go seperti 72h atau 336h (14 hari, bawaan bila tidak diisi)

## operator/core/src/dr/steps.rs: hasil langkah yang dirumuskan inti sendiri (StepStatus.note)
dr-step-lost = pekerja hilang tanpa hasil
dr-step-signed-off = disetujui oleh { $who }
dr-step-final-sync-skipped = situs mitra tidak terjangkau; data yang ditulis sejak cadangan terakhir hilang (acceptDataLoss)

## dr::drc::checks_note: hasil pemeriksaan kesiapan dan uji asap langkah verifikasi, ditambahkan pada catatannya.
dr-drc-check-readiness = kesiapan
dr-drc-check-smoke = uji asap
dr-drc-check-passed = lulus
dr-drc-check-failed = gagal
dr-drc-check-skipped = dilewati
dr-drc-check-note = ; { $check } { $state }: { $message }
