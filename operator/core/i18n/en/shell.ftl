# shell messages (English). IDs: shell-<topic>-<detail>.

## operator/src/agent/kube_work.rs
shell-agent-run-workloads-ready = not run: the workloads are not ready
shell-agent-exited = `{ $check }` exited 0
shell-agent-failed = `{ $check }` failed: { $tail }

## operator/src/webhook/mod.rs
shell-webhook-malformed-approval = malformed Approval
shell-webhook-malformed-requested-by = malformed spec.requestedBy: { $error }
shell-webhook-malformed-review = malformed AdmissionReview: { $error }
shell-webhook-review-without-request = AdmissionReview without a request
shell-webhook-malformed-object = malformed { $kind }: { $error }

## operator/core/src/agency_status.rs (the Agency controller)
shell-agency-apply-failed = could not apply the agency's namespaces, quota, limits, network policies and role bindings: { $error }
shell-agency-ready = { $count ->
    [one] 1 namespace with quota, limits, network policies and role bindings
   *[other] { $count } namespaces with quota, limits, network policies and role bindings
}

## operator/src/controllers/decode.rs
shell-decode-malformed = { $kind } { $object } does not decode: { $field }: { $error }; skipped until it is fixed

## operator/src/controllers/gate.rs
shell-gate-not-leader = { $method } { $path } refused: this replica is no longer the leader

## operator/src/controllers/run.rs
shell-run-lost-lease = lost the lease { $lease }: stopped the controllers

## operator/src/chart/mod.rs
shell-chart-no-engine = Helm's engine is not installed ({ $python }): run `bash tests/helm/setup.sh` or set PUSDATA_HELM_PYTHON

## operator/src/controllers/repository.rs
shell-repository-invalid-interval = spec.validationInterval: { $error }
shell-repository-agency-not-registered = spec.agency "{ $agency }" is not a registered Agency
shell-repository-check-passed = SEC-CIA: check passed (data read: { $subset })
shell-repository-check-passed-no-data = SEC-CIA: check passed (data read: none)
shell-repository-check-failed = SEC-CIA: check found { $count ->
    [one] 1 error
   *[other] { $count } errors
}: { $first }
shell-repository-check-not-run = check could not run: { $error }

## operator/core/src/dr/failover_status.rs (the Failover controller)
shell-failover-succeeded = every step succeeded or was skipped
shell-failover-at-step = step { $step }

## operator/core/src/dr/pass.rs (the schedule controller)
shell-schedule-within-rpo = every tier is within its RPO
shell-schedule-beyond-rpo = tiers beyond their RPO: { $tiers }
shell-schedule-no-repository = agency { $agency } has no BackupRepository at the DRC site { $site } (DR-NKRI)
shell-schedule-member-namespace-missing = member { $member }: namespace { $namespace } does not exist, its backups are not scheduled
shell-schedule-running = { $count ->
    [one] 1 backup schedule running
   *[other] { $count } backup schedules running
}
