# shell messages (Bahasa Indonesia). IDs: shell-<topic>-<detail>.
