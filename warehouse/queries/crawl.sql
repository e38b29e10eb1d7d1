-- Queries the crawler needs: run bookkeeping, known articles, batched upserts.

-- name: crawl_run_start
INSERT OR REPLACE INTO crawl_runs (id, started_at, trigger, status, sources, host, pid, pid_started_at)
VALUES ($id, $started_at, $trigger, 'running', $sources, $host, $pid, $pid_started_at);

-- name: crawl_runs_running
SELECT id, host, pid, pid_started_at FROM crawl_runs WHERE status = 'running' ORDER BY started_at;

-- name: crawl_run_abandon
UPDATE crawl_runs SET status = 'abandoned', finished_at = $finished_at WHERE id = $id AND status = 'running';

-- name: crawl_run_finish
UPDATE crawl_runs SET finished_at = $finished_at, status = $status, stats = $stats, errors = $errors
WHERE id = $id;

-- name: crawl_run_get
SELECT id, started_at, finished_at, trigger, status, sources, stats, errors FROM crawl_runs WHERE id = $id;

-- name: crawl_known_ids
SELECT id FROM articles;

-- name: crawl_signatures_since
SELECT article_id, story_id, content_hash, minhash FROM article_signatures
WHERE fetched_at >= $since ORDER BY fetched_at, article_id;

-- name: crawl_upsert_articles
INSERT OR REPLACE INTO articles BY NAME SELECT * FROM batch;

-- name: crawl_upsert_signatures
INSERT OR REPLACE INTO article_signatures BY NAME SELECT * FROM batch;

-- name: crawl_insert_fetch_log
INSERT OR REPLACE INTO fetch_log BY NAME SELECT * FROM batch;

-- name: crawl_upsert_sources
INSERT OR REPLACE INTO sources BY NAME SELECT * FROM batch;

-- name: crawl_fetch_log_for_run
SELECT url, source, http_status, error_kind, bytes FROM fetch_log WHERE run_id = $run_id ORDER BY url;
