# Report messages (Bahasa Indonesia): drill, compliance and history reports. IDs: report-<topic>-<detail>.
