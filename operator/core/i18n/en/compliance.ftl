# compliance messages (English). IDs: compliance-<topic>-<detail>.

## operator/core/src/compliance/mod.rs
compliance-compliant = compliant
compliance-findings = findings
compliance-checked-automatically = not checked automatically
compliance-plan-recorded-drill-so = plan { $plan_name } has no recorded drill, so no restore has been proven
compliance-run-drill-pusdata-drill = run a drill (`pusdata drill --local`, or a Failover of type Drill) and give its work directory with --drills
compliance-last-drill-plan-failed = the last drill of plan { $plan_name } ({ $name }) failed
compliance-read-drill-s-report = read the drill's report, fix the failed step and drill again
compliance-last-drill-plan-finished = the last drill of plan { $plan_name } ({ $name }) has not finished
compliance-wait-resume-pusdata-drill = wait for it, or resume it (`pusdata drill --local --resume`)
compliance-drill-tier-missed-objectives = drill { $name }: tier { $tier } missed its objectives (RPO { $rpo_achieved_seconds } of { $rpo_target_seconds } s, RTO { $rto_achieved_seconds } of { $rto_target_seconds } s)
compliance-back-up-more-often = back up more often or restore faster, then drill again
compliance-failover-finished-without-written = this failover finished without a written report with its SHA-256
compliance-write-report-failover-controller = write the report (the Failover controller does) and record its SHA-256
