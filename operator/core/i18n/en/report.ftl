# Report messages (English): drill, compliance and history reports. IDs: report-<topic>-<detail>.
