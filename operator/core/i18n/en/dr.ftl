# dr messages (English). IDs: dr-<topic>-<detail>.

## operator/core/src/dr/check.rs
dr-check-tier-members = tier { $name } has no members
dr-check-add-services-tier-remove = add the services of the tier, or remove the tier
dr-check-member-names-must-unique = member names must be unique in the plan
dr-check-depends-which-tier-covers = { $name } depends on { $dependency }, which no tier covers: it has no backup and cannot be restored first
dr-check-add-member-tier-fix = add { $dependency } as a member of a tier, or fix the name
dr-check-rpo-depends-which-longer = { $name } (RPO { $rpo }) depends on { $dependency }, which has the longer RPO { $dep_rpo }: after a disaster the two may not match
dr-check-move-into-tier-more = move { $dependency } into tier { $name } or a more critical one
dr-check-dependency-cycle-restore-order = dependency cycle: { $path }; no restore order exists
dr-check-remove-one-dependson-entry = remove one dependsOn entry of the cycle
dr-check-write-go-duration-such = write a Go duration such as 15m, 4h or 1h30m
dr-check-write-field-cron-expression = write a 5-field cron expression (*/15 * * * *) or @every 15m
dr-check-back-up-least-often = back up at least as often as the RPO, or remove the schedule to derive one from the RPO
dr-check-drill-names-unknown-tier = drill { $name } names unknown tier { $tier }
dr-check-use-tier-name-plan = use a tier name of the plan
dr-check-measured-assumed-restore-throughput = no measured or assumed restore throughput: RTO feasibility is not checked
dr-check-run-drill-set-assumedrestorebytespersecond = run a drill, or set assumedRestoreBytesPerSecond
dr-check-raise-rto-split-data = raise the RTO, split the data, shorten dependency chains or add restore bandwidth
dr-check-leave-margin-real-disaster = leave a margin: a real disaster rarely restores at drill speed
dr-check-tier-size-unknown-counted = tier { $name }: size unknown for { $names }; counted as empty in the RTO estimate
dr-check-set-sizehintbytes-until-first = set sizeHintBytes until the first backup measures it
dr-check-site-among-sites-given = site { $name } is not among the Sites given
dr-check-declare-site-check-name = declare the Site, or check the name
dr-check-repository-site-which-registered = repository { $name } is at site { $site }, which is not a registered Site
dr-check-backups-go-only-repositories = backups go only to repositories at registered sites
dr-check-agency-member-backuprepository-drc = agency { $agency } (member { $first }, …) has no BackupRepository at DRC site { $drc_site }
dr-check-create-agency-s-repository = create the agency's repository at the DRC (see dr-plans/repositories.yaml)
dr-check-member-lists-buckets-but = member { $name } lists buckets but no bucketMirror, so they are never mirrored
dr-check-set-bucketmirror-primarycredentials-secret = set bucketMirror.primaryCredentials (a Secret in the member's namespace)
dr-check-member-takes-bucket-keys = member { $name } takes bucket keys from namespace { $ns }, not its own ({ $namespace })
dr-check-keep-each-agency-s = keep each agency's keys in its own namespace
dr-check-bucket-members-member-mirrored = bucket members (member { $first }, …) are mirrored through site { $site_name }, which registers no S3 endpoint
dr-check-register-site-s-object = register the site's object storage in spec.endpoints.s3
dr-check-runbook-step-id-used = runbook step id { $id } is used twice
dr-check-give-every-step-own = give every step its own id
dr-check-step-owned-role-which = step { $id } is owned by role { $owner_role }, which has no contact
dr-check-add-contact-role-fix = add a contact with that role, or fix the role
dr-check-step-waits-sign-off = step { $id } waits for a sign-off by role { $owner_role }, which spec.roles maps to no Kubernetes group: only the platform team could sign it off
dr-check-add-name-groups-spec = add {"{"}name: { $owner_role }, groups: [...]{"}"} to spec.roles with the groups of the people in that role
dr-check-approval-step-before-failover = no Approval step before a Failover: a person must order a real failover
dr-check-add-runbook-step-kind = add a runbook step with kind: Approval, stage: Before that applies to Failover
dr-check-automatic-failover-without-after = automatic failover without `after`: the plan must say how long the primary may be lost first
dr-check-set-peerloss-after-e = set peerLoss.after, e.g. 30m

## operator/core/src/dr/drc.rs
dr-drc-namespace-true-label-only = namespace { $namespace } has no { $DRILL_LABEL }=true label: only a drill's isolated namespace is removed
dr-drc-sec-cia-backuprepository-belongs = SEC-CIA: BackupRepository { $repository } belongs to agency { $agency }, not to { $agency2 } whose namespace { $namespace } is drilled: its Secrets are not copied
dr-drc-namespace-true-label-secrets = namespace { $namespace } has no { $DRILL_LABEL }=true label: Secrets are copied only into a drill's isolated namespace
dr-drc-restore-service-verify = no Restore of this service to verify
dr-drc-restore-phase-file-s = Restore { $name }: phase { $phase }, { $mismatched } file(s) differ from the snapshot, or not verified
dr-drc-done-after-s = { $what }: not done after { $seconds } s
dr-drc-caller-s-deadline-reached = { $what }: the caller's deadline is reached; ask again to keep waiting
dr-drc-workloads-local-drill = no workloads in a local drill
dr-drc-readiness-check-plan-service = no readiness check in the plan for this service
dr-drc-smoke-command-plan-service = no smoke command in the plan for this service
dr-drc-workload-s-ready = { $count } workload(s) ready

## operator/core/src/dr/steps.rs
dr-steps-dependency-cycle-restore-order = dependency cycle { $cycle }: no restore order
dr-steps-scope-names-unknown-tier = scope names unknown tier { $tier }
dr-steps-scope-names-unknown-service = scope names unknown service { $service }
dr-steps-stale-epoch-execution-holds = stale epoch: this execution holds epoch { $held } but epoch { $current_epoch } exists; another execution has taken over
dr-steps-step-failed-after-attempt = step { $id } failed after { $attempts } attempt(s): { $why }
dr-steps-refusing-switch-traffic-execution = refusing to switch traffic: this execution holds no fencing epoch
dr-steps-waiting-person-sign-off = waiting for a person to sign off: { $list }
dr-steps-site-being-left-unreachable = the site being left is unreachable: waiting for it to do the final sync; to go on without it, start a new execution with acceptDataLoss: true
dr-steps-step-can-proceed-recorded = no step can proceed: the recorded progress does not match the plan

## operator/core/src/peer.rs
dr-peer-site-spec-endpoints-agent = site { $site } has no spec.endpoints.agent: its heartbeat cannot be checked
dr-peer-peer-site-answered-heartbeat = the peer site has not answered a heartbeat yet; no failover is started
dr-peer-last-heartbeat-s-future = the last heartbeat is { $seconds }s in the future: check the clocks (NTP) of both sites
dr-peer-heartbeat-peer-site-s = no heartbeat from the peer site for { $seconds }s (limit { $limit }s); alerting only, no failover is started
dr-peer-peer-site-answers-heartbeats = the peer site answers heartbeats

dr-peer-automatic-failover-reason = automatic failover by plan { $plan } spec.peerLoss (automaticFailover, after { $after }): the primary site has not answered heartbeats for { $lost } (PeerReady=False since { $since })

## operator/core/src/dr/check.rs (composed)
dr-check-member-twice-in-tier = member { $member } appears twice in tier { $tier }
dr-check-member-in-two-tiers = member { $member } is in two tiers ({ $other } and { $tier }); a service has one RPO and one RTO
dr-check-invalid-duration = { $error }
dr-check-invalid-schedule = { $error }
dr-check-gap-never = never
dr-check-schedule-sparser-than-rpo = tier { $tier }: schedule { $schedule } leaves up to { $gap } between backups, more than the RPO of { $rpo }
dr-check-restore-over-rto = tier { $tier }: restoring takes about { $took } at { NUMBER($speed, maximumFractionDigits: 0) } MB/s on the longest dependency chain, more than the RTO of { $rto }
dr-check-restore-near-rto = tier { $tier }: restoring takes about { $took } at { NUMBER($speed, maximumFractionDigits: 0) } MB/s, over { NUMBER($share, maximumFractionDigits: 0) }% of the RTO of { $rto }

## operator/core/src/dr/restore.rs
dr-restore-pvc-of-member = PVC { $pvc } of { $member }
dr-restore-no-verified-backup = no verified Backup of { $what }: a drill of this tier restores only snapshots a restore test proved (verification.restoreTestSchedule)
dr-restore-no-completed-backup = no completed Backup of { $what }

## operator/core/src/dr/drc.rs (composed)
dr-drc-why-suffix = {" "}({ $why })
dr-drc-no-workloads-match = no Deployment or StatefulSet matches the readiness selector{ $why }
dr-drc-not-ready = not ready: { $names }{ $why }

## operator/core/src/peer.rs
dr-peer-auto-plan-spec-peerloss-automaticfailover = plan { $plan }: spec.peerLoss.automaticFailover is off; a person decides (DR-PLAN)
dr-peer-auto-primary-never-fails-over = the primary never fails over to its DRC by itself: only the DRC applies spec.peerLoss
dr-peer-auto-plan-spec-peerloss-after = plan { $plan }: spec.peerLoss.after: { $error }
dr-peer-auto-plan-spec-peerloss-after-unset = plan { $plan }: spec.peerLoss.after is not set (DR-PLAN)
dr-peer-auto-primary-known-lost-peerready = the primary is not known to be lost (PeerReady is not False)
dr-peer-auto-peerready-changed-after-now = PeerReady changed after now: clocks disagree
dr-peer-auto-plan-already-failed-over = plan { $plan } is already failed over (by { $name }); the DRC is active
## operator/core/src/dr/languages.rs
dr-languages-untranslated = { $path } { $state ->
        [plain] is one text for both languages
        [only-en] has no Bahasa Indonesia
        [only-id] has no English
       *[empty] is empty
    }: the report shows it untranslated
dr-languages-untranslated-hint = write it as {"{"}en: <English>, id: <Bahasa Indonesia>{"}"}

## operator/core/src/dr/check.rs: the tolerance of a drill date (dr::calendar)
dr-check-drill-tolerance = drill schedule { $name }: the tolerance is not a duration: { $error }
dr-check-drill-tolerance-hint = write how late a drill may start and still count, as a Go duration such as 72h or 336h (14 days, the default when unset)

## operator/core/src/dr/steps.rs: step outcomes the core words itself (StepStatus.note)
dr-step-lost = worker lost without a result
dr-step-signed-off = signed off by { $who }
dr-step-final-sync-skipped = peer unreachable; data written since the last backup is lost (acceptDataLoss)

## dr::drc::checks_note: a verify step's readiness and smoke outcomes, appended to its note.
dr-drc-check-readiness = readiness
dr-drc-check-smoke = smoke
dr-drc-check-passed = passed
dr-drc-check-failed = failed
dr-drc-check-skipped = skipped
dr-drc-check-note = ; { $check } { $state }: { $message }
