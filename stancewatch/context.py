"""The state every command shares: settings resolved once from the global options."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import typer

from stancewatch.settings import Settings, load_settings


@dataclass
class AppState:
    """Global options, resolved lazily into settings so `--help` never reads files."""

    config: Path | None = None
    db: str | Path | None = None  # a DuckDB file or a DuckLake URL (warehouse.location)
    sources: Path | None = None
    _settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        """The settings for this invocation."""
        if self._settings is None:
            self._settings = load_settings(self.config, db=self.db, sources=self.sources)
        return self._settings

    def child_args(self) -> list[str]:
        """The global options a child stancewatch process needs to see the same warehouse and settings."""
        settings = self.settings
        # a file made absolute; a lake URL passed through as given (only a local data folder made absolute)
        args = ["--db", settings.db.resolved().url]
        if settings.sources:
            args += ["--sources", str(Path(settings.sources).resolve())]
        if self.config is not None:
            args += ["--config", str(self.config.resolve())]
        return args

    def use_db(self, db: str | Path) -> None:
        """Point this invocation at another warehouse (a command's own --db option)."""
        self.db, self._settings = db, None


def state(ctx: typer.Context) -> AppState:
    """Return the AppState the root callback stored on the context."""
    obj = ctx.find_root().obj
    if not isinstance(obj, AppState):
        obj = AppState()
        ctx.find_root().obj = obj
    return obj
