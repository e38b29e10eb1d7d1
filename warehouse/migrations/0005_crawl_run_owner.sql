-- Which process owns a crawl run: its host, process id and the process's start time. A crawl killed with
-- SIGKILL cannot close its own row; a later start closes it as 'abandoned' once that process is gone
-- (the start time tells a reused process id from the original process).
ALTER TABLE crawl_runs ADD COLUMN host VARCHAR;
ALTER TABLE crawl_runs ADD COLUMN pid INTEGER;
ALTER TABLE crawl_runs ADD COLUMN pid_started_at DOUBLE;
