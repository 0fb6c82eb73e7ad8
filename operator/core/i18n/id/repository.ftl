# repository messages (Bahasa Indonesia). IDs: repository-<topic>-<detail>.
