# Aturan kedua peraturan kota (operator/core/src/rules.rs) dan yang diperiksa Pusdata untuk
# setiap aturan (operator/core/src/compliance/mod.rs). ID: rule-<id aturan>, rule-<id aturan>-checked,
# rule-<id aturan>-manual (alasan sebuah aturan tidak diperiksa otomatis).

rule-host-place = Server, aplikasi dan basis data Perangkat Daerah ditempatkan di Pusat Data kota.
rule-host-place-checked = Setiap HostingRequest berada di namespace milik Perangkat Daerah pengajunya.
rule-host-power = Server di Pusat Data memiliki catu daya redundan.
rule-host-power-checked = Perangkat kolokasi menyatakan paling sedikit dua catu daya (penempatan lalu memakai feed A dan B).
rule-host-legal = Sistem operasi dan perangkat lunak berlisensi atau open source.
rule-host-legal-checked = Permohonan menyatakan lisensi OS dan perangkat lunak (SPDX id atau bukti lisensi).
rule-host-clean = Aplikasi bebas dari backdoor, trojan dan malware.
rule-host-clean-checked = Permohonan membawa hasil pindai malware bersih yang tidak lebih tua dari batas kebijakan.
rule-host-access = Akses fisik ke Pusat Data hanya melalui permohonan resmi dan didampingi.
rule-host-access-checked = Permohonan kolokasi yang ditempatkan mendapat perintah kerja instalasi dengan pendamping (tercatat di status).
rule-host-access-manual = akses fisik terjadi di pintu, di luar Kubernetes; buku akses Pusat Data adalah buktinya
rule-host-rack = Server berbentuk rackmount 19 inci.
rule-host-rack-checked = Perangkat kolokasi berbentuk rackmount 19 inci dan muat di rak (tinggi U, kedalaman).
rule-host-site = Pengelola Pusat Data menentukan penempatan berdasarkan daya, pendinginan dan kebutuhan Perangkat Daerah.
rule-host-site-checked = Mesin penempatan menentukan rak, unit dan feed berdasarkan daya, pendinginan dan cadangan.
rule-host-site-manual = diputuskan saat penempatan (`pusdata place`, controller HostingRequest), bukan sifat sebuah manifest
rule-web-dc = Situs web Perangkat Daerah memakai subdomain sendiri dari domain kota dan ditempatkan di Pusat Data setelah disetujui.
rule-web-dc-checked = Nama web hosting memakai subdomain milik Perangkat Daerah dari domain kota.
rule-cloud-city = Perangkat Daerah yang kekurangan sumber daya memakai cloud milik kota, berkoordinasi dengan Dinas.
rule-cloud-city-checked = Perangkat Daerah memiliki namespace dan kuota di cloud kota; web hosting tetap dalam kuota.
rule-cloud-nkri = Layanan cloud lain hanya dengan persetujuan teknis Dinas dan server di wilayah NKRI.
rule-cloud-nkri-checked = Layanan cloud eksternal memiliki persetujuan Dinas dan region di wilayah Indonesia.
rule-net-ports = Lalu lintas internet hanya pada port standar kecuali disetujui khusus.
rule-net-ports-checked = Egress di luar port standar memiliki persetujuan.
rule-sec-register = Perangkat dan aplikasi didaftarkan; Dinas menetapkan tingkat keamanan dan mengelola penomoran IP.
rule-sec-register-checked = Permohonan adalah daftar registrasi; perangkat kolokasi mendapat alamat dari pool kota saat penempatan.
rule-sec-register-manual = alamat dan tingkat keamanan ditetapkan oleh controller dan persetujuan, bukan dinyatakan di manifest
rule-dr-plan = DRC dibangun dan dijalankan sesuai DRP yang disusun Dinas.
rule-dr-plan-checked = Dependensi, cakupan, jadwal terhadap RPO dan kelayakan RTO rencana (`pusdata plan check`).
rule-dr-far = Cadangan dan DRC berada jauh dari Pusat Data dan risikonya, di luar Kota Bekasi.
rule-dr-far-checked = Situs DRC berada di kota lain dan paling sedikit sejauh jarak yang ditetapkan dari situs utama.
rule-dr-nkri = Saat bencana, operasi pindah ke DRC dengan tetap di wilayah NKRI.
rule-dr-nkri-checked = Setiap situs DR dan repositori cadangan berada di wilayah Indonesia.
rule-app-backup = Setiap aplikasi dilengkapi prosedur backup dan restore.
rule-app-backup-checked = Setiap permohonan menyebut tier DRP atau dinyatakan stateless; setiap rencana memiliki latihan yang memenuhi sasarannya.
rule-data-dc = Seluruh data disimpan di Pusat Data yang dikelola Dinas dan Perangkat Daerah.
rule-data-dc-checked = Cadangan hanya ke repositori di situs yang terdaftar.
rule-sec-cia = Kerahasiaan, keutuhan, keaslian, ketersediaan dan nirsangkal.
rule-sec-cia-checked = Repositori dienkripsi dengan kunci per Perangkat Daerah; persetujuan mencatat identitas terautentikasi; laporan membawa SHA-256.
rule-sec-cia-manual = identitas dicatat webhook admission saat objek ditulis dan kunci ada di Secret; laporan offline tidak dapat memeriksanya ulang
rule-sec-incident = Setelah kegagalan serius, amankan data dan laporkan secara tertulis kepada Dinas.
rule-sec-incident-checked = Setiap failover yang selesai memiliki laporan tertulis beserta SHA-256-nya.
rule-audit = Infrastruktur diaudit paling sedikit dua tahun sekali.
rule-audit-checked = Laporan ini; pengecualian menyebut aturan yang ada dan memiliki masa berlaku.

## docs/rules.md (dibuat oleh `pusdata crd --write`; menampilkan kedua bahasa berdampingan).
rules-doc-title = Aturan yang ditegakkan Pusdata
rules-doc-sources = Sumber: **Perda** Kota Bekasi No. 3/2020 (*Penyelenggaraan SPBE*) dan **Perwal** Kota Bekasi No. 8/2017 (*Pedoman Pengelolaan TIK*). Setiap temuan, pesan admission, baris laporan dan pengujian merujuk salah satu ID ini.
rules-doc-col-source = Sumber
rules-doc-col-requires = Mewajibkan
