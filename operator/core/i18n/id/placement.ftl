# placement messages (Bahasa Indonesia). IDs: placement-<topic>-<detail>.

## operator/core/src/sites.rs
placement-sites-site-country-outside-allowed = situs { $site_name } berada di negara { $country }, di luar negara yang diizinkan ({ $rules })
placement-sites-choose-drc-inside-indonesia = pilih DRC di dalam wilayah NKRI
placement-sites-site-used-drc-but = situs { $drc_name } dipakai sebagai DRC tetapi perannya Primary
placement-sites-set-spec-role-drc = isi spec.role: Drc pada situs DRC
placement-sites-drc-same-city-primary = DRC { $drc_name } berada di "{ $city }", kota yang sama dengan pusat data utama { $primary_name } ("{ $city2 }"; keduanya dinormalisasi menjadi "{ $city3 }")
placement-sites-drc-must-outside-primary = DRC harus berada di luar kota pusat data utama (Perda 26(11))
placement-sites-drc-km-primary-minimum = DRC { $drc_name } berjarak { NUMBER($km, minimumFractionDigits: 1, maximumFractionDigits: 1) } km dari pusat data utama { $primary_name }; minimum { NUMBER($min_drc_distance_km, minimumFractionDigits: 0, maximumFractionDigits: 0) } km
placement-sites-place-drc-farther-away = tempatkan DRC lebih jauh, di luar wilayah risiko pusat data utama
