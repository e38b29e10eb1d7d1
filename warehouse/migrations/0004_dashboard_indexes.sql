-- The dashboard opens one article's evidence by article id: without these, each lookup scans every
-- mention and stance row (hundreds of ms at three million rows); with them it is a point lookup.
-- Writers need no change: DuckDB keeps the indexes as rows are inserted or replaced.
CREATE INDEX IF NOT EXISTS mentions_article_id ON mentions (article_id);
CREATE INDEX IF NOT EXISTS article_stance_article_id ON article_stance (article_id);
CREATE INDEX IF NOT EXISTS mention_scores_mention_id ON mention_scores (mention_id);
