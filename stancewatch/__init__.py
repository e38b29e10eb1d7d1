"""stancewatch: how each country's press writes about each other country."""

__version__ = "0.1.0"
