# repository messages (English). IDs: repository-<topic>-<detail>.
