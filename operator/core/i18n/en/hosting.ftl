# hosting messages (English). IDs: hosting-<topic>-<detail>.
