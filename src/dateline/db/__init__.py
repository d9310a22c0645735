"""Database access: engine, transactions and migrations."""

from dateline.db.engine import Database, inserted_id

__all__ = ["Database", "inserted_id"]
