"""Database access: engine, transactions and migrations."""

from dateline.db.engine import Database, appended, inserted_id

__all__ = ["Database", "appended", "inserted_id"]
