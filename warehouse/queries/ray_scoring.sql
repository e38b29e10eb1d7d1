-- Scoring on Ray (analysis/ray_scoring.py): the driver lists pending ids, each worker reads its batch by id.

-- name: ray_scoring_pending_ids
-- Ids of the articles this model has not scored or skipped, in order, at most $limit.
SELECT a.id FROM articles a
WHERE NOT EXISTS (SELECT 1 FROM article_scoring s WHERE s.article_id = a.id AND s.model_id = $model_id)
ORDER BY a.id
LIMIT $limit;

-- name: ray_scoring_batch_articles
-- One batch's articles that are still pending for this model: a batch retried after its worker died may
-- have been committed before the worker went, and is then not scored twice.
SELECT a.id, a.title, a.text, a.language
FROM articles a
WHERE list_contains(CAST($ids AS VARCHAR[]), a.id)
  AND NOT EXISTS (SELECT 1 FROM article_scoring s WHERE s.article_id = a.id AND s.model_id = $model_id)
ORDER BY a.id;
