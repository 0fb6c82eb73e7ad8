# repository messages (Bahasa Indonesia). IDs: repository-<topic>-<detail>.

## operator/core/src/repository.rs
repository-sec-cia-repository-key = SEC-CIA: tidak ada kunci repositori: isi spec.key atau repositoryKey milik Perangkat Daerah { $code }
repository-repository-created-opened-agency = repositori dibuat dan dibuka dengan kunci Perangkat Daerah
repository-repository-opened-agency-s = repositori dibuka dengan kunci Perangkat Daerah
repository-sec-cia-repository-key-2 = SEC-CIA: kunci repositori tidak dapat membuka repositori ini; tidak ada yang ditulis
repository-repository-location-accessmode-readonly = tidak ada repositori di lokasi ini dan accessMode ReadOnly, sehingga tidak dibuat
repository-s3-server-did-answer = server S3 tidak menjawab: { $why }
repository-deletionpolicy-delete-but-repository = deletionPolicy Delete tetapi repositori ReadOnly: ubah accessMode menjadi ReadWrite untuk menghapus data, atau deletionPolicy Retain untuk menyimpannya
repository-deletionpolicy-delete-repository-opened = deletionPolicy Delete dan repositori belum dibuka (ubah deletionPolicy menjadi Retain untuk melepas)

## operator/core/src/lock.rs
repository-lock-repository-lock-been-refreshed = kunci repositori belum diperbarui sejak { $last_written } (server S3 mungkin tidak terjangkau); proses lain dapat segera menghapusnya sebagai kunci basi, jadi proses ini berhenti sebelum mengubah repositori (APP-BACKUP). Tidak ada yang dihapus oleh langkah ini

## operator/core/src/backup/mod.rs
repository-backup-waiting-start = menunggu dimulai
repository-backup-mover-running = mover sedang berjalan
repository-backup-snapshot-written = snapshot tersimpan
repository-backup-snapshot-written-but-hook = snapshot tersimpan, tetapi sebuah hook gagal
repository-backup-snapshot-written-2 = tidak ada snapshot yang tersimpan
repository-backup-run-cannot-start-written = proses tidak dapat dimulai sebagaimana tertulis
repository-backup-previous-run-same-source = proses sebelumnya untuk sumber yang sama masih berjalan

## operator/core/src/backup/verify.rs
repository-verify-restore-test-passed-every = uji pemulihan berhasil: setiap berkas sesuai dengan snapshot
repository-verify-restore-test-failed = uji pemulihan gagal
repository-verify-verified-yet = belum diverifikasi

## operator/core/src/backup/mirror.rs
repository-mirror-waiting-start = menunggu dimulai
repository-mirror-mirror-job-running = Job mirror sedang berjalan
repository-mirror-bucket-mirrored = bucket telah dicerminkan
repository-mirror-bucket-full-copy = bucket belum tersalin seluruhnya
repository-mirror-pass-cannot-start-written = proses tidak dapat dimulai sebagaimana tertulis
repository-mirror-previous-pass-same-bucket = proses sebelumnya untuk bucket yang sama masih berjalan

## operator/core/src/restore.rs
repository-restore-every-restored-file-matches = setiap berkas hasil pemulihan sesuai dengan snapshot
repository-restore-restored-files-differ-snapshot = berkas hasil pemulihan berbeda dengan snapshot
repository-restore-restore-verified = pemulihan tidak terverifikasi
repository-restore-verified-restore-did-finish = belum diverifikasi: pemulihan tidak selesai

## operator/core/src/restore.rs
repository-restore-ready-waiting-start = menunggu dimulai
repository-restore-ready-waiting-repository-available = menunggu repositori tersedia
repository-restore-ready-mover-restoring = mover sedang memulihkan
repository-restore-ready-snapshot-restored-into-target = snapshot dipulihkan ke PVC tujuan
repository-restore-ready-restored-files-differ-snapshot = berkas hasil pemulihan berbeda dengan snapshot
repository-restore-ready-target-pvc-exists-created = PVC tujuan sudah ada dan tidak dibuat oleh Restore ini
repository-restore-ready-refused-stamped-older-fencing = ditolak: epoch fencing sudah usang
repository-restore-ready-refused-another-agency-s = ditolak: repositori atau kunci milik instansi lain (SEC-CIA)
repository-restore-ready-restore-cannot-start-written = pemulihan tidak dapat dimulai sebagaimana tertulis
repository-restore-ready-restore-failed = pemulihan gagal

## operator/core/src/retention/run.rs
repository-retention-target = tier { $tier } di { $repository }
repository-retention-running = forget + prune { $what } berjalan di Job { $job }
repository-retention-done = { $what }: { $forgotten } snapshot dilupakan, dipangkas: { $pruned }
repository-retention-failed = { $what } gagal: { $errors }

## operator/core/src/repository.rs (composed)
repository-secret-use-key = kunci repositori
repository-secret-use-s3 = kredensial S3
repository-secret-foreign-namespace = SEC-CIA: Secret { $what } berada di namespace { $ns }, bukan milik Perangkat Daerah { $agency } dan bukan namespace platform { $platform }
repository-secret-no-label = <tidak ada>
repository-secret-foreign-label = SEC-CIA: Secret { $what } di { $namespace } bukan milik Perangkat Daerah { $agency } (label { $key }={ $label })
repository-secret-missing = Secret { $kind } { $what } tidak ada atau kosong

## operator/core/src/lock.rs (composed)
repository-lock-refusal = repositori terkunci: { $kind ->
        [exclusive] kunci eksklusif
        [shared] kunci
       *[unreadable] kunci yang tidak terbaca
    } locks/{ $short } dipegang oleh { $holder }, berumur { $age }; { $what } ditolak (APP-BACKUP). Kunci menjadi basi setelah { $stale } tanpa pembaruan; `pusdata mover unlock` menghapus kunci basi
repository-delete-blocked = deletionPolicy Delete tetapi repositori tidak dapat dibuka, sehingga tidak ada yang dihapus: { $why } (ubah deletionPolicy menjadi Retain untuk melepas)
