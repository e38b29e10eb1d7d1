-- Analyst corrections (issue #12): an analyst's label for one mention, or "not_this_country" for a false
-- match. Corrections live in their own table and never change the model's rows (mention_scores,
-- article_stance); every correction is kept (the history), and the latest one per mention wins
-- (view latest_corrections). A mention is named as the mentions table names it: its id, a hash of the
-- article, country and offsets (analysis.scoring), which re-scoring the same text gives again, so a
-- correction survives re-scoring; article_id, country and offsets are kept beside it for reading.

CREATE TABLE IF NOT EXISTS corrections (
    id            VARCHAR PRIMARY KEY,    -- random, one per correction made
    mention_id    VARCHAR NOT NULL,       -- mentions.id
    article_id    VARCHAR NOT NULL,
    country       VARCHAR NOT NULL,
    start_char    INTEGER NOT NULL,
    end_char      INTEGER NOT NULL,
    analyst       VARCHAR NOT NULL,       -- dashboard login user, --by, or $USER
    corrected_at  TIMESTAMP NOT NULL,
    model_id      VARCHAR,                -- the model shown when the correction was made
    model_label   VARCHAR,                -- that model's label for the mention then (negative, neutral, positive)
    label         VARCHAR NOT NULL CHECK (label IN ('negative', 'neutral', 'positive', 'not_this_country')),
    note          VARCHAR
);
CREATE INDEX IF NOT EXISTS corrections_article_id ON corrections (article_id);

-- The correction in force for each mention: the latest (ties by id, so the choice is stable).
CREATE VIEW latest_corrections AS
SELECT * FROM corrections
QUALIFY row_number() OVER (PARTITION BY mention_id ORDER BY corrected_at DESC, id DESC) = 1;

-- An article's stance toward a country "with corrections", per model and aggregation version (keyed like
-- article_stance): made by insights.corrections with THE aggregation rule (insights.reaggregate.
-- stance_rows) from the model's stored probabilities, corrected mentions replaced by the analyst's label
-- as a one-hot probability and false matches left out. Only (article, country) pairs with a correction
-- have a row; dropped = true when no mention of the country remains (the country is not in the article
-- with corrections). Re-made whenever a correction is saved and after every scoring run.
CREATE TABLE IF NOT EXISTS article_stance_corrected (
    article_id     VARCHAR NOT NULL,
    country        VARCHAR NOT NULL,
    model_id       VARCHAR NOT NULL,
    aggregation    INTEGER NOT NULL,
    dropped        BOOLEAN NOT NULL,
    stance         DOUBLE,                -- NULL when dropped
    label          VARCHAR,
    confidence     DOUBLE,
    mention_count  INTEGER,
    evidence       JSON,
    scored_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (article_id, country, model_id, aggregation)
);
