# Report messages (English): drill, failover and history reports. IDs: report-<topic>-<detail>.
report-title-drill = DR drill report: { $name }
report-title-incident = Disaster recovery incident report: { $name }
report-title-history = DR drill history: { $plan }
report-incident-note = SEC-INCIDENT (Perda 30(4)): this is the written report to the IT office after a serious failure.
report-verdict-met = Every tier met its RPO and RTO.
report-verdict-missed = { $count ->
        [one] One tier missed an objective: { $tiers }.
       *[other] { $count } tiers missed an objective: { $tiers }.
    }
report-verdict-unknown = Not every objective could be measured.
report-verdict-phase = Outcome of the execution: { $phase }.
report-kind-drill = Drill
report-kind-failover = Failover (switch to the DRC)
report-kind-failback = Failback (return to the primary data centre)
report-phase-pending = not started
report-phase-running = running
report-phase-waiting = waiting for a person
report-phase-succeeded = succeeded
report-phase-failed = FAILED
report-phase-cancelled = cancelled
report-state-pending = pending
report-state-running = running
report-state-waiting = waiting for a person
report-state-succeeded = succeeded
report-state-failed = failed
report-state-skipped = skipped
report-field-plan = Plan
report-field-document = Plan document
report-field-type = Type
report-field-reason = Reason
report-field-requested = Requested by
report-field-outcome = Outcome
report-field-epoch = Fencing epoch
report-field-started = Started
report-field-finished = Finished
report-field-duration = Duration
report-requested-at = { $user }, { $at }
report-none = None.
report-not-measured = not measured
report-section-summary = Summary
report-section-objectives = Recovery objectives per tier
report-section-timeline = Timeline
report-section-steps = Steps
report-section-incident = Fencing and data loss
report-section-signoffs = Approvals and sign-offs
report-section-findings = Plan check findings
report-section-trend = RPO and RTO per tier over time
report-section-calendar = Drill calendar
report-section-drills = Drills
report-chart-target = target
report-chart-log = Logarithmic scale: the values differ by orders of magnitude.
report-chart-linear = Bars show the achieved value; the line is the target.
report-col-tier = Tier
report-col-objective = Objective
report-col-target = Target
report-col-achieved = Achieved
report-col-margin = Margin
report-col-step = Step
report-col-state = State
report-col-start = Start
report-col-duration = Duration
report-col-attempts = Attempts
report-col-note = Note
report-col-who = Who
report-col-when = When
report-col-what = What
report-col-drill = Drill
report-col-date = Date
report-col-result = Result
report-col-schedule = Schedule
report-col-due = Due
report-col-held = Held
report-margin-met = met, { $spare } to spare ({ $pct } % of the target used)
report-margin-missed = MISSED by { $over } ({ $pct } % of the target)
report-margin-unknown = not measured: cannot say whether it was met
report-group-before = Before the recovery (runbook)
report-group-recovery = Fencing and synchronisation
report-group-after = After the recovery (runbook)
report-group-tier = Tier { $tier }
report-group-other = Other steps
report-critical-path = Critical path (the chain of steps that set the total duration): { $steps }.
report-parallel-note = Bars that overlap in time ran in parallel.
report-legend-critical = critical path
report-step-fence = Fence the { $site } site with a new epoch so it refuses further work
report-step-final-sync = Final synchronisation from the { $from } to the { $to }
report-step-restore-drill = Restore { $service } into an isolated namespace at the DRC
report-step-restore = Restore { $service } at the { $to }
report-step-restore-pvc-drill = Restore volume { $pvc } of { $service } into an isolated namespace at the DRC
report-step-restore-pvc = Restore volume { $pvc } of { $service } at the { $to }
report-step-verify = Verify { $service }: compare checksums with the snapshot
report-step-measure-rto = Measure the RTO achieved per tier
report-step-teardown = Remove the isolated namespaces; replication kept running throughout
report-step-switch-traffic = Switch traffic to the { $to }
report-site-primary = primary site
report-site-drc = DRC
report-epoch-held = This execution held fencing epoch { $epoch }: the site left behind refuses any work with an older epoch.
report-epoch-none = No fencing epoch was recorded.
report-fence-step = Fencing: { $state }, { $at }.
report-sync-done = The final synchronisation succeeded at { $at }: nothing written before it was lost.
report-sync-skipped = The final synchronisation was skipped (data loss accepted): data written after the last backup is lost.
report-sync-none = No final synchronisation was recorded.
report-loss-window = Tier { $tier }: data-loss window { $window }, from { $from } to { $to }.
report-loss-window-unknown = Tier { $tier }: data-loss window not measured.
report-loss-window-zero = Tier { $tier }: no data lost (final synchronisation).
report-signoff-row = { $step }
report-signoff-requested = started the execution
report-signoff-none = No sign-off recorded.
report-drp-note = Executed according to the written DRP (DR-PLAN, Perda 26(10)).
report-generated = Generated by Pusdata on { $at }.
report-sha-note = SEC-CIA: the SHA-256 of this file is in report.html.sha256 and in the Failover's status.report.sha256.
report-sha-md = SEC-CIA: SHA-256 of report.html = { $sha }
report-lang-switch = Bahasa Indonesia
report-history-none = No drill found in this directory.
report-history-count = { $count ->
        [one] One drill of plan { $plan } read.
       *[other] { $count } drills of plan { $plan } read.
    }
report-calendar-held = held ({ $drill })
report-calendar-missed = MISSED
report-calendar-upcoming = upcoming
report-calendar-summary = { $missed ->
        [0] No scheduled drill was missed since { $since }.
        [one] One scheduled drill was missed since { $since }.
       *[other] { $missed } scheduled drills were missed since { $since }.
    }
report-dur-ms = { $ms } ms
report-dur-s = { $s } s
report-dur-ms-s = { $m } min { $s } s
report-dur-h-m = { $h } h { $m } min
report-dur-d-h = { $d } d { $h } h
report-local-drill-reason = Local drill (pusdata drill --local): backup, simulated loss of the primary, restore at the DRC over gRPC, checksum verification

## The compliance report (report/compliance.rs, `pusdata report compliance`).
report-compliance-title = Compliance report (AUDIT, Perda 43-45)
report-compliance-verdict-ok = Every rule checked automatically is compliant.
report-compliance-verdict-findings = { $count ->
        [one] One rule has findings that stand: { $rules }.
       *[other] { $count } rules have findings that stand: { $rules }.
    }
report-compliance-verdict-expired = { $count ->
        [one] One exception has expired.
       *[other] { $count } exceptions have expired.
    }
report-compliance-summary = { $rules } rules: { $compliant } compliant, { $findings } with findings, { $unchecked } not checked automatically. { $objects ->
        [one] One object read
       *[other] { $objects } objects read
    }; { $deny } denying and { $warn } warning findings.
report-compliance-section-charts = At a glance
report-compliance-chart-findings = Standing findings per rule
report-compliance-chart-findings-note = Bars count the findings that stand after exceptions; a grey rule is not checked automatically.
report-compliance-chart-objectives = RPO and RTO of the last drill of each plan against the target
report-compliance-section-rules = Rules
report-compliance-section-findings = Findings
report-compliance-section-exceptions = Exceptions
report-compliance-section-drills = Last drill per plan
report-compliance-col-rule = Rule
report-compliance-col-article = Article
report-compliance-col-requirement = Requirement
report-compliance-col-checked = What is checked
report-compliance-col-status = Status
report-compliance-col-object = Object
report-compliance-col-finding = Finding
report-compliance-col-fix = How to fix
report-compliance-col-exception = Exception
report-compliance-col-reason = Reason and ticket
report-compliance-col-approved = Approved by
report-compliance-col-expires = Expires
report-compliance-col-plan = Plan
report-compliance-objects = { $count ->
        [one] one object
       *[other] { $count } objects
    }
report-compliance-expired = EXPIRED on { $at }
report-compliance-in-force = in force until { $at }
report-compliance-no-drill = no drill recorded
report-compliance-drill-row = { $drill }: { $phase }, { $from } to { $to }
report-compliance-tier-met = met
report-compliance-tier-missed = NOT met
report-compliance-tier-unknown = not known yet
report-compliance-of-target = { $achieved } of { $target }
report-compliance-generated = Generated by Pusdata on { $at } (report schema { $schema }).
report-severity-deny = DENY
report-severity-warn = WARNING
report-severity-info = INFO

## The drill calendar's tolerance (report/history.rs, dr::calendar).
report-calendar-late = MISSED: { $drill } started { $late } late
report-calendar-tolerance = A drill counts for its date only when it starts within the schedule's tolerance ({ $default } unless the plan sets spec.drills[].tolerance); a later drill is marked late and the date stays missed.

## Round durations on chart axes (report/text.rs dur_short).
report-dur-min = { $m } min
report-dur-h = { $h } h
report-dur-d = { $d } d
