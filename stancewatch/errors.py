"""The shell's exceptions: what the CLI turns into one clear error line and a non-zero exit."""

from __future__ import annotations


class StancewatchError(Exception):
    """Base class for errors a user can fix; the message names the file, key or URL and what was expected."""


class SettingsError(StancewatchError):
    """A settings file or environment variable is invalid."""
