# shell messages (English). IDs: shell-<topic>-<detail>.
