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
