# policy messages (English). IDs: policy-<topic>-<detail>.

## operator/core/src/policy/cloud.rs
policy-cloud-choose-region-inside-catalogue = choose a region inside { $allowed } from the catalogue (e.g. aws ap-southeast-3, gcp asia-southeast2), or ask the platform team to add a local provider
policy-cloud-outside-allowed-countries = { $provider } { $region } is in { $city }, { $country }: outside the allowed countries ({ $allowed })
policy-cloud-endpoint-host-catalogue-so = endpoint host { $host } is not in the catalogue, so it is not known to be in Indonesia
policy-cloud-use-region-s-own = use the region's own endpoint, or ask the platform team to add this host to the catalogue
policy-cloud-endpoint-host-outside-allowed = endpoint host { $host } is in { $name } { $id } ({ $country }), outside the allowed countries ({ $allowed })
policy-cloud-technical-approval-office-force = no technical approval of the IT office is in force for ExternalCloudService { $ns }/{ $name }
policy-cloud-ask-platform-team-approval = ask the platform team for an Approval in namespace { $platform } targeting this object
policy-cloud-office-rejected-service-approval = the IT office rejected this service (Approval { $name })
policy-cloud-read-approval-s-comment = read the approval's comment; change the request and ask again

## operator/core/src/policy/approval.rs
policy-approval-registered-agency-owns-target = no registered agency owns the target { $namespace }/{ $name }, so self-approval cannot be ruled out
policy-approval-register-agency-namespaces-first = register the agency and its namespaces first
policy-approval-member-agency-cannot-approve = { $who } is a member of { $group } of agency { $code } and cannot approve its own request
policy-approval-another-member-platform-team = another member of the platform team, outside the agency, must approve
policy-approval-spec-recordedby-claims-but = spec.recordedBy claims { $username }, but the request was made by { $who }
policy-approval-leave-spec-recordedby-empty = leave spec.recordedBy empty: Pusdata records the authenticated user
policy-approval-spec-requestedby-claims-but = spec.requestedBy claims { $username }, but the request was made by { $who }
policy-approval-leave-spec-requestedby-empty = leave spec.requestedBy empty: Pusdata records the authenticated user
policy-approval-spec-requestedby-records-who = spec.requestedBy records who started the failover and cannot be changed
policy-approval-leave-spec-requestedby = leave spec.requestedBy as it is
policy-approval-platform-team-s-groups = { $who } is not in the platform team's groups ({ $platform }) and may not approve
policy-approval-ask-platform-team-office = ask the platform team (the IT office) to review the request

## operator/core/src/policy/exceptions.rs
policy-exceptions-exception-names-rule-which = exception { $name } names rule { $rule }, which does not exist
policy-exceptions-use-rule-id-such = use a rule ID such as CLOUD-NKRI
policy-exceptions-exception-expired = exception { $name } expired at { $expires_at }
policy-exceptions-remove-grant-new-one = remove it, or grant a new one with a new ticket

## operator/core/src/policy/hosting.rs
policy-hosting-names-licence-licence-proof = { $name } names no licence and no licence proof
policy-hosting-licence-known-spdx-expression = licence { $expr } of { $name } is not a known SPDX expression (at { $part })
policy-hosting-give-spdx-id-such = give an SPDX id such as Apache-2.0 or GPL-2.0-only (A OR B, A AND B allowed), or a licenseProof with the contract or invoice number
policy-hosting-malware-scan-attached = no malware scan is attached
policy-hosting-scan-application-e-g = scan the application (e.g. ClamAV) and attach the report, not older than { $max_days } days
policy-hosting-malware-scan-names-scanner = the malware scan names no scanner or report id
policy-hosting-fill-scanner-reportid-so = fill in scanner and reportId so the report can be looked up
policy-hosting-clean-application-scan-again = clean the application, scan it again and attach the new clean report
policy-hosting-scan-date-future = the scan date { $at } is in the future
policy-hosting-give-real-date-scan = give the real date of the scan
policy-hosting-malware-scan-days-old = the malware scan is { $days } days old; the maximum is { $max_days } days
policy-hosting-scan-application-again-attach = scan the application again and attach the new report
policy-hosting-colocation-request-must-describe = a colocation request must describe the device
policy-hosting-fill-spec-colocation-device = fill in spec.colocation.device
policy-hosting-inch-rackmount-server = { $manufacturer } { $model } is { $form_factor }, not a 19-inch rackmount server
policy-hosting-only-inch-rackmount-servers = only 19-inch rackmount servers can be colocated; use a rack kit or another server
policy-hosting-device-u-mm-deep = the device ({ $height_u } U, { $depth_mm } mm deep) fits no rack of the site (at most { $tallest } U, { $deepest } mm)
policy-hosting-check-device-s-height = check the device's height and depth, or ask the DC manager for a deeper rack
policy-hosting-device-power-supply-least = the device has { $psu_count } power supply; at least 2 are needed, one per feed
policy-hosting-add-second-redundant-power = add a second (redundant) power supply so the server runs on feed A or B alone
policy-hosting-feed-feed-b-same = feed A "{ $name }" and feed B "{ $name2 }" are the same feed (both normalise to "{ $name3 }"); a rack needs two distinct feeds
policy-hosting-connect-rack-s-b = connect the rack's B side to a second PDU and name it in spec.feedB
policy-hosting-web-hosting-request-must = a web hosting request must list its host names
policy-hosting-fill-spec-web-hostnames = fill in spec.web.hostnames
policy-hosting-use-valid-dns-name = use a valid DNS name at or below { $own }
policy-hosting-use-name-below = use { $own } or a name below it
policy-hosting-namespace-does-belong-agency = namespace { $ns } does not belong to agency { $code }
policy-hosting-submit-request-namespace = submit the request in a namespace of { $code }
policy-hosting-request-names-drp-tier = the request names no DRP tier and does not declare the system stateless with a reason
policy-hosting-set-spec-dr-plan = set spec.dr.plan and spec.dr.tier, or spec.dr.statelessReason
policy-hosting-request-names-drp-tier-2 = the request names a DRP tier and also declares the system stateless
policy-hosting-keep-exactly-one-spec = keep exactly one of spec.dr.tier and spec.dr.statelessReason
policy-hosting-plan-tier = plan { $name } has no tier { $tier }
policy-hosting-choose-one = choose one of: { $tiers }
policy-hosting-ask-platform-team-approval = ask the platform team for an Approval and name it in approvalRef, or use a standard port
policy-hosting-egress-port-outside-standard = egress to port { $port } is outside the standard ports and has no approval

## operator/core/src/policy/mod.rs
policy-check-fix-field-named-message = fix the field named in the message
policy-check-endpoint-host = endpoint "{ $endpoint }" has no host
policy-check-give-endpoint-url-host = give the endpoint as a URL or host with a valid DNS name
policy-check-agency-registered-so-request = agency { $code } is not registered, so the request cannot be checked
policy-check-use-code-registered-agency = use the code of a registered Agency, or ask the platform team to register it

## operator/core/src/policy/signoff.rs
policy-signoff-leave-recorded-sign-offs = leave recorded sign-offs as they are; a new decision needs a new Failover
policy-signoff-step-owner-role-may = step { $step } (owner role { $role }) may be signed off only by members of { $list }; { $who } is in none of them and may not approve
policy-signoff-ask-person-role-sign = ask a person in role { $role } to sign off; the plan's spec.roles says who

## operator/core/src/policy/storage.rs
policy-storage-primary-site-registered-so = primary site { $site } is not registered, so the distance to it was not checked
policy-storage-register-primary-site-pass = register the primary Site (or pass it to `pusdata policy check`)
policy-storage-site-registered-site = site { $site } is not a registered Site
policy-storage-back-up-only-registered = back up only to a registered site of the city (the DC or the DRC)
policy-storage-endpoint-outside-allowed-countries = endpoint { $host } is in { $name } { $id } ({ $country }), outside the allowed countries ({ $allowed })
policy-storage-use-s3-endpoint-registered = use the S3 endpoint of the registered site
policy-storage-endpoint-neither-s3-endpoint = endpoint { $host } is neither the S3 endpoint of site { $site } nor in the catalogue
policy-storage-use-site-s-spec = use the site's spec.endpoints.s3, or add the host to the policy's extraProviders
policy-cloud-region-not-in-catalogue = region "{ $region }" of provider "{ $provider }" is not in the catalogue, so it is not known to be in Indonesia
policy-cloud-provider-not-in-catalogue = provider { $provider } is not in the catalogue, so its servers are not known to be in Indonesia
policy-hosting-scan-found-malware = scan { $report } found malware
policy-hosting-scan-found-suspicious = scan { $report } found suspicious content
policy-hosting-name-of-other-agency = "{ $raw }" belongs to agency { $other }, not to { $code }
policy-hosting-name-not-under-subdomain = "{ $raw }" is not under { $own }, the subdomain of { $code }
policy-hosting-port-approval-unusable = approval { $name } for port { $port } { $problem ->
        [unknown] is not known
        [rejection] is a rejection
        [expired] has expired
       *[other] is for another object
    }
policy-signoff-recorded-cannot-change = step { $step } was signed off by { $recorded }; a recorded sign-off cannot be { $change ->
        [removed] removed
       *[changed] changed
    }
policy-signoff-owner-role-context = step { $step } (owner role { $role }): { $detail }

## operator/core/src/policy/execution.rs
policy-execution-reason-short = the reason is shorter than { $min } characters: it goes into the written report
policy-execution-reason-short-hint = say why, in at least a sentence, in each language written

## operator/core/src/policy/report.rs (the PolicyReport result of an object that breaks no rule)
policy-report-pass = no rule broken
