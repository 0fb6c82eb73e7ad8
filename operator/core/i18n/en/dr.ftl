# dr messages (English). IDs: dr-<topic>-<detail>.
