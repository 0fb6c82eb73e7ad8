# common messages (Bahasa Indonesia). IDs: common-<topic>-<detail>.
