-- Queries the crawler needs: run bookkeeping, known articles, batched upserts.

-- name: crawl_run_start
-- A restarted run id starts over: the finish columns are cleared as a replaced row had them.
MERGE INTO crawl_runs t USING (
  SELECT $id::VARCHAR AS id, $started_at::TIMESTAMP AS started_at, $trigger::VARCHAR AS trigger,
         'running' AS status, $sources::VARCHAR[] AS sources, NULL::TIMESTAMP AS finished_at,
         NULL::JSON AS stats, NULL::JSON AS errors, $host::VARCHAR AS host, $pid::INTEGER AS pid,
         $pid_started_at::DOUBLE AS pid_started_at) b ON t.id = b.id
WHEN MATCHED THEN UPDATE BY NAME WHEN NOT MATCHED THEN INSERT BY NAME;

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
MERGE INTO articles t USING (SELECT * FROM batch) b ON t.id = b.id
WHEN MATCHED THEN UPDATE BY NAME WHEN NOT MATCHED THEN INSERT BY NAME;

-- name: crawl_upsert_signatures
MERGE INTO article_signatures t USING (SELECT * FROM batch) b ON t.article_id = b.article_id
WHEN MATCHED THEN UPDATE BY NAME WHEN NOT MATCHED THEN INSERT BY NAME;

-- name: crawl_insert_fetch_log
MERGE INTO fetch_log t USING (SELECT * FROM batch) b ON t.run_id = b.run_id AND t.url = b.url
WHEN MATCHED THEN UPDATE BY NAME WHEN NOT MATCHED THEN INSERT BY NAME;

-- name: crawl_upsert_sources
MERGE INTO sources t USING (SELECT * FROM batch) b ON t.name = b.name
WHEN MATCHED THEN UPDATE BY NAME WHEN NOT MATCHED THEN INSERT BY NAME;

-- name: crawl_fetch_log_for_run
SELECT url, source, http_status, error_kind, bytes FROM fetch_log WHERE run_id = $run_id ORDER BY url;
