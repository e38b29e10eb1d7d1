-- Queries the shell needs: sources, status.
--
-- Upserts are MERGE INTO ... keyed on the table's key (UPDATE BY NAME / INSERT BY NAME): one text that works
-- on a DuckDB file and on a DuckLake, which has no PRIMARY KEY and so no INSERT OR REPLACE. Re-running a batch
-- updates the rows it stored before instead of adding copies.

-- name: upsert_sources
MERGE INTO sources t USING (SELECT * FROM batch) b ON t.name = b.name
WHEN MATCHED THEN UPDATE BY NAME WHEN NOT MATCHED THEN INSERT BY NAME;

-- name: list_sources
SELECT name, homepage, country, language, feeds, sitemaps, tags, enabled
FROM sources ORDER BY name;

-- name: table_counts
-- Stance rows are counted in the aggregation version readers see (current_stance): during a re-aggregation
-- the table briefly holds the old version's rows and the new one's.
SELECT 'sources' AS table_name, count(*) AS n FROM sources
UNION ALL SELECT 'articles', count(*) FROM articles
UNION ALL SELECT 'mentions', count(*) FROM mentions
UNION ALL SELECT 'mention_scores', count(*) FROM mention_scores
UNION ALL SELECT 'article_stance', count(*) FROM current_stance
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
