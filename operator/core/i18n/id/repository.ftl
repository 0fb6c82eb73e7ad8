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
