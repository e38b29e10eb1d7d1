-- Coverage-aware trends and "what changed" (insights.coverage, insights.trends, insights.compare).
-- Filters go through the passes_filters macro (migration 0006) like every filtered query.

-- name: coverage_outlet_days
-- Articles per outlet, language and publication day, scored or not: what each outlet's expected daily
-- volume is learnt from. Loaded into the dashboard's snapshot (table outlet_days).
SELECT a.source AS outlet, coalesce(s.country, '??') AS outlet_country, coalesce(a.language, '??') AS language,
       a.published_at::DATE AS day, count(*) AS n
FROM articles a
LEFT JOIN sources s ON s.name = a.source
WHERE a.published_at IS NOT NULL
GROUP BY ALL;

-- name: coverage_mem_outlet_days
-- In memory: the selection's outlets' daily counts over their whole history (no date filter: the
-- expectation for the first shown day is learnt from the days before it).
SELECT outlet, day, sum(n) AS n
FROM outlet_days
WHERE passes_filters(outlet := outlet, outlet_country := outlet_country, language := language,
                     outlets := $outlets, outlet_countries := $outlet_countries, languages := $languages)
GROUP BY ALL;

-- name: coverage_mem_story_trend
-- In memory: trend cells counting each story (articles.story_id: the crawler gives wire copies of one
-- story the same id) once per target: among the copies passing the filters, the story takes the day,
-- outlet and language of its first published copy and the mean stance of all its copies.
WITH rows AS (
    SELECT * FROM facts
    WHERE day IS NOT NULL
      AND passes_filters(target := target, outlet := outlet, outlet_country := outlet_country,
                         language := language, published := day,
                         countries := $countries, outlets := $outlets, outlet_countries := $outlet_countries,
                         languages := $languages, date_from := $date_from, date_to := $date_to)
),
stories AS (
    SELECT target,
           arg_min(struct_pack(day := day, outlet := outlet, outlet_country := outlet_country,
                               language := language),
                   struct_pack(p := published_at, a := article_id)) AS first_copy,
           avg(stance) AS stance
    FROM rows
    GROUP BY target, story_key
)
SELECT date_trunc($grain, first_copy.day)::DATE AS period, target, first_copy.outlet AS outlet,
       first_copy.outlet_country AS outlet_country, first_copy.language AS language,
       count(*) AS n, sum(stance) AS stance_sum
FROM stories
GROUP BY ALL;

-- name: coverage_compare_cells
-- Per outlet: articles and stance sum of one model's current stances toward the target in one period.
SELECT a.source AS outlet, count(*) AS n, sum(st.stance) AS stance_sum
FROM current_stance st
JOIN articles a ON a.id = st.article_id
LEFT JOIN sources s ON s.name = a.source
WHERE st.model_id = $model_id
  AND passes_filters(target := st.country, outlet_country := coalesce(s.country, '??'),
                     published := a.published_at,
                     countries := $countries, outlet_countries := $outlet_countries,
                     date_from := $date_from, date_to := $date_to)
GROUP BY a.source
ORDER BY a.source;

-- name: coverage_compare_sentences
-- The period's mentions of the target with their score (P(positive) - P(negative)) under the model:
-- per outlet, the $limit lowest and $limit highest scores (the only candidates for the most-moved
-- sentences, which are ranked against each outlet's own baseline).
WITH scored AS (
    SELECT a.published_at, a.source AS outlet, a.id AS article_id, a.title, a.url, m.sentence,
           ms.p_positive - ms.p_negative AS score
    FROM mentions m
    JOIN mention_scores ms ON ms.mention_id = m.id AND ms.model_id = $model_id
    JOIN articles a ON a.id = m.article_id
    LEFT JOIN sources s ON s.name = a.source
    WHERE passes_filters(target := m.country, outlet_country := coalesce(s.country, '??'),
                         published := a.published_at,
                         countries := $countries, outlet_countries := $outlet_countries,
                         date_from := $date_from, date_to := $date_to)
)
SELECT * FROM scored
QUALIFY row_number() OVER (PARTITION BY outlet ORDER BY score, article_id, sentence) <= $limit
     OR row_number() OVER (PARTITION BY outlet ORDER BY score DESC, article_id, sentence) <= $limit
ORDER BY outlet, score;
