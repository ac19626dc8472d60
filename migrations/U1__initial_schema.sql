-- Undo V1: remove the initial schema.

DROP TABLE workflow_runs;
DROP TABLE job_listings;
