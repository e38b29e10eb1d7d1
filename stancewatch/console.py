"""The CLI's rich consoles, with markup off: every message carries user text (names, cron strings, URLs,
model ids, error messages) and a bracket in it must print as itself, never be read as a style tag."""

from __future__ import annotations

from rich.console import Console


def console(*, stderr: bool = False) -> Console:
    """A rich console that prints strings as given (markup off); style with rich Text where style is wanted."""
    return Console(stderr=stderr, markup=False)
