-- Scoring (analysis.scoring): which articles a model still has to score, and the upserts of its results.
-- Every write is a MERGE keyed on ids (see core.sql), so re-running a chunk replaces rather than duplicates.

-- name: scoring_count_pending
SELECT count(*) FROM articles a
WHERE NOT EXISTS (SELECT 1 FROM article_scoring s WHERE s.article_id = a.id AND s.model_id = $model_id);

-- name: scoring_pending_articles
-- The next chunk after $after (article ids in order), of articles this model has not scored or skipped.
SELECT a.id, a.title, a.text, a.language
FROM articles a
WHERE a.id > $after
  AND NOT EXISTS (SELECT 1 FROM article_scoring s WHERE s.article_id = a.id AND s.model_id = $model_id)
ORDER BY a.id
LIMIT $chunk;

-- name: scoring_upsert_model
-- Keeps the first created_at of a model id, so re-runs change nothing.
MERGE INTO models t USING (SELECT b.id, b.name, b.version, b.weights_sha256, b.languages, CAST(b.evaluation AS JSON) AS evaluation,
       coalesce((SELECT m.created_at FROM models m WHERE m.id = b.id), b.created_at) AS created_at
FROM batch b) b ON t.id = b.id
WHEN MATCHED THEN UPDATE BY NAME WHEN NOT MATCHED THEN INSERT BY NAME;

-- name: scoring_upsert_mentions
MERGE INTO mentions t USING (SELECT id, article_id, country, sentence_index, sentence, sentence_start, start_char, end_char, surface, alias
FROM batch) b ON t.id = b.id
WHEN MATCHED THEN UPDATE BY NAME WHEN NOT MATCHED THEN INSERT BY NAME;

-- name: scoring_upsert_mention_scores
MERGE INTO mention_scores t USING (SELECT mention_id, model_id, p_negative, p_neutral, p_positive, scored_at FROM batch) b ON t.mention_id = b.mention_id AND t.model_id = b.model_id
WHEN MATCHED THEN UPDATE BY NAME WHEN NOT MATCHED THEN INSERT BY NAME;

-- name: scoring_upsert_article_stance
MERGE INTO article_stance t USING (SELECT article_id, country, model_id, stance, label, confidence, mention_count,
       CAST(evidence AS JSON) AS evidence, scored_at, aggregation
FROM batch) b ON t.article_id = b.article_id AND t.country = b.country AND t.model_id = b.model_id AND t.aggregation = b.aggregation
WHEN MATCHED THEN UPDATE BY NAME WHEN NOT MATCHED THEN INSERT BY NAME;

-- name: scoring_upsert_article_scoring
MERGE INTO article_scoring t USING (SELECT article_id, model_id, status, reason, scored_at FROM batch) b ON t.article_id = b.article_id AND t.model_id = b.model_id
WHEN MATCHED THEN UPDATE BY NAME WHEN NOT MATCHED THEN INSERT BY NAME;

-- name: scoring_model_exists
SELECT count(*) FROM models WHERE id = $model_id;
