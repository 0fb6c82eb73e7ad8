# Pesan laporan (Bahasa Indonesia): laporan latihan, failover dan riwayat. ID: report-<topik>-<rincian>.
report-title-drill = Laporan latihan pemulihan bencana: { $name }
report-title-incident = Laporan insiden pemulihan bencana: { $name }
report-title-history = Riwayat latihan pemulihan bencana: { $plan }
report-incident-note = SEC-INCIDENT (Perda 30(4)): laporan ini merupakan laporan tertulis kepada Dinas setelah terjadi kegagalan serius.
report-verdict-met = Seluruh tier memenuhi sasaran RPO dan RTO.
report-verdict-missed = { $count ->
       *[other] { $count } tier tidak memenuhi sasaran: { $tiers }.
    }
report-verdict-unknown = Tidak semua sasaran dapat diukur.
report-verdict-phase = Hasil pelaksanaan: { $phase }.
report-kind-drill = Latihan
report-kind-failover = Failover (pengalihan ke DRC)
report-kind-failback = Failback (kembali ke pusat data utama)
report-phase-pending = belum dimulai
report-phase-running = sedang berjalan
report-phase-waiting = menunggu petugas
report-phase-succeeded = berhasil
report-phase-failed = GAGAL
report-phase-cancelled = dibatalkan
report-state-pending = menunggu giliran
report-state-running = sedang berjalan
report-state-waiting = menunggu petugas
report-state-succeeded = berhasil
report-state-failed = gagal
report-state-skipped = dilewati
report-field-plan = Rencana
report-field-document = Dokumen rencana
report-field-type = Jenis
report-field-reason = Alasan
report-field-requested = Diminta oleh
report-field-outcome = Hasil
report-field-epoch = Epoch pemagaran
report-field-started = Mulai
report-field-finished = Selesai
report-field-duration = Lama pelaksanaan
report-requested-at = { $user }, { $at }
report-none = Tidak ada.
report-not-measured = tidak terukur
report-section-summary = Ringkasan
report-section-objectives = Sasaran pemulihan per tier
report-section-timeline = Lini waktu
report-section-steps = Langkah
report-section-incident = Pemagaran dan kehilangan data
report-section-signoffs = Persetujuan dan pengesahan
report-section-findings = Temuan pemeriksaan rencana
report-section-trend = RPO dan RTO per tier dari waktu ke waktu
report-section-calendar = Jadwal latihan
report-section-drills = Latihan
report-chart-target = sasaran
report-chart-log = Skala logaritmik: nilai-nilainya berbeda beberapa orde besaran.
report-chart-linear = Batang menunjukkan nilai yang dicapai; garis menunjukkan sasaran.
report-col-tier = Tier
report-col-objective = Sasaran
report-col-target = Target
report-col-achieved = Tercapai
report-col-margin = Selisih
report-col-step = Langkah
report-col-state = Status
report-col-start = Mulai
report-col-duration = Durasi
report-col-attempts = Percobaan
report-col-note = Catatan
report-col-who = Oleh
report-col-when = Waktu
report-col-what = Perihal
report-col-drill = Latihan
report-col-date = Tanggal
report-col-result = Hasil
report-col-schedule = Jadwal
report-col-due = Jatuh tempo
report-col-held = Terlaksana
report-margin-met = terpenuhi, tersisa { $spare } ({ $pct } % dari target terpakai)
report-margin-missed = TIDAK TERPENUHI, melampaui { $over } ({ $pct } % dari target)
report-margin-unknown = tidak terukur: tidak dapat dinyatakan terpenuhi atau tidak
report-group-before = Sebelum pemulihan (runbook)
report-group-recovery = Pemagaran dan sinkronisasi
report-group-after = Setelah pemulihan (runbook)
report-group-tier = Tier { $tier }
report-group-other = Langkah lainnya
report-critical-path = Jalur kritis (rangkaian langkah yang menentukan lama pelaksanaan): { $steps }.
report-parallel-note = Batang yang bertumpang tindih pada waktu yang sama dijalankan secara paralel.
report-legend-critical = jalur kritis
report-step-fence = Memagari { $site } dengan epoch baru sehingga situs tersebut menolak pekerjaan lebih lanjut
report-step-final-sync = Sinkronisasi terakhir dari { $from } ke { $to }
report-step-restore-drill = Memulihkan { $service } ke namespace terisolasi di DRC
report-step-restore = Memulihkan { $service } di { $to }
report-step-restore-pvc-drill = Memulihkan volume { $pvc } milik { $service } ke namespace terisolasi di DRC
report-step-restore-pvc = Memulihkan volume { $pvc } milik { $service } di { $to }
report-step-verify = Memverifikasi { $service }: mencocokkan checksum dengan snapshot
report-step-measure-rto = Mengukur RTO yang dicapai per tier
report-step-teardown = Menghapus namespace terisolasi; replikasi tetap berjalan selama latihan
report-step-switch-traffic = Mengalihkan lalu lintas ke { $to }
report-site-primary = situs utama
report-site-drc = DRC
report-epoch-held = Pelaksanaan ini memegang epoch pemagaran { $epoch }: situs yang ditinggalkan menolak setiap pekerjaan dengan epoch yang lebih lama.
report-epoch-none = Tidak ada epoch pemagaran yang tercatat.
report-fence-step = Pemagaran: { $state }, { $at }.
report-sync-done = Sinkronisasi terakhir berhasil pada { $at }: tidak ada data sebelum waktu tersebut yang hilang.
report-sync-skipped = Sinkronisasi terakhir dilewati (kehilangan data diterima): data yang ditulis setelah pencadangan terakhir hilang.
report-sync-none = Tidak ada sinkronisasi terakhir yang tercatat.
report-loss-window = Tier { $tier }: rentang kehilangan data { $window }, dari { $from } sampai { $to }.
report-loss-window-unknown = Tier { $tier }: rentang kehilangan data tidak terukur.
report-loss-window-zero = Tier { $tier }: tidak ada data yang hilang (sinkronisasi terakhir).
report-signoff-row = { $step }
report-signoff-requested = memulai pelaksanaan
report-signoff-none = Tidak ada pengesahan yang tercatat.
report-drp-note = Dilaksanakan sesuai DRP tertulis (DR-PLAN, Perda 26(10)).
report-generated = Dibuat oleh Pusdata pada { $at }.
report-sha-note = SEC-CIA: SHA-256 berkas ini tercantum dalam report.html.sha256 dan dalam status.report.sha256 objek Failover.
report-sha-md = SEC-CIA: SHA-256 report.html = { $sha }
report-lang-switch = English
report-history-none = Tidak ada latihan yang ditemukan di direktori ini.
report-history-count = { $count } latihan untuk rencana { $plan } dibaca.
report-calendar-held = terlaksana ({ $drill })
report-calendar-missed = TIDAK TERLAKSANA
report-calendar-upcoming = akan datang
report-calendar-summary = { $missed ->
        [0] Tidak ada latihan terjadwal yang terlewat sejak { $since }.
       *[other] { $missed } latihan terjadwal terlewat sejak { $since }.
    }
report-dur-ms = { $ms } mdtk
report-dur-s = { $s } detik
report-dur-ms-s = { $m } menit { $s } detik
report-dur-h-m = { $h } jam { $m } menit
report-dur-d-h = { $d } hari { $h } jam
report-local-drill-reason = Latihan lokal (pusdata drill --local): pencadangan, simulasi hilangnya situs utama, pemulihan di DRC melalui gRPC, dan verifikasi checksum

## Laporan kepatuhan (report/compliance.rs, `pusdata report compliance`).
report-compliance-title = Laporan kepatuhan (AUDIT, Perda 43-45)
report-compliance-verdict-ok = Seluruh aturan yang diperiksa otomatis telah dipatuhi.
report-compliance-verdict-findings = { $count ->
       *[other] { $count } aturan memiliki temuan yang masih berlaku: { $rules }.
    }
report-compliance-verdict-expired = { $count ->
       *[other] { $count } pengecualian telah kedaluwarsa.
    }
report-compliance-summary = { $rules } aturan: { $compliant } dipatuhi, { $findings } memiliki temuan, { $unchecked } tidak diperiksa otomatis. { $objects ->
       *[other] { $objects } objek dibaca
    }; { $deny } temuan penolakan dan { $warn } temuan peringatan.
report-compliance-section-charts = Ringkasan
report-compliance-chart-findings = Temuan yang masih berlaku per aturan
report-compliance-chart-findings-note = Batang menunjukkan jumlah temuan yang masih berlaku setelah pengecualian; aturan berwarna abu-abu tidak diperiksa otomatis.
report-compliance-chart-objectives = RPO dan RTO latihan terakhir setiap rencana terhadap sasaran
report-compliance-section-rules = Aturan
report-compliance-section-findings = Temuan
report-compliance-section-exceptions = Pengecualian
report-compliance-section-drills = Latihan terakhir per rencana
report-compliance-col-rule = Aturan
report-compliance-col-article = Pasal
report-compliance-col-requirement = Ketentuan
report-compliance-col-checked = Yang diperiksa
report-compliance-col-status = Status
report-compliance-col-object = Objek
report-compliance-col-finding = Temuan
report-compliance-col-fix = Cara memperbaiki
report-compliance-col-exception = Pengecualian
report-compliance-col-reason = Alasan dan tiket
report-compliance-col-approved = Disetujui oleh
report-compliance-col-expires = Berakhir
report-compliance-col-plan = Rencana
report-compliance-objects = { $count ->
       *[other] { $count } objek
    }
report-compliance-expired = KEDALUWARSA sejak { $at }
report-compliance-in-force = berlaku sampai { $at }
report-compliance-no-drill = belum ada latihan tercatat
report-compliance-drill-row = { $drill }: { $phase }, { $from } sampai { $to }
report-compliance-tier-met = tercapai
report-compliance-tier-missed = TIDAK tercapai
report-compliance-tier-unknown = belum diketahui
report-compliance-of-target = { $achieved } dari { $target }
report-compliance-generated = Dibuat oleh Pusdata pada { $at } (skema laporan { $schema }).
report-severity-deny = TOLAK
report-severity-warn = PERINGATAN
report-severity-info = INFO

## Toleransi kalender latihan (report/history.rs, dr::calendar).
report-calendar-late = TIDAK TERLAKSANA: { $drill } dimulai { $late } terlambat
report-calendar-tolerance = Sebuah latihan dihitung untuk tanggalnya hanya bila dimulai dalam toleransi jadwal ({ $default } kecuali rencana mengisi spec.drills[].tolerance); latihan yang lebih lambat ditandai terlambat dan tanggal tersebut tetap terlewat.

## Durasi bulat pada sumbu grafik (report/text.rs dur_short).
report-dur-min = { $m } menit
report-dur-h = { $h } jam
report-dur-d = { $d } hari
