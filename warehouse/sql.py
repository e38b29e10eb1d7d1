"""Named SQL queries and numbered migrations, read from the package's .sql files."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from warehouse.errors import MigrationError, QueryNotFound

_NAME = re.compile(r"^--\s*name:\s*([a-z0-9_]+)\s*$", re.MULTILINE)
_MIGRATION_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    """One numbered migration file."""

    version: int
    name: str
    sql: str


@cache
def _all_queries() -> dict[str, str]:
    queries: dict[str, str] = {}
    folder = resources.files("warehouse") / "queries"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".sql"):
            continue
        text = entry.read_text(encoding="utf-8")
        parts = _NAME.split(text)
        # parts = [preamble, name1, body1, name2, body2, ...]
        for name, body in zip(parts[1::2], parts[2::2], strict=True):
            if name in queries:
                raise QueryNotFound(f"query {name!r} is defined twice (second time in queries/{entry.name})")
            queries[name] = body.strip().rstrip(";")
    return queries


def query(name: str) -> str:
    """Return the SQL text of the named query (``-- name: NAME`` blocks in warehouse/queries/*.sql)."""
    try:
        return _all_queries()[name]
    except KeyError:
        raise QueryNotFound(f"no query named {name!r} in warehouse/queries/*.sql") from None


def query_names() -> list[str]:
    """Return the names of every defined query, sorted."""
    return sorted(_all_queries())


@cache
def migrations() -> tuple[Migration, ...]:
    """Return every migration in version order; each version number may appear once."""
    found: list[Migration] = []
    folder = resources.files("warehouse") / "migrations"
    for entry in folder.iterdir():
        match = _MIGRATION_FILE.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    for earlier, later in itertools.pairwise(found):
        if earlier.version == later.version:
            raise MigrationError(f"two migrations share version {later.version:04d}: "
                                 f"{earlier.name}.sql and {later.name}.sql")
    return tuple(found)
