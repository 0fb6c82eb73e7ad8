# compliance messages (Bahasa Indonesia). IDs: compliance-<topic>-<detail>.
