"""One module per step of the flow; routes, jobs and the CLI call these."""
