"""The crawler's exceptions."""

from __future__ import annotations


class CrawlerError(Exception):
    """Base class for crawler errors a user can act on."""


class SourcesError(CrawlerError):
    """The sources file is invalid; the message names the file, the outlet, the key and the problem."""
