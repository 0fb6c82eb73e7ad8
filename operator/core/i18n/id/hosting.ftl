# hosting messages (Bahasa Indonesia). IDs: hosting-<topic>-<detail>.

## operator/core/src/hosting.rs
hosting-reviewed-request-breaks-rules = tidak ditinjau: permohonan melanggar aturan
hosting-rejected-fix-findings = ditolak oleh { $ids }; perbaiki temuan
hosting-agency-owning-namespace-registered = Perangkat Daerah { $code } pemilik namespace belum terdaftar
hosting-waiting-agency = menunggu Perangkat Daerah
hosting-denying-finding-warning-s = tidak ada temuan penolakan ({ $warnings } peringatan)
hosting-refused-platform-team = ditolak oleh Dinas dalam { $name }: { $comment }
hosting-refused-approval = ditolak dalam persetujuan { $name }
hosting-approval-reviewed-generation-spec = persetujuan { $name } meninjau generasi { $target_generation }, spec kini generasi { $generation }; perlu persetujuan baru
hosting-approval-expired = persetujuan { $name } sudah kedaluwarsa
hosting-waiting-platform-team-s = menunggu Approval dari Dinas untuk generasi { $generation }
hosting-awaiting-approval = menunggu persetujuan
hosting-approved-generation = disetujui dalam { $name } untuk generasi { $generation }
hosting-placed = ditempatkan di { $placement_summary }
hosting-approved-placed-yet = disetujui, belum ditempatkan
hosting-namespace-one-agency-s = namespace { $namespace } bukan milik Perangkat Daerah { $code } (WEB-DC)
hosting-namespace-does-exist-yet = namespace { $namespace } belum ada (CLOUD-CITY)
hosting-does-fit-agency-s = tidak muat dalam kuota Perangkat Daerah { $code } di namespace { $namespace } (CLOUD-CITY): { $over }
hosting-web-hosting-namespace = hosting web di namespace { $namespace }{ $extra }
hosting-placement-computed-yet = penempatan belum dihitung
hosting-sec-register-address-es = SEC-REGISTER: perlu { $needed } alamat di situs { $site }, hanya { $free } tersedia di pool
