"""The DuckDB warehouse: migrations, named queries, a locking writer and a retrying reader."""

from warehouse.connection import Reader, Writer, reader, writer
from warehouse.errors import MigrationError, QueryNotFound, WarehouseBusy, WarehouseError, WarehouseMissing

__all__ = [
    "MigrationError",
    "QueryNotFound",
    "Reader",
    "WarehouseBusy",
    "WarehouseError",
    "WarehouseMissing",
    "Writer",
    "reader",
    "writer",
]
