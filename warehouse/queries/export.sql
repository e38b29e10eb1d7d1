-- Exports: the same filters as the dashboard (warehouse.filters.Filters.params()), each tested with
-- `$x IS NULL OR ...`, plus $model_id, the model whose scores are exported and filtered on.
-- Every query orders by a unique key starting with the article id, so that the same export of an unchanged
-- warehouse is the same file, and so that a large export runs as several queries over article-id ranges
-- [$lo, $hi) (NULL: open-ended), each sorting only its own share of the rows (warehouse/export.py).
-- Target-country and stance filters:
--   articles level: an article matches when it has a stance row (of $model_id) whose country is among
--                   $countries (if given) and whose stance lies in [$stance_min, $stance_max] (if given),
--                   exactly as on the dashboard's Articles page (dashboard_articles): so articles the
--                   model has not scored, or that mention no country, are not exported.
--   stance level:   each article x country stance row is tested itself.
--   mentions level: the mention's country is tested, and the stance range applies to the stance of the
--                   mention's article toward that country.

-- name: export_latest_model
SELECT id FROM models ORDER BY created_at DESC, id DESC LIMIT 1;

-- name: export_model
SELECT id, name, version, weights_sha256 FROM models WHERE id = $model_id;

-- name: export_articles
SELECT a.id AS article_id, a.url, a.source, s.country AS outlet_country, a.language,
       a.published_at, a.fetched_at, a.title, a.description, a.text, a.authors,
       a.story_id, a.content_hash, a.extractor
FROM articles a LEFT JOIN sources s ON s.name = a.source
WHERE ($lo IS NULL OR a.id >= $lo) AND ($hi IS NULL OR a.id < $hi)
  AND ($outlets IS NULL OR list_contains($outlets, a.source))
  AND ($outlet_countries IS NULL OR list_contains($outlet_countries, s.country))
  AND ($languages IS NULL OR list_contains($languages, a.language))
  AND ($date_from IS NULL OR CAST(a.published_at AS DATE) >= CAST($date_from AS DATE))
  AND ($date_to IS NULL OR CAST(a.published_at AS DATE) <= CAST($date_to AS DATE))
  AND ($text IS NULL OR a.title ILIKE $text ESCAPE '\' OR a.text ILIKE $text ESCAPE '\')
  AND EXISTS (
        SELECT 1 FROM article_stance st
        WHERE st.article_id = a.id AND st.model_id = $model_id
          AND ($countries IS NULL OR list_contains($countries, st.country))
          AND ($stance_min IS NULL OR st.stance >= $stance_min)
          AND ($stance_max IS NULL OR st.stance <= $stance_max))
ORDER BY a.id;

-- name: export_stance
SELECT st.article_id, st.country, st.stance, st.label, st.confidence, st.mention_count,
       CAST(st.evidence AS VARCHAR) AS evidence, st.model_id, st.scored_at,
       a.source, s.country AS outlet_country, a.language, a.published_at, a.title, a.url
FROM article_stance st
JOIN articles a ON a.id = st.article_id
LEFT JOIN sources s ON s.name = a.source
WHERE st.model_id = $model_id
  AND ($lo IS NULL OR st.article_id >= $lo) AND ($hi IS NULL OR st.article_id < $hi)
  AND ($lo IS NULL OR a.id >= $lo) AND ($hi IS NULL OR a.id < $hi)
  AND ($countries IS NULL OR list_contains($countries, st.country))
  AND ($stance_min IS NULL OR st.stance >= $stance_min)
  AND ($stance_max IS NULL OR st.stance <= $stance_max)
  AND ($outlets IS NULL OR list_contains($outlets, a.source))
  AND ($outlet_countries IS NULL OR list_contains($outlet_countries, s.country))
  AND ($languages IS NULL OR list_contains($languages, a.language))
  AND ($date_from IS NULL OR CAST(a.published_at AS DATE) >= CAST($date_from AS DATE))
  AND ($date_to IS NULL OR CAST(a.published_at AS DATE) <= CAST($date_to AS DATE))
  AND ($text IS NULL OR a.title ILIKE $text ESCAPE '\' OR a.text ILIKE $text ESCAPE '\')
ORDER BY st.article_id, st.country;

-- name: export_mentions
SELECT m.id AS mention_id, m.article_id, m.country, m.sentence_index, m.sentence, m.sentence_start,
       m.start_char, m.end_char, m.surface, m.alias,
       ms.p_negative, ms.p_neutral, ms.p_positive, ms.model_id,
       st.stance AS article_stance, st.label AS article_label,
       a.source, s.country AS outlet_country, a.language, a.published_at, a.url
FROM mentions m
JOIN mention_scores ms ON ms.mention_id = m.id AND ms.model_id = $model_id
JOIN articles a ON a.id = m.article_id
LEFT JOIN sources s ON s.name = a.source
LEFT JOIN article_stance st
       ON st.article_id = m.article_id AND st.country = m.country AND st.model_id = $model_id
WHERE ($lo IS NULL OR m.article_id >= $lo) AND ($hi IS NULL OR m.article_id < $hi)
  AND ($lo IS NULL OR a.id >= $lo) AND ($hi IS NULL OR a.id < $hi)
  AND ($countries IS NULL OR list_contains($countries, m.country))
  AND ($stance_min IS NULL OR st.stance >= $stance_min)
  AND ($stance_max IS NULL OR st.stance <= $stance_max)
  AND ($outlets IS NULL OR list_contains($outlets, a.source))
  AND ($outlet_countries IS NULL OR list_contains($outlet_countries, s.country))
  AND ($languages IS NULL OR list_contains($languages, a.language))
  AND ($date_from IS NULL OR CAST(a.published_at AS DATE) >= CAST($date_from AS DATE))
  AND ($date_to IS NULL OR CAST(a.published_at AS DATE) <= CAST($date_to AS DATE))
  AND ($text IS NULL OR a.title ILIKE $text ESCAPE '\' OR a.text ILIKE $text ESCAPE '\')
ORDER BY m.article_id, m.start_char, m.id;

-- name: insert_export
INSERT INTO exports (id, created_at, filters, level, format, path, rows, sha256)
VALUES ($id, $created_at, CAST($filters AS JSON), $level, $format, $path, $rows, $sha256);

-- name: export_table_rows
-- Upper bounds of each level's row count, to choose how many article-id ranges to export in.
SELECT (SELECT count(*) FROM articles) AS articles, (SELECT count(*) FROM article_stance) AS stance,
       (SELECT count(*) FROM mentions) AS mentions;

-- name: export_target_countries
SELECT DISTINCT country FROM article_stance ORDER BY country;
