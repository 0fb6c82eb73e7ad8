# placement messages (Bahasa Indonesia). IDs: placement-<topic>-<detail>.
