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

## operator/core/src/placement/reason.rs
placement-reason-unknown-rack = rak tidak dikenal
placement-reason-another-site = di situs lain
placement-reason-reserved-other-agencies = khusus untuk perangkat daerah lain
placement-reason-device-fewer-than-psus = perangkat punya kurang dari 2 PSU
placement-reason-inch-rails = tanpa rel 19 inci
placement-reason-too-shallow-device = terlalu dangkal untuk perangkat
placement-reason-feed = tanpa feed A
placement-reason-feed-b = tanpa feed B
placement-reason-feeds-b-same = feed A dan B sama
placement-reason-feed-b-over-budget = feed B melebihi batas saat A padam
placement-reason-feed-over-budget-b = feed A melebihi batas saat B padam
placement-reason-cooling-over-budget = pendinginan melebihi batas
placement-reason-over-weight-limit = melebihi batas berat
placement-reason-too-few-contiguous-u = U berurutan tidak cukup
placement-reason-position-outside-rack = posisi di luar rak
placement-reason-position-taken = posisi sudah terisi
placement-reason-rack-cordoned-takes-new = rak ditutup dan tidak menerima perangkat baru
placement-reason-rack-stands-site-requested = rak berada di situs { $site }, bukan yang diminta
placement-reason-rack-reserved-other-agencies = rak khusus untuk perangkat daerah selain { $agency }
placement-reason-device-power-supply-ies = perangkat punya { $count } catu daya; perlu 2, satu per feed
placement-reason-rack-inch-rails = rak tidak memiliki rel 19 inci
placement-reason-device-mm-deep-rack = kedalaman perangkat { $device_mm } mm, rak hanya { $rack_mm } mm
placement-reason-rack-feed-so-b = rak tidak punya feed { $side }, jadi tidak ada pasangan A+B
placement-reason-feeds-b-both-so = feed A dan B sama-sama "{ $name }", jadi tidak ada pasangan A+B
placement-reason-feed-lost-feed-would = saat feed { $lost } padam, feed { $other } menanggung { $load_watts } W, melebihi batas { $budget_watts } W
placement-reason-heat-would-reach-w = panas menjadi { $heat_watts } W, melebihi kapasitas pendinginan { $budget_watts } W
placement-reason-load-would-reach-kg = beban menjadi { $weight_kg } kg, melebihi batas rak { $max_kg } kg
placement-reason-needs-contiguous-u-largest = perlu { $needed } U berurutan, ruang kosong terbesar { $largest_free } U
placement-reason-position-u-does-fit = posisi U{ $position_u } tidak muat di rak { $height_u } U
placement-reason-position-u-overlaps = posisi U{ $position_u } bertumpuk dengan { $by }
placement-reason-rack-inventory = rak { $rack } tidak ada di inventaris
placement-reason-with-rule = { $reason } ({ $rule })
placement-reason-no-racks = tidak ada rak di inventaris
placement-reason-racks-fit = 0/{ $total } rak cocok: { $parts }
placement-reason-cordoned = ditutup (cordoned)
placement-reason-device-not-rackmount = perangkat bukan rackmount 19 inci
placement-reason-device-not-rackmount-server = perangkat bukan server rackmount 19 inci
