-- Exports: the same filters as the dashboard (warehouse.filters.Filters.params()), applied by the same
-- passes_filters macro (migration 0006), plus $model_id, the model whose scores are exported and filtered on.
-- Stances are that model's current aggregation version's (the view current_stance, migration 0009).
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
-- Text filter: as on the dashboard (warehouse.search.lookup), through the full-text index: the export
-- registers the matched articles' keys (hash(id), as the index stores them) as the table search_keys and
-- sets $search to 'include' (they are the matches) or 'exclude' (they are the articles that do not match),
-- with $text NULL; only when the index is unavailable is $search NULL and $text a substring pattern.

-- name: export_model
SELECT m.id, m.name, m.version, m.weights_sha256, c.aggregation
FROM models m LEFT JOIN model_aggregation c ON c.model_id = m.id
WHERE m.id = $model_id;

-- name: export_articles
SELECT a.id AS article_id, a.url, a.source, s.country AS outlet_country, a.language,
       a.published_at, a.fetched_at, a.title, a.description, a.text, a.authors,
       a.story_id, a.content_hash, a.extractor
FROM articles a LEFT JOIN sources s ON s.name = a.source
WHERE ($lo IS NULL OR a.id >= $lo) AND ($hi IS NULL OR a.id < $hi)
  AND passes_filters(outlet := a.source, outlet_country := s.country, language := a.language,
                     published := a.published_at, title := a.title, body := a.text,
                     outlets := $outlets, outlet_countries := $outlet_countries, languages := $languages,
                     date_from := $date_from, date_to := $date_to, text := $text)
  AND ($search IS NULL OR (hash(a.id) IN (SELECT akey FROM search_keys)) = ($search = 'include'))
  AND EXISTS (
        SELECT 1 FROM current_stance st
        WHERE st.article_id = a.id AND st.model_id = $model_id
          AND passes_filters(target := st.country, stance := st.stance, countries := $countries,
                             stance_min := $stance_min, stance_max := $stance_max))
ORDER BY a.id;

-- name: export_stance
-- corrected_stance, corrected_label: with analysts' corrections (migration 0008; NULL: none), the stance
-- re-aggregated and its label, or not_this_country when every mention of the country was a false match.
SELECT article_id, country, stance, label,
       (SELECT c.stance FROM article_stance_corrected c WHERE c.article_id = f.article_id
          AND c.country = f.country AND c.model_id = f.model_id AND c.aggregation = f.aggregation) AS corrected_stance,
       (SELECT CASE WHEN c.dropped THEN 'not_this_country' ELSE c.label END FROM article_stance_corrected c
        WHERE c.article_id = f.article_id AND c.country = f.country AND c.model_id = f.model_id
          AND c.aggregation = f.aggregation) AS corrected_label,
       confidence, mention_count, CAST(evidence AS VARCHAR) AS evidence, model_id, scored_at,
       source, outlet_country, language, published_at, title, url
FROM filtered_stance($model_id, $lo, $hi, $countries, $outlets, $outlet_countries, $languages,
                     $date_from, $date_to, $stance_min, $stance_max, $text) f
WHERE $search IS NULL OR (hash(f.article_id) IN (SELECT akey FROM search_keys)) = ($search = 'include')
ORDER BY article_id, country;

-- name: export_mentions
SELECT m.id AS mention_id, m.article_id, m.country, m.sentence_index, m.sentence, m.sentence_start,
       m.start_char, m.end_char, m.surface, m.alias,
       ms.p_negative, ms.p_neutral, ms.p_positive, ms.model_id,
       lc.label AS corrected_label,  -- the analyst's correction in force (migration 0008), NULL: none
       st.stance AS article_stance, st.label AS article_label,
       a.source, s.country AS outlet_country, a.language, a.published_at, a.url
FROM mentions m
JOIN mention_scores ms ON ms.mention_id = m.id AND ms.model_id = $model_id
LEFT JOIN latest_corrections lc ON lc.mention_id = m.id
JOIN articles a ON a.id = m.article_id
LEFT JOIN sources s ON s.name = a.source
LEFT JOIN current_stance st
       ON st.article_id = m.article_id AND st.country = m.country AND st.model_id = $model_id
WHERE ($lo IS NULL OR m.article_id >= $lo) AND ($hi IS NULL OR m.article_id < $hi)
  AND ($lo IS NULL OR a.id >= $lo) AND ($hi IS NULL OR a.id < $hi)
  AND passes_filters(target := m.country, outlet := a.source, outlet_country := s.country,
                     language := a.language, published := a.published_at, stance := st.stance,
                     title := a.title, body := a.text,
                     countries := $countries, outlets := $outlets, outlet_countries := $outlet_countries,
                     languages := $languages, date_from := $date_from, date_to := $date_to,
                     stance_min := $stance_min, stance_max := $stance_max, text := $text)
  AND ($search IS NULL OR (hash(a.id) IN (SELECT akey FROM search_keys)) = ($search = 'include'))
ORDER BY m.article_id, m.start_char, m.id;

-- name: insert_export
INSERT INTO exports (id, created_at, filters, level, format, path, rows, sha256)
VALUES ($id, $created_at, CAST($filters AS JSON), $level, $format, $path, $rows, $sha256);

-- name: export_table_rows
-- Upper bounds of each level's row count, to choose how many article-id ranges to export in.
SELECT (SELECT count(*) FROM articles) AS articles, (SELECT count(*) FROM article_stance) AS stance,
       (SELECT count(*) FROM mentions) AS mentions;

-- name: export_target_countries
SELECT DISTINCT country FROM current_stance ORDER BY country;
