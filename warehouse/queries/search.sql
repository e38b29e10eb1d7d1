-- The full-text index (warehouse/search.py) is derived from the articles table: these queries tell
-- how far the warehouse is (to detect an index that is behind) and read what the index needs.

-- name: search_state
-- What the index must match: how many articles there are and the newest write (every write of an
-- article sets fetched_at to the time of the write, so a re-fetched article moves it too).
SELECT count(*) AS articles, max(fetched_at) AS last_fetched FROM articles;

-- name: search_articles_since
-- The articles written at or after $since (all when NULL), with the 64-bit key the dashboard's
-- snapshot uses for the same article (hash(id), dashboard_mem_* queries' akey).
SELECT id, hash(id) AS akey, coalesce(title, '') AS title, text
FROM articles
WHERE $since::TIMESTAMP IS NULL OR fetched_at >= $since::TIMESTAMP;

-- name: search_articles_by_id
-- The given articles ($ids), as search_articles_since reads them: what a writer just committed.
SELECT id, hash(id) AS akey, coalesce(title, '') AS title, text
FROM articles
WHERE id IN (SELECT unnest($ids::VARCHAR[]));
