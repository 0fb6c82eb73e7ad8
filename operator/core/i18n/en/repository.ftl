# repository messages (English). IDs: repository-<topic>-<detail>.

## operator/core/src/repository.rs
repository-sec-cia-repository-key = SEC-CIA: no repository key: set spec.key or the repositoryKey of agency { $code }
repository-repository-created-opened-agency = repository created and opened with the agency's key
repository-repository-opened-agency-s = repository opened with the agency's key
repository-sec-cia-repository-key-2 = SEC-CIA: the repository key does not open this repository; nothing was written
repository-repository-location-accessmode-readonly = no repository at the location and accessMode is ReadOnly, so none is created
repository-s3-server-did-answer = the S3 server did not answer: { $why }
repository-deletionpolicy-delete-but-repository = deletionPolicy is Delete but the repository is ReadOnly: set accessMode ReadWrite to delete the data, or deletionPolicy Retain to keep it
repository-deletionpolicy-delete-repository-opened = deletionPolicy is Delete and the repository was not opened yet (set deletionPolicy Retain to let go)

## operator/core/src/lock.rs
repository-lock-repository-lock-been-refreshed = the repository lock has not been refreshed since { $last_written } (the S3 server may be unreachable); another run could soon remove it as stale, so this run stops before changing the repository (APP-BACKUP). Nothing was deleted by this step

## operator/core/src/backup/mod.rs
repository-backup-waiting-start = waiting to start
repository-backup-mover-running = the mover is running
repository-backup-snapshot-written = snapshot written
repository-backup-snapshot-written-but-hook = snapshot written, but a hook failed
repository-backup-snapshot-written-2 = no snapshot was written
repository-backup-run-cannot-start-written = the run cannot start as written
repository-backup-previous-run-same-source = the previous run of the same source was still going

## operator/core/src/backup/verify.rs
repository-verify-restore-test-passed-every = restore test passed: every file matches the snapshot
repository-verify-restore-test-failed = restore test failed
repository-verify-verified-yet = not verified yet

## operator/core/src/backup/mirror.rs
repository-mirror-waiting-start = waiting to start
repository-mirror-mirror-job-running = the mirror Job is running
repository-mirror-bucket-mirrored = bucket mirrored
repository-mirror-bucket-full-copy = the bucket is not a full copy
repository-mirror-pass-cannot-start-written = the pass cannot start as written
repository-mirror-previous-pass-same-bucket = the previous pass of the same bucket was still going

## operator/core/src/restore.rs
repository-restore-every-restored-file-matches = every restored file matches the snapshot
repository-restore-restored-files-differ-snapshot = restored files differ from the snapshot
repository-restore-restore-verified = the restore was not verified
repository-restore-verified-restore-did-finish = not verified: the restore did not finish

## operator/core/src/restore.rs
repository-restore-ready-waiting-start = waiting to start
repository-restore-ready-waiting-repository-available = waiting for the repository to be Available
repository-restore-ready-mover-restoring = the mover is restoring
repository-restore-ready-snapshot-restored-into-target = snapshot restored into the target PVC
repository-restore-ready-restored-files-differ-snapshot = restored files differ from the snapshot
repository-restore-ready-target-pvc-exists-created = the target PVC exists and was not created by this Restore
repository-restore-ready-refused-stamped-older-fencing = refused: stamped with an older fencing epoch
repository-restore-ready-refused-another-agency-s = refused: another agency's repository or key (SEC-CIA)
repository-restore-ready-restore-cannot-start-written = the restore cannot start as written
repository-restore-ready-restore-failed = the restore failed

## operator/core/src/retention/run.rs
repository-retention-target = tier { $tier } in { $repository }
repository-retention-running = forget + prune of { $what } running in Job { $job }
repository-retention-done = { $what }: { $forgotten } snapshot(s) forgotten, pruned: { $pruned }
repository-retention-failed = { $what }: { $errors }

## operator/core/src/repository.rs (composed)
repository-secret-use-key = repository key
repository-secret-use-s3 = S3 credentials
repository-secret-foreign-namespace = SEC-CIA: the { $what } Secret is in namespace { $ns }, which is neither agency { $agency }'s nor the platform namespace { $platform }
repository-secret-no-label = <none>
repository-secret-foreign-label = SEC-CIA: the { $what } Secret in { $namespace } is not agency { $agency }'s (label { $key }={ $label })
repository-secret-missing = the { $kind } Secret { $what } does not exist or is empty

## operator/core/src/lock.rs (composed)
repository-lock-refusal = repository is locked: { $kind ->
        [exclusive] an exclusive lock
        [shared] a lock
       *[unreadable] an unreadable lock
    } locks/{ $short } held by { $holder }, { $age } old; { $what } refused (APP-BACKUP). It becomes stale after { $stale } without refresh; `pusdata mover unlock` removes stale locks
repository-delete-blocked = deletionPolicy is Delete but the repository cannot be opened, so nothing is deleted: { $why } (set deletionPolicy Retain to let go)
