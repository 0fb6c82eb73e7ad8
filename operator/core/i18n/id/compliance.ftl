# compliance messages (Bahasa Indonesia). IDs: compliance-<topic>-<detail>.

## operator/core/src/compliance/mod.rs
compliance-compliant = patuh
compliance-findings = ada temuan
compliance-checked-automatically = tidak diperiksa otomatis
compliance-plan-recorded-drill-so = rencana { $plan_name } belum memiliki latihan tercatat, sehingga belum ada restore yang terbukti
compliance-run-drill-pusdata-drill = jalankan latihan (`pusdata drill --local`, atau Failover bertipe Drill) dan berikan direktori kerjanya dengan --drills
compliance-last-drill-plan-failed = latihan terakhir rencana { $plan_name } ({ $name }) gagal
compliance-read-drill-s-report = baca laporan latihan, perbaiki langkah yang gagal dan ulangi latihan
compliance-last-drill-plan-finished = latihan terakhir rencana { $plan_name } ({ $name }) belum selesai
compliance-wait-resume-pusdata-drill = tunggu, atau lanjutkan (`pusdata drill --local --resume`)
compliance-drill-tier-missed-objectives = latihan { $name }: tier { $tier } tidak memenuhi sasaran (RPO { $rpo_achieved_seconds } dari { $rpo_target_seconds } dtk, RTO { $rto_achieved_seconds } dari { $rto_target_seconds } dtk)
compliance-back-up-more-often = cadangkan lebih sering atau percepat restore, lalu ulangi latihan
compliance-failover-finished-without-written = failover ini selesai tanpa laporan tertulis beserta SHA-256-nya
compliance-write-report-failover-controller = tulis laporannya (controller Failover melakukannya) dan catat SHA-256-nya
