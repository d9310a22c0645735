"""Dateline: self-hosted live news coverage."""

__version__ = "0.1.0"
