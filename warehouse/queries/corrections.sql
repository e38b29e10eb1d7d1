-- Analyst corrections (migration 0008, insights.corrections): storing them, the mention probabilities
-- the corrected stances are re-made from, the corrected stance rows, and what exports and the
-- dashboard read of them. Stance rows come from the view current_stance (migration 0009).

-- name: corrections_mention
-- One mention with what a correction records of it, and the probabilities of $model_id (NULL when that
-- model has not scored it).
SELECT m.id AS mention_id, m.article_id, m.country, m.start_char, m.end_char, m.sentence, m.surface,
       ms.p_negative, ms.p_neutral, ms.p_positive
FROM mentions m
LEFT JOIN mention_scores ms ON ms.mention_id = m.id AND ms.model_id = $model_id
WHERE m.id = $mention_id;

-- name: corrections_insert
INSERT INTO corrections (id, mention_id, article_id, country, start_char, end_char, analyst, corrected_at,
                         model_id, model_label, label, note)
VALUES ($id, $mention_id, $article_id, $country, $start_char, $end_char, $analyst, $corrected_at,
        $model_id, $model_label, $label, $note);

-- name: corrections_list
-- Every correction ($history) or the one in force per mention, newest first, with the mention's sentence
-- (NULL when the mention is no longer stored) and whether it is the one in force.
SELECT c.id, c.corrected_at, c.analyst, c.article_id, c.country, c.mention_id, m.surface, m.sentence,
       c.model_id, c.model_label, c.label, c.note,
       c.id IN (SELECT id FROM latest_corrections) AS current
FROM corrections c
LEFT JOIN mentions m ON m.id = c.mention_id
WHERE $history OR c.id IN (SELECT id FROM latest_corrections)
ORDER BY c.corrected_at DESC, c.id DESC;

-- name: corrections_of_article
-- The corrections in force on one article's mentions, with how many corrections each mention has had.
SELECT l.mention_id, l.label, l.analyst, l.corrected_at, l.model_label, l.note,
       (SELECT count(*) FROM corrections c WHERE c.mention_id = l.mention_id) AS times
FROM latest_corrections l
WHERE l.article_id = $article_id;

-- name: corrections_corrected_articles
SELECT DISTINCT article_id FROM corrections ORDER BY article_id;

-- name: corrections_article_probabilities
-- Every scored mention of the articles ($article_ids), of one model ($model_id) or of every model (NULL),
-- with what the aggregation rules weigh (as in aggregation_mention_probabilities: title, sentence,
-- position, in the same order) and the correction in force on it (NULL: none).
SELECT ms.model_id, m.article_id, m.country, m.sentence, m.sentence_index, m.surface,
       m.start_char < coalesce(length(a.title), 0) AS in_title,
       ms.p_negative, ms.p_neutral, ms.p_positive, l.label AS corrected_label
FROM mentions m
JOIN mention_scores ms ON ms.mention_id = m.id
LEFT JOIN articles a ON a.id = m.article_id
LEFT JOIN latest_corrections l ON l.mention_id = m.id
WHERE m.article_id IN (SELECT unnest($article_ids::VARCHAR[]))
  AND ($model_id::VARCHAR IS NULL OR ms.model_id = $model_id::VARCHAR)
ORDER BY ms.model_id, m.article_id, m.start_char, m.id;

-- name: corrections_delete_corrected
-- Before the articles' corrected rows are re-made: drop them (every aggregation version) for one model
-- ($model_id) or every model (NULL).
DELETE FROM article_stance_corrected
WHERE article_id IN (SELECT unnest($article_ids::VARCHAR[]))
  AND ($model_id::VARCHAR IS NULL OR model_id = $model_id::VARCHAR);

-- name: corrections_upsert_corrected
MERGE INTO article_stance_corrected t USING (SELECT article_id, country, model_id, aggregation, dropped, stance, label, confidence, mention_count,
       CAST(evidence AS JSON) AS evidence, scored_at
FROM batch) b ON t.article_id = b.article_id AND t.country = b.country AND t.model_id = b.model_id AND t.aggregation = b.aggregation
WHEN MATCHED THEN UPDATE BY NAME WHEN NOT MATCHED THEN INSERT BY NAME;

-- name: corrections_stance_version
-- Changes whenever the model's stance rows, the articles or the corrections change (the dashboard's
-- corrected snapshot is rebuilt then).
SELECT (SELECT count(*) FROM articles) AS articles,
       (SELECT count(*) FROM current_stance WHERE model_id = $model_id) AS stance_rows,
       (SELECT max(scored_at) FROM current_stance WHERE model_id = $model_id) AS last_scored,
       (SELECT count(*) FROM corrections) AS corrections,
       (SELECT max(scored_at) FROM article_stance_corrected WHERE model_id = $model_id) AS last_corrected;

-- name: corrections_article_stance
-- One article's stance rows with corrections, beside the model's (same order as dashboard_article_stance).
SELECT c.country, c.dropped, c.stance, c.label, c.confidence, c.mention_count
FROM current_stance st
JOIN article_stance_corrected c
  ON c.article_id = st.article_id AND c.country = st.country AND c.model_id = st.model_id
 AND c.aggregation = st.aggregation
WHERE st.article_id = $article_id AND st.model_id = $model_id
ORDER BY c.country;

-- name: corrections_labelled_mentions
-- The gold set: every mention whose correction in force gives a label, with its sentence, its offsets in
-- the sentence, its article's language and the other countries' mentions in the same sentence.
SELECT l.id AS correction_id, l.label, m.sentence, m.surface,
       m.start_char - m.sentence_start AS start_in_sentence,
       m.end_char - m.sentence_start AS end_in_sentence,
       coalesce(a.language, '') AS language, m.article_id, m.country
FROM latest_corrections l
JOIN mentions m ON m.id = l.mention_id
LEFT JOIN articles a ON a.id = m.article_id
WHERE l.label <> 'not_this_country'
ORDER BY m.article_id, m.start_char, m.id;

-- name: corrections_false_matches
SELECT count(*) FROM latest_corrections WHERE label = 'not_this_country';

-- name: corrections_agreement_rows
-- The corrections in force on mentions $model_id scored, with the article's language and the model's
-- probabilities now (insights.corrections.agreement compares the model's label with the analyst's).
SELECT coalesce(a.language, '??') AS language, l.label, ms.p_negative, ms.p_neutral, ms.p_positive
FROM latest_corrections l
JOIN mention_scores ms ON ms.mention_id = l.mention_id AND ms.model_id = $model_id
LEFT JOIN articles a ON a.id = l.article_id
ORDER BY language;
