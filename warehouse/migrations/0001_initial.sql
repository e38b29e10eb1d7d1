-- The warehouse as DESIGN.md describes it. No foreign keys: DuckDB's upserts and
-- foreign keys do not mix, and every writer upserts on ids instead.

CREATE TABLE IF NOT EXISTS sources (
    name        VARCHAR PRIMARY KEY,      -- outlet name, unique key from sources.yaml
    homepage    VARCHAR NOT NULL,
    country     VARCHAR NOT NULL,         -- ISO-3166 alpha-2 of the outlet
    language    VARCHAR NOT NULL,         -- main language, ISO-639-1
    feeds       VARCHAR[] NOT NULL,
    sitemaps    VARCHAR[] NOT NULL,
    listings    JSON,                     -- listing pages with their link patterns
    tags        VARCHAR[] NOT NULL,
    enabled     BOOLEAN NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS crawl_runs (
    id           VARCHAR PRIMARY KEY,
    started_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP,
    trigger      VARCHAR NOT NULL,        -- cli, schedule:<id>, job:<id>, demo
    status       VARCHAR NOT NULL,        -- running, done, failed, interrupted
    sources      VARCHAR[],
    stats        JSON,                    -- requests, articles stored, dropped by reason
    errors       JSON                     -- errors by kind
);

CREATE TABLE IF NOT EXISTS fetch_log (
    run_id      VARCHAR NOT NULL,
    url         VARCHAR NOT NULL,
    source      VARCHAR,
    fetched_at  TIMESTAMP NOT NULL,
    http_status INTEGER,
    error_kind  VARCHAR,                  -- null when the fetch succeeded
    bytes       BIGINT,
    PRIMARY KEY (run_id, url)
);

CREATE TABLE IF NOT EXISTS articles (
    id            VARCHAR PRIMARY KEY,    -- sha1 of the canonical URL
    url           VARCHAR NOT NULL,       -- canonical URL
    source        VARCHAR NOT NULL,
    title         VARCHAR,
    description   VARCHAR,
    text          VARCHAR NOT NULL,
    authors       VARCHAR[],
    published_at  TIMESTAMP,
    fetched_at    TIMESTAMP NOT NULL,
    language      VARCHAR,
    content_hash  VARCHAR NOT NULL,
    story_id      VARCHAR NOT NULL,       -- near-duplicate cluster: syndicated copies share it
    extractor     VARCHAR NOT NULL,
    run_id        VARCHAR
);

CREATE TABLE IF NOT EXISTS mentions (
    id              VARCHAR PRIMARY KEY,  -- hash of article, country and offsets
    article_id      VARCHAR NOT NULL,
    country         VARCHAR NOT NULL,     -- ISO code or bloc code (EU, NATO)
    sentence_index  INTEGER NOT NULL,
    sentence        VARCHAR NOT NULL,
    sentence_start  INTEGER NOT NULL,     -- where the sentence starts in the article's scored text
    start_char      INTEGER NOT NULL,     -- offsets into the article's scored text (title, blank line, text)
    end_char        INTEGER NOT NULL,
    surface         VARCHAR NOT NULL,
    alias           VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS mention_scores (
    mention_id   VARCHAR NOT NULL,
    model_id     VARCHAR NOT NULL,
    p_negative   DOUBLE NOT NULL,
    p_neutral    DOUBLE NOT NULL,
    p_positive   DOUBLE NOT NULL,
    scored_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (mention_id, model_id)
);

CREATE TABLE IF NOT EXISTS article_stance (
    article_id     VARCHAR NOT NULL,
    country        VARCHAR NOT NULL,
    model_id       VARCHAR NOT NULL,
    stance         DOUBLE NOT NULL,       -- in [-1, 1]
    label          VARCHAR NOT NULL,      -- critical, neutral, favourable
    confidence     DOUBLE NOT NULL,
    mention_count  INTEGER NOT NULL,
    evidence       JSON,                  -- the sentences that drove the stance
    scored_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (article_id, country, model_id)
);

-- One row per article and model: scored, or skipped with the reason.
CREATE TABLE IF NOT EXISTS article_scoring (
    article_id  VARCHAR NOT NULL,
    model_id    VARCHAR NOT NULL,
    status      VARCHAR NOT NULL,         -- scored, skipped
    reason      VARCHAR,
    scored_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (article_id, model_id)
);

CREATE TABLE IF NOT EXISTS models (
    id              VARCHAR PRIMARY KEY,
    name            VARCHAR NOT NULL,
    version         VARCHAR NOT NULL,
    weights_sha256  VARCHAR NOT NULL,
    languages       VARCHAR[],
    evaluation      JSON,
    created_at      TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS schedules (
    id           VARCHAR PRIMARY KEY,
    name         VARCHAR NOT NULL,
    cron         VARCHAR NOT NULL,
    sources      VARCHAR[],               -- empty: all enabled sources
    paused       BOOLEAN NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    last_run_at  TIMESTAMP
);

CREATE TABLE IF NOT EXISTS jobs (
    id             VARCHAR PRIMARY KEY,
    kind           VARCHAR NOT NULL,      -- crawl (crawl then score)
    sources        VARCHAR[],
    args           JSON,
    state          VARCHAR NOT NULL,      -- queued, running, done, failed, interrupted
    requested_at   TIMESTAMP NOT NULL,
    requested_by   VARCHAR NOT NULL,      -- dashboard, cli, schedule:<id>
    schedule_id    VARCHAR,
    started_at     TIMESTAMP,
    finished_at    TIMESTAMP,
    error          VARCHAR,
    log_tail       VARCHAR
);

CREATE TABLE IF NOT EXISTS exports (
    id          VARCHAR PRIMARY KEY,
    created_at  TIMESTAMP NOT NULL,
    filters     JSON NOT NULL,
    level       VARCHAR NOT NULL,
    format      VARCHAR NOT NULL,
    path        VARCHAR,
    rows        BIGINT NOT NULL,
    sha256      VARCHAR NOT NULL
);
