"""The offline demo: a generated local news site, crawled and scored into a demo warehouse, then charted."""
