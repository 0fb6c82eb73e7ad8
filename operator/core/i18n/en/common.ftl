# common messages (English). IDs: common-<topic>-<detail>.

## operator/core/src/names.rs
common-names-host-name-empty = the host name is empty
common-names-wildcard-allowed-here = "{ $raw }": a wildcard is not allowed here
common-names-wildcard-may-only-whole = "{ $raw }": a wildcard may only be the whole leftmost label (*.name)
common-names-empty-label-leading-doubled = "{ $raw }" has an empty label (a leading or doubled dot)
common-names-valid-dns-name-letters = "{ $raw }" is not a valid DNS name (letters, digits and inner hyphens; labels of at most 63 characters, 253 in all; valid IDNA/punycode)
common-names-longer-than-characters = "{ $raw }" is longer than 253 characters

## operator/core/src/tenancy.rs
common-tenancy-namespace-reserved-cluster-platform = namespace { $ns } is reserved for the cluster or the platform team (CLOUD-CITY)
common-tenancy-agency-still-hosted-system = the agency still has { $hosted_systems } hosted system(s) and { $repositories } backup repository(ies); move or remove them first — nothing is deleted automatically
