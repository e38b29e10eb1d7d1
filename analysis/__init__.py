"""Analysis: country mentions, sentences, the stance model's scores and their aggregation into article stance."""
