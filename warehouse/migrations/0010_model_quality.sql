-- The model's dev figures per language, recorded with the model when scoring registers it (from the route
-- cards' dev_by_language blocks: analysis.model_quality), so every page that shows a language's scores can
-- say how good the model is there. A language with no row for a model is unmeasured: the dashboard says so.

CREATE TABLE IF NOT EXISTS model_quality (
    model_id          VARCHAR NOT NULL,
    language          VARCHAR NOT NULL,   -- ISO-639-1, as articles.language
    dev_set           VARCHAR NOT NULL,   -- which dev rows, in words ("RuSentNE dev split")
    route             VARCHAR NOT NULL,   -- the route folder that scores this language
    n                 INTEGER NOT NULL,   -- dev rows
    f1_pn             DOUBLE NOT NULL,    -- F1 over positive and negative
    f1_pn_lo          DOUBLE NOT NULL,    -- its 95% bootstrap interval (sentences resampled together)
    f1_pn_hi          DOUBLE NOT NULL,
    macro_f1          DOUBLE NOT NULL,
    ece               DOUBLE NOT NULL,    -- calibration error of the stored probabilities on these rows
    ece_cross_fitted  DOUBLE,             -- the same with the temperature fitted on the other half (honest)
    recorded_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (model_id, language)
);
