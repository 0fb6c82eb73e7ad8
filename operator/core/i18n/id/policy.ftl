# policy messages (Bahasa Indonesia). IDs: policy-<topic>-<detail>.

## operator/core/src/policy/cloud.rs
policy-cloud-choose-region-inside-catalogue = pilih region di dalam { $allowed } dari katalog (mis. aws ap-southeast-3, gcp asia-southeast2), atau minta Dinas menambahkan penyedia lokal
policy-cloud-outside-allowed-countries = { $provider } { $region } berada di { $city }, { $country }: di luar negara yang diizinkan ({ $allowed })
policy-cloud-endpoint-host-catalogue-so = host endpoint { $host } tidak ada di katalog, sehingga tidak diketahui berada di Indonesia
policy-cloud-use-region-s-own = gunakan endpoint milik region tersebut, atau minta Dinas menambahkan host ini ke katalog
policy-cloud-endpoint-host-outside-allowed = host endpoint { $host } berada di { $name } { $id } ({ $country }), di luar negara yang diizinkan ({ $allowed })
policy-cloud-technical-approval-office-force = belum ada persetujuan teknis Dinas yang berlaku untuk ExternalCloudService { $ns }/{ $name }
policy-cloud-ask-platform-team-approval = minta Dinas membuat Approval di namespace { $platform } untuk objek ini
policy-cloud-office-rejected-service-approval = Dinas menolak layanan ini (Approval { $name })
policy-cloud-read-approval-s-comment = baca komentar pada Approval; ubah permohonan lalu ajukan kembali

## operator/core/src/policy/approval.rs
policy-approval-registered-agency-owns-target = tidak ada Perangkat Daerah terdaftar yang memiliki target { $namespace }/{ $name }, sehingga persetujuan atas permohonan sendiri tidak dapat dicegah
policy-approval-register-agency-namespaces-first = daftarkan dahulu Perangkat Daerah beserta namespace-nya
policy-approval-member-agency-cannot-approve = { $who } adalah anggota { $group } dari Perangkat Daerah { $code } dan tidak boleh menyetujui permohonannya sendiri
policy-approval-another-member-platform-team = persetujuan harus diberikan anggota Dinas lain yang bukan bagian dari Perangkat Daerah tersebut
policy-approval-spec-recordedby-claims-but = spec.recordedBy menyebut { $username }, padahal permintaan dibuat oleh { $who }
policy-approval-leave-spec-recordedby-empty = kosongkan spec.recordedBy: Pusdata mencatat pengguna yang terautentikasi
policy-approval-spec-requestedby-claims-but = spec.requestedBy menyebut { $username }, padahal permintaan dibuat oleh { $who }
policy-approval-leave-spec-requestedby-empty = kosongkan spec.requestedBy: Pusdata mencatat pengguna yang terautentikasi
policy-approval-spec-requestedby-records-who = spec.requestedBy mencatat siapa yang memulai failover dan tidak dapat diubah
policy-approval-leave-spec-requestedby = biarkan spec.requestedBy apa adanya
policy-approval-platform-team-s-groups = { $who } bukan anggota grup Dinas ({ $platform }) dan tidak berwenang menyetujui
policy-approval-ask-platform-team-office = minta Dinas (tim platform) meninjau permohonan

## operator/core/src/policy/exceptions.rs
policy-exceptions-exception-names-rule-which = pengecualian { $name } menyebut aturan { $rule }, yang tidak ada
policy-exceptions-use-rule-id-such = gunakan ID aturan seperti CLOUD-NKRI
policy-exceptions-exception-expired = pengecualian { $name } berakhir pada { $expires_at }
policy-exceptions-remove-grant-new-one = hapus, atau berikan pengecualian baru dengan tiket baru

## operator/core/src/policy/hosting.rs
policy-hosting-names-licence-licence-proof = { $name } tidak mencantumkan lisensi maupun bukti lisensi
policy-hosting-licence-known-spdx-expression = lisensi { $expr } untuk { $name } bukan ekspresi SPDX yang dikenal (pada { $part })
policy-hosting-give-spdx-id-such = isi id SPDX seperti Apache-2.0 atau GPL-2.0-only (boleh A OR B, A AND B), atau licenseProof berisi nomor kontrak atau faktur
policy-hosting-malware-scan-attached = tidak ada hasil pemindaian malware yang dilampirkan
policy-hosting-scan-application-e-g = pindai aplikasi (mis. ClamAV) dan lampirkan laporannya, paling lama { $max_days } hari
policy-hosting-malware-scan-names-scanner = hasil pemindaian malware tidak menyebut pemindai atau nomor laporan
policy-hosting-fill-scanner-reportid-so = isi scanner dan reportId agar laporan dapat ditelusuri
policy-hosting-clean-application-scan-again = bersihkan aplikasi, pindai ulang dan lampirkan laporan baru yang bersih
policy-hosting-scan-date-future = tanggal pemindaian { $at } berada di masa depan
policy-hosting-give-real-date-scan = isi tanggal pemindaian yang sebenarnya
policy-hosting-malware-scan-days-old = pemindaian malware sudah berumur { $days } hari; maksimum { $max_days } hari
policy-hosting-scan-application-again-attach = pindai ulang aplikasi dan lampirkan laporan yang baru
policy-hosting-colocation-request-must-describe = permohonan kolokasi harus menjelaskan perangkatnya
policy-hosting-fill-spec-colocation-device = isi spec.colocation.device
policy-hosting-inch-rackmount-server = { $manufacturer } { $model } berbentuk { $form_factor }, bukan server rackmount 19 inci
policy-hosting-only-inch-rackmount-servers = hanya server rackmount 19 inci yang dapat dikolokasikan; gunakan rack kit atau server lain
policy-hosting-device-u-mm-deep = perangkat ({ $height_u } U, kedalaman { $depth_mm } mm) tidak muat di rak mana pun di situs (paling besar { $tallest } U, { $deepest } mm)
policy-hosting-check-device-s-height = periksa tinggi dan kedalaman perangkat, atau minta rak yang lebih dalam kepada pengelola Pusat Data
policy-hosting-device-power-supply-least = perangkat hanya memiliki { $psu_count } catu daya; minimal 2, satu untuk tiap jalur listrik
policy-hosting-add-second-redundant-power = tambahkan catu daya kedua (redundan) agar server tetap hidup dari jalur A atau B saja
policy-hosting-feed-feed-b-same = jalur A "{ $name }" dan jalur B "{ $name2 }" adalah jalur yang sama (keduanya dinormalisasi menjadi "{ $name3 }"); rak memerlukan dua jalur listrik berbeda
policy-hosting-connect-rack-s-b = sambungkan sisi B rak ke PDU kedua dan sebutkan di spec.feedB
policy-hosting-web-hosting-request-must = permohonan hosting web harus mencantumkan nama host
policy-hosting-fill-spec-web-hostnames = isi spec.web.hostnames
policy-hosting-use-valid-dns-name = gunakan nama DNS yang sah pada atau di bawah { $own }
policy-hosting-use-name-below = gunakan { $own } atau nama di bawahnya
policy-hosting-namespace-does-belong-agency = namespace { $ns } bukan milik Perangkat Daerah { $code }
policy-hosting-submit-request-namespace = ajukan permohonan di namespace milik { $code }
policy-hosting-request-names-drp-tier = permohonan tidak menyebut tier DRP dan tidak menyatakan sistem tanpa data (stateless) beserta alasannya
policy-hosting-set-spec-dr-plan = isi spec.dr.plan dan spec.dr.tier, atau spec.dr.statelessReason
policy-hosting-request-names-drp-tier-2 = permohonan menyebut tier DRP sekaligus menyatakan sistem tanpa data (stateless)
policy-hosting-keep-exactly-one-spec = pilih salah satu saja: spec.dr.tier atau spec.dr.statelessReason
policy-hosting-plan-tier = rencana { $name } tidak memiliki tier { $tier }
policy-hosting-choose-one = pilih salah satu: { $tiers }
policy-hosting-ask-platform-team-approval = minta Approval kepada Dinas dan cantumkan namanya di approvalRef, atau gunakan port standar
policy-hosting-egress-port-outside-standard = lalu lintas keluar ke port { $port } di luar port standar dan tidak memiliki persetujuan

## operator/core/src/policy/mod.rs
policy-check-fix-field-named-message = perbaiki field yang disebut dalam pesan
policy-check-endpoint-host = endpoint "{ $endpoint }" tidak memiliki host
policy-check-give-endpoint-url-host = tuliskan endpoint sebagai URL atau host dengan nama DNS yang sah
policy-check-agency-registered-so-request = Perangkat Daerah { $code } belum terdaftar, sehingga permohonan tidak dapat diperiksa
policy-check-use-code-registered-agency = gunakan kode Agency yang terdaftar, atau minta Dinas mendaftarkannya

## operator/core/src/policy/signoff.rs
policy-signoff-leave-recorded-sign-offs = biarkan tanda tangan yang tercatat; keputusan baru memerlukan Failover baru
policy-signoff-step-owner-role-may = langkah { $step } (peran pemilik { $role }) hanya dapat ditandatangani oleh anggota { $list }; { $who } bukan anggota grup tersebut dan tidak berwenang menyetujui
policy-signoff-ask-person-role-sign = minta orang yang memegang peran { $role } untuk menandatangani; spec.roles pada rencana menyebutkan siapa

## operator/core/src/policy/storage.rs
policy-storage-primary-site-registered-so = situs utama { $site } belum terdaftar, sehingga jaraknya belum diperiksa
policy-storage-register-primary-site-pass = daftarkan Site utama (atau sertakan dalam `pusdata policy check`)
policy-storage-site-registered-site = situs { $site } bukan Site yang terdaftar
policy-storage-back-up-only-registered = cadangkan hanya ke situs kota yang terdaftar (Pusat Data atau DRC)
policy-storage-endpoint-outside-allowed-countries = endpoint { $host } berada di { $name } { $id } ({ $country }), di luar negara yang diizinkan ({ $allowed })
policy-storage-use-s3-endpoint-registered = gunakan endpoint S3 milik situs yang terdaftar
policy-storage-endpoint-neither-s3-endpoint = endpoint { $host } bukan endpoint S3 situs { $site } dan tidak ada di katalog
policy-storage-use-site-s-spec = gunakan spec.endpoints.s3 milik situs, atau tambahkan host ke extraProviders pada kebijakan
policy-cloud-region-not-in-catalogue = region "{ $region }" milik penyedia "{ $provider }" tidak ada di katalog, sehingga tidak diketahui berada di Indonesia
policy-cloud-provider-not-in-catalogue = penyedia { $provider } tidak ada di katalog, sehingga servernya tidak diketahui berada di Indonesia
policy-hosting-scan-found-malware = pemindaian { $report } menemukan malware
policy-hosting-scan-found-suspicious = pemindaian { $report } menemukan isi yang mencurigakan
policy-hosting-name-of-other-agency = "{ $raw }" milik Perangkat Daerah { $other }, bukan milik { $code }
policy-hosting-name-not-under-subdomain = "{ $raw }" tidak berada di bawah { $own }, subdomain milik { $code }
policy-hosting-port-approval-unusable = persetujuan { $name } untuk port { $port } { $problem ->
        [unknown] tidak dikenal
        [rejection] berisi penolakan
        [expired] sudah kedaluwarsa
       *[other] untuk objek lain
    }
policy-signoff-recorded-cannot-change = langkah { $step } sudah ditandatangani oleh { $recorded }; tanda tangan yang tercatat tidak dapat { $change ->
        [removed] dihapus
       *[changed] diubah
    }
policy-signoff-owner-role-context = langkah { $step } (peran pemilik { $role }): { $detail }

## operator/core/src/policy/execution.rs
policy-execution-reason-short = alasan lebih pendek dari { $min } karakter: alasan dimuat dalam laporan tertulis
policy-execution-reason-short-hint = jelaskan alasannya minimal dalam satu kalimat, pada setiap bahasa yang ditulis

## operator/core/src/policy/report.rs (hasil PolicyReport untuk objek yang tidak melanggar aturan)
policy-report-pass = tidak ada aturan yang dilanggar
