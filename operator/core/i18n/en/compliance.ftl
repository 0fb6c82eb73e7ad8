# compliance messages (English). IDs: compliance-<topic>-<detail>.
