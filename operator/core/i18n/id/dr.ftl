# dr messages (Bahasa Indonesia). IDs: dr-<topic>-<detail>.
