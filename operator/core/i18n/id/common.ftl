# common messages (Bahasa Indonesia). IDs: common-<topic>-<detail>.

## operator/core/src/names.rs
common-names-host-name-empty = nama host kosong
common-names-wildcard-allowed-here = "{ $raw }": wildcard tidak diperbolehkan di sini
common-names-wildcard-may-only-whole = "{ $raw }": wildcard hanya boleh berupa label paling kiri secara utuh (*.nama)
common-names-empty-label-leading-doubled = "{ $raw }" memiliki label kosong (titik di awal atau titik ganda)
common-names-valid-dns-name-letters = "{ $raw }" bukan nama DNS yang sah (huruf, angka, dan tanda hubung di tengah; label paling panjang 63 karakter, total 253; IDNA/punycode yang sah)
common-names-longer-than-characters = "{ $raw }" lebih panjang dari 253 karakter

## operator/core/src/tenancy.rs
common-tenancy-namespace-reserved-cluster-platform = namespace { $ns } dicadangkan untuk klaster atau tim platform (CLOUD-CITY)
common-tenancy-agency-still-hosted-system = Perangkat Daerah ini masih memiliki { $hosted_systems } sistem yang di-hosting dan { $repositories } repositori cadangan; pindahkan atau hapus terlebih dahulu — tidak ada yang dihapus otomatis
