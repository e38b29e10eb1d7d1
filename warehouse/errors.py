"""The warehouse's exceptions: every DuckDB error leaves this package as one of these."""

from __future__ import annotations


class WarehouseError(Exception):
    """Base class for warehouse errors; the message names the file and what went wrong."""


class WarehouseBusy(WarehouseError):
    """Another process held the warehouse file for longer than we were willing to wait."""


class WarehouseMissing(WarehouseError):
    """A reader asked for a warehouse file that does not exist yet."""


class MigrationError(WarehouseError):
    """A migration failed or the file's schema is newer or older than this code expects."""


class QueryNotFound(WarehouseError):
    """A named query was asked for that no .sql file defines."""
