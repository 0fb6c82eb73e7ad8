# policy messages (English). IDs: policy-<topic>-<detail>.
