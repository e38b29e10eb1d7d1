-- Queries the shell needs: sources, status.

-- name: upsert_sources
INSERT OR REPLACE INTO sources BY NAME SELECT * FROM batch;

-- name: list_sources
SELECT name, homepage, country, language, feeds, sitemaps, tags, enabled
FROM sources ORDER BY name;

-- name: table_counts
SELECT 'sources' AS table_name, count(*) AS n FROM sources
UNION ALL SELECT 'articles', count(*) FROM articles
UNION ALL SELECT 'mentions', count(*) FROM mentions
UNION ALL SELECT 'mention_scores', count(*) FROM mention_scores
UNION ALL SELECT 'article_stance', count(*) FROM article_stance
UNION ALL SELECT 'crawl_runs', count(*) FROM crawl_runs
UNION ALL SELECT 'jobs', count(*) FROM jobs
UNION ALL SELECT 'schedules', count(*) FROM schedules
UNION ALL SELECT 'exports', count(*) FROM exports;

-- name: last_crawl_run
SELECT id, started_at, finished_at, trigger, status, stats
FROM crawl_runs ORDER BY started_at DESC LIMIT 1;

-- name: last_scoring
SELECT model_id, max(scored_at) AS last_scored, count(*) FILTER (WHERE status = 'scored') AS scored,
       count(*) FILTER (WHERE status = 'skipped') AS skipped
FROM article_scoring GROUP BY model_id ORDER BY last_scored DESC LIMIT 1;

-- name: schema_version
SELECT coalesce(max(version), 0) FROM schema_version;
