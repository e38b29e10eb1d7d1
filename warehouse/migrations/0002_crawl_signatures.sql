-- MinHash signatures of stored articles, so near-duplicate detection (story ids) works across runs
-- without re-reading and re-hashing every article's text at the start of each crawl.
CREATE TABLE IF NOT EXISTS article_signatures (
    article_id    VARCHAR PRIMARY KEY,
    story_id      VARCHAR NOT NULL,
    content_hash  VARCHAR NOT NULL,
    minhash       BLOB NOT NULL,          -- 128 little-endian uint32 MinHash values
    fetched_at    TIMESTAMP NOT NULL
);
