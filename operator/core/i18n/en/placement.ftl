# placement messages (English). IDs: placement-<topic>-<detail>.

## operator/core/src/sites.rs
placement-sites-site-country-outside-allowed = site { $site_name } is in country { $country }, outside the allowed countries ({ $rules })
placement-sites-choose-drc-inside-indonesia = choose a DRC inside Indonesia (NKRI)
placement-sites-site-used-drc-but = site { $drc_name } is used as a DRC but its role is Primary
placement-sites-set-spec-role-drc = set spec.role: Drc on the DRC site
placement-sites-drc-same-city-primary = DRC { $drc_name } is in "{ $city }", the same city as primary { $primary_name } ("{ $city2 }"; both normalise to "{ $city3 }")
placement-sites-drc-must-outside-primary = the DRC must be outside the primary's city (Perda 26(11))
placement-sites-drc-km-primary-minimum = DRC { $drc_name } is { NUMBER($km, minimumFractionDigits: 1, maximumFractionDigits: 1) } km from primary { $primary_name }; the minimum is { NUMBER($min_drc_distance_km, minimumFractionDigits: 0, maximumFractionDigits: 0) } km
placement-sites-place-drc-farther-away = place the DRC farther away, outside the primary's risk area
