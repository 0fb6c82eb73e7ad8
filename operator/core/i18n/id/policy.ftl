# policy messages (Bahasa Indonesia). IDs: policy-<topic>-<detail>.
