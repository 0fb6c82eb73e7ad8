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

## operator/src/controllers/failover.rs and audit.rs: a report that could not be written
## (the note of a Warning Event). Errors of the Kubernetes API are arguments.
shell-failover-report-not-written = the execution ended, but its report could not be written to ConfigMap { $config_map } in { $namespace } (tried again with backoff): { $error }
shell-audit-report-not-written = the policy audit could not write { $report } (the next pass tries again): { $error }

## operator/core/src/dr/pass.rs (the schedule controller)
shell-schedule-within-rpo = every tier is within its RPO
shell-schedule-beyond-rpo = tiers beyond their RPO: { $tiers }
shell-schedule-no-repository = agency { $agency } has no BackupRepository at the DRC site { $site } (DR-NKRI)
shell-schedule-member-namespace-missing = member { $member }: namespace { $namespace } does not exist, its backups are not scheduled
shell-schedule-running = { $count ->
    [one] 1 backup schedule running
   *[other] { $count } backup schedules running
}

## operator/src/controllers/failover.rs, failover/traffic.rs and operator/src/drill/mod.rs:
## notes of the DR step workers (StepResult → StepStatus.note, shown in the reader's language).
## Errors from outside (gRPC, S3, the Kubernetes API) are arguments, never messages.
shell-step-refusal = { $reason } (site epoch { $epoch })
shell-step-fence-demoted = { $site } demoted
shell-step-fence-refused-demote = { $site } refused to stand down at epoch { $epoch }: { $why }
shell-step-fence-unreachable = { $site } unreachable ({ $category }); it stands down when it next hears epoch { $epoch }
shell-step-fence-not-contacted = { $site } not contacted: { $error }
shell-step-fence-done = epoch { $epoch }: { $site } active; { $from }
shell-step-fence-refused-promote = { $site } refused promotion at epoch { $epoch }: { $why }
shell-step-agent-unavailable = no agent of { $site } to call: { $error }
shell-step-agent-failed = the call to the agent of { $site } failed: { $error }
shell-step-no-backup = { $error } (plan { $plan })
shell-step-restored = { $files } files, { $bytes } bytes restored from { $snapshot } (Backup { $backup }); checksum { $checksum }
shell-step-refused-by = refused by { $site }: { $why }
shell-step-rto-tier = { $tier }: { $achieved } s of { $target } s
shell-step-rto = RTO { $tiers }
shell-step-teardown-done = isolated restores removed at { $site } ({ $files } files); replication never paused
shell-step-runbook-recorded = automated runbook step recorded
shell-step-no-service = { $action }: the step names no service
shell-step-verify-no-restore = { $step }: no restore step of { $service } recorded
shell-step-verify-matched = { $what }: { $files } files, checksum { $checksum } matches
shell-step-verify-no-expected = { $what }: no checksum to compare with (checksum now { $checksum })
shell-step-verify-differs = { $what }: checksum { $checksum } differs from the expected { $expected }
shell-step-verify-refused = { $what }: refused by { $site }: { $why }
shell-step-verify-failed = { $what }: the call to the agent failed: { $error }
shell-step-verify-unexpected = { $what }: unexpected result { $result }
shell-step-final-sync-sources = the PVCs of the plan could not be listed: { $error }
shell-step-final-sync-create = Backup { $backup } could not be created: { $error }
shell-step-final-sync-failed = final sync from { $site } failed: { $backups }
shell-step-final-sync-done = { $count ->
    [one] 1 final backup from { $site } completed
   *[other] { $count } final backups from { $site } completed
}
shell-step-traffic-switched = { $services } Service(s) and { $ingresses } Ingress(es) now point at { $site }
shell-step-traffic-failed = traffic not switched to { $site }: { $error }
shell-drill-unknown-step = unknown step
shell-drill-restored = { $files } files, { $bytes } bytes restored
shell-drill-refused = refused by the DRC: { $reason }
shell-drill-agent-failed = the call to the DRC agent failed: { $error }
shell-drill-verified = { $files } files, checksum { $checksum } matches the primary's
shell-drill-tree-differs = the restored tree differs from its snapshot: { $mismatches }
shell-drill-checksum-differs = checksum { $checksum } differs from the primary's { $expected }
shell-drill-refused-plain = refused by the DRC
shell-drill-teardown-done = isolated restores removed; replication never paused
shell-drill-nothing-to-remove = nothing to remove
shell-drill-teardown-failed = the isolated restores could not be removed: { $error }
shell-drill-rto = RTO measured from step times
shell-drill-runbook = automated runbook step: nothing to do in a local drill
shell-drill-not-a-step = { $action } is not part of a drill

## operator/src/controllers/failover/traffic.rs: why traffic could not be switched (the
## argument of shell-step-traffic-failed). Errors of the Kubernetes API are arguments.
shell-traffic-list-services = the Services in { $namespace } could not be listed: { $error }
shell-traffic-list-ingresses = the Ingresses in { $namespace } could not be listed: { $error }
shell-traffic-patch-service = Service { $object } could not be pointed at { $site }: { $error }
shell-traffic-patch-ingress = Ingress { $object } could not be pointed at { $site }: { $error }
shell-traffic-bad-pair = Service { $service }: { $annotation }: "{ $pair }" is not key=value
shell-traffic-bad-target = Service { $service }: { $annotation } must be externalName:<host> or selector:k=v,...
shell-traffic-nothing-annotated = no Service or Ingress of the plan's namespaces is annotated { $annotation }: nothing would send traffic to { $site }

## operator/src/controllers/failover/agents.rs: why there is no client of a site's agent.
shell-agent-no-endpoint = site { $site }: spec.endpoints.agent is not set
shell-agent-no-tls-secret = site { $site }: spec.agentTlsSecret is not set; the link between sites is mTLS only
shell-agent-secret-unreadable = Secret { $secret } could not be read: { $error }
shell-agent-secret-field-missing = Secret { $secret } has no { $field }
shell-agent-client = the client of the agent could not be set up: { $error }

## operator/src/agent/server.rs: why a site answered a fenced request as it did
## (proto Fence.reason_message; Fence.reason keeps the English for older readers).
fence-reason-accepted = accepted
fence-reason-duplicate = already done (duplicate request id)
fence-reason-stale-epoch = refused: the request's epoch is older than this site's epoch { $epoch }
fence-reason-not-newer = refused: promotion needs an epoch newer than { $epoch }
fence-reason-request-id-reused = refused: the request id was used for a different request

## operator/src/drill/mod.rs: why a local drill stopped (DrillError::Failed). Errors of the
## system (files, processes) are arguments.
drill-failed-random = no random key could be read from /dev/urandom: { $error }
drill-failed-file = file { $path }: { $error }
drill-failed-record = the drill's record could not be written: { $error }
drill-failed-checksum = the checksum of { $path } could not be computed: { $error }
drill-failed-backup = the backup of { $service } failed: { $error }
drill-failed-loss = the loss could not be simulated: { $error }
drill-failed-workdir = the working directory { $path } could not be prepared: { $error }
drill-failed-pki = the drill's certificates could not be made: { $error }
drill-failed-agent = the DRC agent could not be started: { $error }
drill-failed-runtime = the drill's runtime could not be started: { $error }
drill-failed-client = the client of the DRC agent could not be set up: { $error }
drill-failed-heartbeat = the DRC agent did not answer its heartbeat: { $error }
fence-reason-unknown = in the site's own words: { $reason }
drill-input-nothing-to-resume = { $path } holds no interrupted drill (no drill-state.json)
drill-input-not-empty = { $path } is not empty; a drill never overwrites an earlier one's data
