"""Which model's scores a command uses when none is named: the one rule for "the newest model"."""

from __future__ import annotations

from pathlib import Path

from warehouse.connection import Reader, reader


def newest_model(source: Reader | str | Path, *, scored: bool = False, timeout: float = 30.0) -> str | None:
    """The newest model's id (None before any model is registered); with ``scored``, the newest that has
    stance rows or alerts. ``source`` is an open reader or a warehouse path (opened read-only here)."""
    if isinstance(source, Reader):
        row = source.fetch_one("models_newest", {"scored": scored})
    else:
        with reader(source, timeout=timeout) as r:
            row = r.fetch_one("models_newest", {"scored": scored})
    return str(row[0]) if row else None
