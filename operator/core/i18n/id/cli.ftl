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
