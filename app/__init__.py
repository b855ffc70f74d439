"""dayreel web service: people, permissions, database, storage, jobs and pages around media_pipeline."""
