"""Database access: engine, transactions and migrations."""

from dateline.db.engine import Database

__all__ = ["Database"]
