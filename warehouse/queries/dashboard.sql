-- What the dashboard reads. Every filtered query takes the parameters of warehouse.filters.Filters
-- (only those it names are bound) and applies them with the passes_filters macro (migration 0006: the
-- one definition of each filter and of the inclusive date range), naming its columns and the filters
-- that apply to them; a NULL filter restricts nothing, so one query serves every combination. Scores
-- are always those of one model ($model_id), named on every page that shows them, and of that model's
-- current aggregation version: stance rows are read from the view current_stance (migration 0009), never
-- from the article_stance table itself.

-- name: dashboard_overview
SELECT (SELECT count(*) FROM articles) AS articles,
       (SELECT count(*) FROM sources) AS sources,
       (SELECT count(*) FROM current_stance WHERE model_id = $model_id) AS stance_rows,
       (SELECT count(*) FROM article_scoring WHERE model_id = $model_id) AS articles_scored,
       (SELECT max(fetched_at) FROM articles) AS last_fetched,
       (SELECT min(published_at)::DATE FROM articles) AS first_published,
       (SELECT max(published_at)::DATE FROM articles) AS last_published;

-- name: dashboard_models
-- Every model, newest first; the first is the dashboard's default. aggregation: the version of the
-- aggregation rules its shown stances were made with (NULL: none recorded yet).
SELECT m.id, m.name, m.version, m.weights_sha256, m.created_at, c.aggregation
FROM models m
LEFT JOIN model_aggregation c ON c.model_id = m.id
ORDER BY m.created_at DESC, m.id;

-- name: dashboard_target_countries
SELECT country, count(*) AS n
FROM current_stance
WHERE model_id = $model_id
GROUP BY country
ORDER BY n DESC, country;

-- name: dashboard_source_options
SELECT a.source AS name, coalesce(s.country, '??') AS country, n
FROM (SELECT source, count(*) AS n FROM articles GROUP BY source) a
LEFT JOIN sources s ON s.name = a.source
UNION ALL
SELECT s.name, s.country, 0 FROM sources s WHERE s.name NOT IN (SELECT DISTINCT source FROM articles)
ORDER BY name;

-- name: dashboard_languages
SELECT coalesce(language, '??') AS language, count(*) AS n
FROM articles
GROUP BY ALL
ORDER BY n DESC;

-- name: dashboard_stance_version
-- Changes whenever the model's stance rows, their aggregation version or the articles change: the cube
-- below is rebuilt then.
SELECT (SELECT count(*) FROM articles) AS articles,
       count(*) AS stance_rows, max(scored_at) AS last_scored, max(aggregation) AS aggregation
FROM current_stance
WHERE model_id = $model_id;

-- name: dashboard_stance_facts
-- The dashboard's snapshot of one model's stance rows with their article's date, outlet and language:
-- the only full join of stance rows with articles it makes, once per warehouse change. The result goes
-- into an in-memory database in the dashboard process, where the dashboard_mem_* queries read it.
-- $corrected: analysts' corrections applied (article_stance_corrected, insights.corrections): an (article,
-- country) with a corrected row shows it, or is left out when the correction dropped the country.
SELECT st.article_id,
       a.published_at,
       a.published_at::DATE AS day,
       st.country AS target,
       a.source AS outlet,
       coalesce(s.country, '??') AS outlet_country,
       coalesce(a.language, '??') AS language,
       coalesce(c.stance, st.stance) AS stance,
       coalesce(c.label, st.label) AS label,
       coalesce(c.confidence, st.confidence) AS confidence,
       coalesce(c.mention_count, st.mention_count) AS mention_count,
       hash(a.story_id) AS story_key  -- wire copies share it; 8 bytes, not the 40-character id
FROM current_stance st
JOIN articles a ON a.id = st.article_id
LEFT JOIN sources s ON s.name = a.source
LEFT JOIN article_stance_corrected c
       ON $corrected::BOOLEAN AND c.article_id = st.article_id AND c.country = st.country
      AND c.model_id = st.model_id AND c.aggregation = st.aggregation
WHERE st.model_id = $model_id AND c.dropped IS NOT TRUE;

-- name: dashboard_article_meta
-- What the article list shows of each article beyond its facts, kept in the snapshot beside them so a
-- page of articles needs no warehouse connection (a fresh connection loads the id index each time).
SELECT id, title, url FROM articles;

-- name: dashboard_mem_build_cube
-- In memory: stance rows summed per day, target, outlet and language (a million articles: a few hundred
-- thousand cells), for trends and the matrix.
CREATE TABLE cube AS
SELECT day, target, outlet, outlet_country, language, count(*) AS n, sum(stance) AS stance_sum
FROM facts
WHERE day IS NOT NULL
GROUP BY ALL
ORDER BY target, day;

-- name: dashboard_mem_trend
-- In memory: one row per period, target country, outlet and language, the article count and stance
-- sum the bootstrap over outlets resamples.
SELECT date_trunc($grain, day)::DATE AS period, target, outlet, outlet_country, language,
       sum(n) AS n, sum(stance_sum) AS stance_sum
FROM cube
WHERE passes_filters(target := target, outlet := outlet, outlet_country := outlet_country,
                     language := language, published := day,
                     countries := $countries, outlets := $outlets, outlet_countries := $outlet_countries,
                     languages := $languages, date_from := $date_from, date_to := $date_to)
GROUP BY ALL;

-- name: dashboard_mem_matrix
-- In memory: outlet country x target country, mean stance and article count.
SELECT outlet_country, target, sum(n) AS n, sum(stance_sum) / sum(n) AS mean_stance,
       count(DISTINCT outlet) AS outlets
FROM cube
WHERE passes_filters(target := target, outlet := outlet, outlet_country := outlet_country,
                     language := language, published := day,
                     countries := $countries, outlets := $outlets, outlet_countries := $outlet_countries,
                     languages := $languages, date_from := $date_from, date_to := $date_to)
GROUP BY ALL
ORDER BY outlet_country, target;

-- name: dashboard_mem_articles
-- In memory: one page of the articles with a stance row passing every filter but the text search,
-- newest first, each with its matching stance rows. The page comes from the newest
-- ($offset + $limit) * $per_article matching rows, a top-N rather than a grouping of every row. An article's
-- rows share its sort key, so they lie together in that order and only the last article of the top can be
-- cut short: the page is whole when the top holds more than $offset + $limit articles (top_articles) or
-- fewer rows than it may (top_rows), and always when $per_article is the most rows an article can have
-- (the number of target countries that can match). Every row carries top_rows and top_articles; an
-- empty page is one row of them with no article.
WITH top AS (
    SELECT * FROM facts
    WHERE passes_filters(target := target, outlet := outlet, outlet_country := outlet_country,
                         language := language, published := published_at, stance := stance,
                         countries := $countries, outlets := $outlets, outlet_countries := $outlet_countries,
                         languages := $languages, date_from := $date_from, date_to := $date_to,
                         stance_min := $stance_min, stance_max := $stance_max)
    ORDER BY published_at DESC NULLS LAST, article_id
    LIMIT ($offset + $limit) * $per_article
),
counts AS (SELECT count(*) AS top_rows, count(DISTINCT article_id) AS top_articles FROM top),
page AS (
    SELECT article_id, any_value(published_at) AS published_at, any_value(outlet) AS outlet,
           any_value(outlet_country) AS outlet_country, any_value(language) AS language,
           list(struct_pack(country := target, stance := stance, label := label, confidence := confidence,
                            mentions := mention_count) ORDER BY target) AS stances
    FROM top
    GROUP BY article_id
    ORDER BY any_value(published_at) DESC NULLS LAST, article_id
    LIMIT $limit OFFSET $offset
)
SELECT page.article_id, page.published_at, page.outlet, page.outlet_country, page.language,
       meta.title, meta.url, page.stances, counts.top_rows, counts.top_articles
FROM counts
LEFT JOIN page ON true
LEFT JOIN meta ON meta.id = page.article_id
ORDER BY page.published_at DESC NULLS LAST, page.article_id;

-- name: dashboard_mem_article_count
-- In memory: how many articles have a stance row passing every filter but the text search (akey is a
-- 64-bit hash of the article id: counting distinct integers is several times faster than strings).
SELECT CASE WHEN $countries::VARCHAR[] IS NOT NULL AND len($countries::VARCHAR[]) = 1
            THEN count(*) ELSE count(DISTINCT akey) END AS n
FROM facts
WHERE passes_filters(target := target, outlet := outlet, outlet_country := outlet_country,
                     language := language, published := published_at, stance := stance,
                     countries := $countries, outlets := $outlets, outlet_countries := $outlet_countries,
                     languages := $languages, date_from := $date_from, date_to := $date_to,
                     stance_min := $stance_min, stance_max := $stance_max);

-- name: dashboard_scored_count
-- Articles with at least one stance row: scored, and not "no country mentions" (see analysis.scoring).
SELECT count(*) AS n FROM article_scoring
WHERE model_id = $model_id AND status = 'scored' AND reason IS NULL;

-- name: dashboard_article_candidates
-- Step 1 of a page of articles: the newest $k articles passing the article-level filters (cheap: no
-- stance rows involved). Step 2 (dashboard_article_hits) keeps those with matching stance rows; the
-- data module widens $k until the page is full.
SELECT a.id, a.published_at
FROM articles a
LEFT JOIN sources s ON s.name = a.source
WHERE passes_filters(outlet := a.source, outlet_country := s.country, language := a.language,
                     published := a.published_at, title := a.title, body := a.text,
                     outlets := $outlets, outlet_countries := $outlet_countries, languages := $languages,
                     date_from := $date_from, date_to := $date_to, text := $text)
ORDER BY a.published_at DESC NULLS LAST, a.id
LIMIT $k;

-- name: dashboard_article_hits
-- Step 2: the stance rows of the candidate articles ($ids) that pass the stance-level filters. The
-- MATERIALIZED lookup reads article_stance itself and then keeps current_stance's rows (its join on
-- model_aggregation): through the view DuckDB scans every stance row (1M articles: 265 ms against 134).
WITH rows AS MATERIALIZED (
    SELECT st.* FROM (SELECT * FROM article_stance WHERE article_id IN (SELECT unnest($ids::VARCHAR[]))) st
    JOIN model_aggregation c ON c.model_id = st.model_id AND c.aggregation = st.aggregation
)
SELECT article_id,
       list(struct_pack(country := country, stance := stance, label := label, confidence := confidence,
                        mentions := mention_count) ORDER BY country) AS stances
FROM rows
WHERE model_id = $model_id
  AND passes_filters(target := country, stance := stance,
                     countries := $countries, stance_min := $stance_min, stance_max := $stance_max)
GROUP BY article_id;

-- name: dashboard_article_rows
-- Step 3: what the list shows of each article on the page (by the primary key's index: `= ANY` in a
-- MATERIALIZED lookup, as DuckDB uses an index only for a lone equality-like filter).
WITH a AS MATERIALIZED (SELECT * FROM articles WHERE id = ANY($ids::VARCHAR[]))
SELECT a.id, a.published_at, a.source AS outlet, coalesce(s.country, '??') AS outlet_country, a.language,
       a.title, a.url
FROM a
LEFT JOIN sources s ON s.name = a.source;

-- name: dashboard_articles
-- One page of the filtered articles in one query: the fallback when the filters are so selective that
-- the candidate steps above would have to widen to most of the warehouse.
WITH hit AS (
    SELECT st.article_id, st.published_at,
           list(struct_pack(country := st.country, stance := st.stance, label := st.label,
                            confidence := st.confidence, mentions := st.mention_count)
                ORDER BY st.country) AS stances
    FROM filtered_stance($model_id, NULL, NULL, $countries, $outlets, $outlet_countries, $languages,
                         $date_from, $date_to, $stance_min, $stance_max, $text) st
    GROUP BY st.article_id, st.published_at
    ORDER BY st.published_at DESC NULLS LAST, st.article_id
    LIMIT $limit OFFSET $offset
)
SELECT hit.article_id AS id, hit.published_at, a.source AS outlet, coalesce(s.country, '??') AS outlet_country,
       a.language, a.title, a.url, hit.stances
FROM hit
JOIN articles a ON a.id = hit.article_id
LEFT JOIN sources s ON s.name = a.source
ORDER BY hit.published_at DESC NULLS LAST, hit.article_id;

-- name: dashboard_article_count
SELECT count(DISTINCT article_id) AS n
FROM filtered_stance($model_id, NULL, NULL, $countries, $outlets, $outlet_countries, $languages,
                     $date_from, $date_to, $stance_min, $stance_max, $text);

-- name: dashboard_article
SELECT a.id, a.url, a.source AS outlet, coalesce(s.country, '??') AS outlet_country, a.title, a.description,
       a.authors, a.published_at, a.fetched_at, a.language, a.extractor, a.story_id
FROM articles a
LEFT JOIN sources s ON s.name = a.source
WHERE a.id = $article_id;

-- name: dashboard_article_stance
-- One article's current stance rows: its rows by the article_id index, then current_stance's join on
-- model_aggregation (through the view DuckDB scans every stance row: 1M articles, 85-222 ms against 2).
WITH rows AS MATERIALIZED (SELECT * FROM article_stance WHERE article_id = $article_id)
SELECT r.country, r.stance, r.label, r.confidence, r.mention_count, r.evidence, r.scored_at
FROM rows r
JOIN model_aggregation c ON c.model_id = r.model_id AND c.aggregation = r.aggregation
WHERE r.model_id = $model_id
ORDER BY r.country;

-- name: dashboard_article_mentions
-- The evidence: every sentence that mentions a country, with the mention's offsets inside the sentence.
-- (One equality only, so DuckDB uses the article_id index; the scores come from the next query.)
SELECT m.id AS mention_id, m.country, m.sentence_index, m.sentence,
       m.start_char - m.sentence_start AS start_in_sentence,
       m.end_char - m.sentence_start AS end_in_sentence,
       m.surface, m.alias, m.start_char
FROM mentions m
WHERE m.article_id = $article_id
ORDER BY m.country, m.sentence_index, m.start_char;

-- name: dashboard_mention_scores
-- Every model's three probabilities for the given mentions ($mention_ids), by the mention_id index; the
-- data module keeps the shown model's (a second condition here would make DuckDB scan instead).
SELECT mention_id, model_id, p_negative, p_neutral, p_positive
FROM mention_scores
WHERE mention_id IN (SELECT unnest($mention_ids::VARCHAR[]));

-- name: dashboard_source_health
-- Per source: the last successful crawl that covered it, articles per day over the last 28 days (by
-- publication date), the fetch error rate over the same 28 days, and recent vs usual daily volume.
WITH window_days AS (  -- the 28 calendar days up to $now's: the series, the error rate and the volumes
    SELECT ($now::TIMESTAMP - INTERVAL 27 DAY)::DATE AS first_day, $now::TIMESTAMP::DATE AS last_day
),
daily AS (
    SELECT source, published_at::DATE AS day, count(*) AS n
    FROM articles, window_days w
    WHERE published_at >= w.first_day AND published_at < w.last_day + INTERVAL 1 DAY
    GROUP BY ALL
),
days AS (
    SELECT unnest(generate_series(first_day, last_day, INTERVAL 1 DAY))::DATE AS day FROM window_days
),
names AS (
    SELECT name, country, language, enabled FROM sources
    UNION ALL
    SELECT DISTINCT source, NULL, NULL, NULL FROM articles WHERE source NOT IN (SELECT name FROM sources)
),
series AS (
    SELECT names.name,
           list(coalesce(daily.n, 0) ORDER BY days.day) AS per_day
    FROM names CROSS JOIN days
    LEFT JOIN daily ON daily.source = names.name AND daily.day = days.day
    GROUP BY names.name
),
fetches AS (
    SELECT source, count(*) AS fetches, count(*) FILTER (WHERE error_kind IS NOT NULL) AS errors,
           max(fetched_at) FILTER (WHERE error_kind IS NULL) AS last_ok_fetch
    FROM fetch_log, window_days w
    -- Whole calendar days, the same 28 as the series: a timestamp window would reach into a 29th day
    -- whenever `now` is early in its day and count that day's fetches too.
    WHERE fetched_at >= w.first_day
    GROUP BY source
),
runs AS (
    SELECT names.name, max(r.finished_at) AS last_good_crawl
    FROM names JOIN crawl_runs r
      ON r.status = 'done' AND (r.sources IS NULL OR len(r.sources) = 0 OR list_contains(r.sources, names.name))
    GROUP BY names.name
),
totals AS (
    SELECT source, count(*) AS articles, max(fetched_at) AS last_article_fetched
    FROM articles GROUP BY source
)
SELECT names.name, names.country, names.language, names.enabled,
       coalesce(totals.articles, 0) AS articles,
       runs.last_good_crawl, totals.last_article_fetched, fetches.last_ok_fetch,
       series.per_day,
       coalesce(fetches.fetches, 0) AS fetches,
       coalesce(fetches.errors, 0) AS fetch_errors
FROM names
LEFT JOIN series ON series.name = names.name
LEFT JOIN fetches ON fetches.source = names.name
LEFT JOIN runs ON runs.name = names.name
LEFT JOIN totals ON totals.source = names.name
ORDER BY names.name;

-- name: dashboard_crawl_runs
SELECT id, started_at, finished_at, trigger, status, sources, stats, errors
FROM crawl_runs
ORDER BY started_at DESC
LIMIT $limit;
