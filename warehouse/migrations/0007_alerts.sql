-- Stance-shift alerts (insights.alerts): a change point found in a weekly stance series, per outlet
-- country and target country (series = 'outlet_country') or per outlet and target (series = 'outlet'),
-- that passed the support and effect-size rules of the [alerts] settings. Alerts are derived data: each
-- scoring run replaces every alert of its model in one transaction, so the table holds one consistent
-- set per model, made from the stance rows of the aggregation version named here.
CREATE TABLE IF NOT EXISTS alerts (
    id              VARCHAR PRIMARY KEY,  -- hash of model, series, outlet country, outlet, target and week
    model_id        VARCHAR NOT NULL,
    aggregation     INTEGER,              -- the aggregation version of the stance rows read (NULL: unknown)
    series          VARCHAR NOT NULL,     -- outlet_country or outlet
    outlet_country  VARCHAR NOT NULL,
    outlet          VARCHAR,              -- NULL for an outlet-country series
    target          VARCHAR NOT NULL,     -- the country written about
    week            DATE NOT NULL,        -- Monday of the first week after the shift
    before          DOUBLE NOT NULL,      -- mean stance of the segment before the shift, in [-1, 1]
    before_lo       DOUBLE,               -- its 95% bootstrap interval (NULL: too little to resample)
    before_hi       DOUBLE,
    after           DOUBLE NOT NULL,      -- the same after the shift
    after_lo        DOUBLE,
    after_hi        DOUBLE,
    n_before        INTEGER NOT NULL,     -- articles on each side
    n_after         INTEGER NOT NULL,
    outlets_before  INTEGER NOT NULL,     -- outlets on each side
    outlets_after   INTEGER NOT NULL,
    before_from     DATE NOT NULL,        -- first week of the segment before the shift
    after_to        DATE NOT NULL,        -- last week of the segment after it
    movers          JSON NOT NULL,        -- outlets whose mean stance moved most with the shift
    evidence        JSON NOT NULL,        -- sentences of the articles after the shift that drove it
    computed_at     TIMESTAMP NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_model_week ON alerts (model_id, week);
