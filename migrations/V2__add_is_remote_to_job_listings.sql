-- Whether a job posting allows remote work.

ALTER TABLE job_listings ADD COLUMN is_remote BOOLEAN NOT NULL DEFAULT false;

CREATE INDEX ix_job_listings_is_remote ON job_listings (is_remote);
