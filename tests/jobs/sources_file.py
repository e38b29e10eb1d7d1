"""A one-outlet sources file the jobs CLI tests share (its feed is never fetched)."""

SOURCES = """\
sources:
  - name: kz-a
    homepage: https://kz-a.example/
    country: KZ
    language: ru
    feeds: [https://kz-a.example/feed.xml]
"""
