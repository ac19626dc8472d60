-- Undo V2: remove job_listings.is_remote and its index.

DROP INDEX ix_job_listings_is_remote;
ALTER TABLE job_listings DROP COLUMN is_remote;
