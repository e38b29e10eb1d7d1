"""The analysis package's exceptions: what the CLI turns into one clear error line."""

from __future__ import annotations


class AnalysisError(Exception):
    """Base class for analysis errors a user can fix; the message names the file or field and what was expected."""


class GazetteerError(AnalysisError):
    """The countries data file is missing, malformed or names an unknown field."""


class ModelError(AnalysisError):
    """A stance model could not be found, loaded or run."""


class ScoringError(AnalysisError):
    """Scoring the warehouse or a text failed for a reason the user can act on."""
