# cli messages (English). IDs: cli-<topic>-<detail>.

## pusdata crd
cli-crd-written = wrote { $files } generated files (CRDs, API reference, rules table)
cli-crd-up-to-date = committed generated files match the Rust types
cli-crd-drift = { $file } differs from the Rust types; run `pusdata crd --write`

## Inputs
cli-bad-input = cannot read { $file }: { $reason }

## pusdata policy check
cli-object-ok = { $object }: ok
cli-policy-summary = { $objects ->
        [one] 1 object
       *[other] { $objects } objects
    } checked: { $denied } denied, { $warnings ->
        [one] 1 warning
       *[other] { $warnings } warnings
    }
cli-excepted = { $rule } excepted by { $exception } until { $expires }
cli-schema-rule = the API server would reject this object: { $message }

## operator/src/cli/drill.rs
cli-drill-say-where-pusdata-drill = say where: `pusdata drill --local` runs a whole drill on this machine; `pusdata drill start|status|approve` works with Failovers in the cluster
cli-drill-drilled-plan-check-finding = Drilled with { $denying_count } plan check finding(s) (--allow-findings):
cli-drill-drill-plan = Drill { $name } of plan { $plan }
cli-drill-steps-restores-verification-took = { $step_count } steps; restores and verification took { NUMBER($work_seconds, minimumFractionDigits: 1, maximumFractionDigits: 1) } s of { NUMBER($drill_seconds, minimumFractionDigits: 1, maximumFractionDigits: 1) } s. Report: { $report_html } (and report.md)
cli-drill-any-restic-reads-what =
    Any restic reads what the drill wrote:
    {"  "}{ $cmd }
cli-drill-drill-failed-see-report = the drill failed; see the report

## operator/src/cli/drill_cluster.rs
cli-drill-cluster-cannot-learn-who-you = cannot learn who you are from the API server ({ $error }); pass --as USER
cli-drill-cluster-failover-step-steps = Failover { $name } has no step { $step } (steps: { $ids })
cli-drill-cluster-already-signed-off = { $step } was already signed off by { $username }
cli-drill-cluster-already-signed-off-sign = { $step } was already signed off by { $username }; a sign-off is never re-pointed (SEC-CIA)
cli-drill-cluster-step-does-wait-sign = step { $step } does not wait for a sign-off (state { $state })
cli-drill-cluster-signed-off = { $step } of { $name } signed off by { $username }

## operator/src/cli/inputs.rs
cli-inputs-pusdata-object-check = { $files }: no Pusdata object to check

## operator/src/cli/place.rs
cli-place-inventory-holds-site-rack = the inventory holds no Site, Rack or placed HostingRequest
cli-place-hostingrequest-place = no HostingRequest to place
cli-place-already-placed-put-inventory = already placed; put it in the inventory file
cli-place-web-hosting-placed-rack = web hosting, not placed in a rack
cli-place-requests-could-placed = { $failed } of { $total } requests could not be placed

## operator/src/cli/plan.rs
cli-plan-disasterrecoveryplan-found = no DisasterRecoveryPlan found
cli-plan-finding-s-deny-warn = { $all_count } finding(s): { $deny } deny, { $warn } warn, { $info } info

## operator/src/inputs.rs
cli-inputs-skipped-document-s-other = skipped { $foreign } document(s) of other API groups and { $unknown } unclassifiable document(s)
cli-inputs-bytes-more-than-byte = { $size } bytes is more than the { $limit }-byte limit of one file; split it
cli-inputs-more-than-byte-limit = more than the { $limit }-byte limit of one file; split it
cli-inputs-utf-text = not UTF-8 text: { $error }
cli-inputs-holds-yaml-document = holds no YAML document
cli-inputs-reader-thread-failed = a thread reading this file stopped unexpectedly; nothing of the file was loaded
cli-inputs-kubernetes-object-document-mapping = not a Kubernetes object (the document is not a mapping)
cli-inputs-apiversion-kind-apiversion-kind = no apiVersion or kind (apiVersion "{ $api_version }", kind "{ $kind }")
cli-inputs-whose-items-list = a { $kind } whose items are not a list
cli-inputs-lists-nested-more-than = Lists nested more than { $MAX_LIST_NESTING } deep
cli-inputs-pusdata-kind = { $kind } of { $api_version } is not a Pusdata kind
cli-inputs-unknown-pusdata-apiversion-kind = unknown Pusdata apiVersion "{ $api_version }" or kind "{ $kind }" (this build reads { $GROUP }/{ $VERSION })


## pusdata chart, probe, webhook, operator
cli-chart-out-of-date = { $path } is out of date: run `pusdata chart --write`
cli-chart-wrote = wrote { $files } files
cli-chart-up-to-date = charts lint clean; chart and deploy/ are up to date
cli-probe-failed = probe failed: { $failures }
cli-webhook-needs-cert-key = pusdata webhook needs --cert and --key (PEM): the API server only calls webhooks over HTTPS
cli-operator-lease-needs-identity = --lease-name needs --identity (or POD_NAME / HOSTNAME)
cli-drill-cluster-failover-not-found = Failover { $name } not found
cli-drill-cannot-reach-api = cannot reach the Kubernetes API: { $error }

## operator/src/drill/mod.rs, inputs.rs, cli/place.rs (composed)
cli-drill-local-primary-lost = primary site lost (simulated): restoring at the DRC
cli-drill-local-plan-refused =
    plan check refuses { $plan } ({ $count } denying finding(s)); fix the plan, or drill anyway with --allow-findings:
    { $findings }
cli-drill-local-plan-finding = plan check: { $finding }
cli-inputs-unknown-skip-hint = { $why } (pass --skip-unknown to skip it)
cli-place-no-addresses = { $error }

## pusdata drill --local: the tier table
cli-drill-column-tier = tier
cli-drill-column-rpo = RPO achieved / target
cli-drill-column-rto = RTO achieved / target
cli-drill-column-met = met
cli-drill-met-yes = yes
cli-drill-met-no = NO

## operator/src/cli/report.rs
cli-report-compliance-summary = { $rules } rules: { $compliant } compliant, { $findings } with findings, { $unchecked } not checked automatically

## operator/src/plans.rs
cli-plans-crd-rule-broken = CRD rule broken: { $messages }
cli-plans-crd-rule-broken-hint = the API server would reject this object; fix it first

## operator/src/cli/place.rs: the placement table
cli-place-col-request = REQUEST
cli-place-col-rack = RACK
cli-place-col-feeds = FEEDS
cli-place-col-work-order = WORK ORDER
cli-place-col-addresses = ADDRESSES
cli-place-already-placed = (already placed; left where it is)
cli-place-pinned = (pinned)
cli-place-alternatives = alternatives
