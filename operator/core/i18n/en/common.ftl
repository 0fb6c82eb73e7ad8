# common messages (English). IDs: common-<topic>-<detail>.
