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

## operator/core/src/placement/reason.rs
placement-reason-unknown-rack = unknown rack
placement-reason-another-site = at another site
placement-reason-reserved-other-agencies = reserved for other agencies
placement-reason-device-fewer-than-psus = device has fewer than 2 PSUs
placement-reason-inch-rails = no 19-inch rails
placement-reason-too-shallow-device = too shallow for the device
placement-reason-feed = no feed A
placement-reason-feed-b = no feed B
placement-reason-feeds-b-same = feeds A and B the same
placement-reason-feed-b-over-budget = feed B over budget with A lost
placement-reason-feed-over-budget-b = feed A over budget with B lost
placement-reason-cooling-over-budget = cooling over budget
placement-reason-over-weight-limit = over the weight limit
placement-reason-too-few-contiguous-u = too few contiguous U
placement-reason-position-outside-rack = position outside the rack
placement-reason-position-taken = position taken
placement-reason-rack-cordoned-takes-new = rack is cordoned and takes no new devices
placement-reason-rack-stands-site-requested = rack stands at site { $site }, not the requested one
placement-reason-rack-reserved-other-agencies = rack is reserved for other agencies than { $agency }
placement-reason-device-power-supply-ies = device has { $count } power supply(ies); 2 are needed, one per feed
placement-reason-rack-inch-rails = rack has no 19-inch rails
placement-reason-device-mm-deep-rack = device is { $device_mm } mm deep, rack takes { $rack_mm } mm
placement-reason-rack-feed-so-b = rack has no feed { $side }, so no A+B pair
placement-reason-feeds-b-both-so = feeds A and B are both "{ $name }", so no A+B pair
placement-reason-feed-lost-feed-would = with feed { $lost } lost, feed { $other } would carry { $load_watts } W, over its budget of { $budget_watts } W
placement-reason-heat-would-reach-w = heat would reach { $heat_watts } W, over the cooling budget of { $budget_watts } W
placement-reason-load-would-reach-kg = load would reach { $weight_kg } kg, over the rack limit of { $max_kg } kg
placement-reason-needs-contiguous-u-largest = needs { $needed } contiguous U, the largest free run is { $largest_free } U
placement-reason-position-u-does-fit = position U{ $position_u } does not fit in a { $height_u } U rack
placement-reason-position-u-overlaps = position U{ $position_u } overlaps { $by }
placement-reason-rack-inventory = rack { $rack } is not in the inventory
placement-reason-with-rule = { $reason } ({ $rule })
placement-reason-no-racks = no racks in the inventory
placement-reason-racks-fit = 0/{ $total } racks fit: { $parts }
placement-reason-cordoned = cordoned
placement-reason-device-not-rackmount = device not 19-inch rackmount
placement-reason-device-not-rackmount-server = device is not a 19-inch rackmount server
