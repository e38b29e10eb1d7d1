-- Aggregation versions (migration 0009): which version of the aggregation rules each model's shown
-- stances were made with, and the stored mention probabilities a re-aggregation reads
-- (insights.reaggregate).

-- name: aggregation_of_model
SELECT aggregation FROM model_aggregation WHERE model_id = $model_id;

-- name: aggregation_record
-- Make $aggregation the version readers see for $model_id (scoring a new model, or a finished
-- re-aggregation).
MERGE INTO model_aggregation t USING (SELECT $model_id::VARCHAR AS model_id, $aggregation::INTEGER AS aggregation, $since::TIMESTAMP AS since) b ON t.model_id = b.model_id
WHEN MATCHED THEN UPDATE BY NAME WHEN NOT MATCHED THEN INSERT BY NAME;

-- name: aggregation_drop_other_versions
-- After the switch: the model's rows of other versions are never read again.
DELETE FROM article_stance WHERE model_id = $model_id AND aggregation <> $aggregation;

-- name: aggregation_mention_probabilities
-- The next $chunk articles after $after (in id order) that have mentions scored by $model_id, with each
-- mention's probabilities and what the aggregation rules weigh: whether it lies in the title (mentions'
-- offsets count from the start of the title: analysis.scoring.scored_text), its sentence and position.
-- Ordered as scoring planned them (by article, then offset), so re-aggregating unchanged rules gives
-- the stored rows back exactly.
WITH chunk AS (
    SELECT DISTINCT m.article_id
    FROM mentions m
    JOIN mention_scores ms ON ms.mention_id = m.id AND ms.model_id = $model_id
    WHERE m.article_id > $after
    ORDER BY m.article_id
    LIMIT $chunk
)
SELECT m.article_id, m.country, m.sentence, m.sentence_index, m.surface,
       m.start_char < coalesce(length(a.title), 0) AS in_title,
       ms.p_negative, ms.p_neutral, ms.p_positive
FROM mentions m
JOIN chunk ON chunk.article_id = m.article_id
JOIN mention_scores ms ON ms.mention_id = m.id AND ms.model_id = $model_id
LEFT JOIN articles a ON a.id = m.article_id
ORDER BY m.article_id, m.start_char, m.id;
