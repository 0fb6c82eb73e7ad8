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
