# hosting messages (Bahasa Indonesia). IDs: hosting-<topic>-<detail>.
