-- Article stances carry the version of the aggregation rules that made them (insights.stance.
-- AGGREGATION_VERSION), so a change to the formula or a threshold reaches stored rows: `stancewatch score`
-- re-aggregates a model's stored mention probabilities into rows of the new version, in batches, and
-- only then makes the new version the model's current one (model_aggregation) and deletes the old rows.
-- Readers use the view current_stance: each model's rows of its current version only, so a half-done
-- re-aggregation is never shown. Rows stored before this migration were made by version 1.

-- DuckDB cannot change a primary key in place: copy the rows into the new table.
DROP INDEX IF EXISTS article_stance_article_id;
CREATE TABLE article_stance_versioned (
    article_id     VARCHAR NOT NULL,
    country        VARCHAR NOT NULL,
    model_id       VARCHAR NOT NULL,
    stance         DOUBLE NOT NULL,       -- in [-1, 1]
    label          VARCHAR NOT NULL,      -- critical, neutral, favourable
    confidence     DOUBLE NOT NULL,
    mention_count  INTEGER NOT NULL,
    evidence       JSON,                  -- the sentences that drove the stance
    scored_at      TIMESTAMP NOT NULL,    -- when the row was aggregated
    aggregation    INTEGER NOT NULL,      -- insights.stance.AGGREGATION_VERSION of the rules used
    PRIMARY KEY (article_id, country, model_id, aggregation)
);
INSERT INTO article_stance_versioned BY NAME SELECT *, 1 AS aggregation FROM article_stance;
DROP TABLE article_stance;
ALTER TABLE article_stance_versioned RENAME TO article_stance;
CREATE INDEX article_stance_article_id ON article_stance (article_id);

-- The aggregation version readers see for each model: set by scoring for a new model, and switched by a
-- re-aggregation once every row of the new version is stored.
CREATE TABLE IF NOT EXISTS model_aggregation (
    model_id     VARCHAR PRIMARY KEY,
    aggregation  INTEGER NOT NULL,
    since        TIMESTAMP NOT NULL
);
INSERT INTO model_aggregation
SELECT id, 1, current_timestamp::TIMESTAMP FROM models
UNION
SELECT DISTINCT model_id, 1, current_timestamp::TIMESTAMP FROM article_stance
WHERE model_id NOT IN (SELECT id FROM models);

-- Every reader of article stances reads this view (same columns as article_stance).
CREATE VIEW current_stance AS
SELECT st.*
FROM article_stance st
JOIN model_aggregation c ON c.model_id = st.model_id AND c.aggregation = st.aggregation;

-- A model's current stance rows with their article's outlet, outlet country, language, date, title and
-- link, passing every analyst filter (passes_filters) and lying in the article-id range [lo, hi) (NULL:
-- open-ended; exports run in ranges). The queries that list filtered stance rows select from it; the
-- arguments are the bound parameters in this order.
CREATE MACRO filtered_stance(for_model, lo, hi, countries, outlets, outlet_countries, languages,
                             date_from, date_to, stance_min, stance_max, text) AS TABLE
SELECT st.*, a.source, s.country AS outlet_country, a.language, a.published_at, a.title, a.url
FROM current_stance st
JOIN articles a ON a.id = st.article_id
LEFT JOIN sources s ON s.name = a.source
WHERE st.model_id = for_model
  AND (lo::VARCHAR IS NULL OR (st.article_id >= lo::VARCHAR AND a.id >= lo::VARCHAR))
  AND (hi::VARCHAR IS NULL OR (st.article_id < hi::VARCHAR AND a.id < hi::VARCHAR))
  AND passes_filters(target := st.country, outlet := a.source, outlet_country := s.country,
                     language := a.language, published := a.published_at, stance := st.stance,
                     title := a.title, body := a.text,
                     countries := countries, outlets := outlets, outlet_countries := outlet_countries,
                     languages := languages, date_from := date_from, date_to := date_to,
                     stance_min := stance_min, stance_max := stance_max, text := text);
