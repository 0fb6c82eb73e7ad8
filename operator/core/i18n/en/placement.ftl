# placement messages (English). IDs: placement-<topic>-<detail>.
