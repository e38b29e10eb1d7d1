"""Scrapy spiders and the pure parsing that turns fetched pages into article records."""
