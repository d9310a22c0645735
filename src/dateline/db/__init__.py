"""Database access: engine, transactions and migrations."""

from dateline.db.engine import (
    Database,
    appended,
    insert_new,
    insert_new_for,
    inserted_id,
    take_leases,
)

__all__ = ["Database", "appended", "insert_new", "insert_new_for", "inserted_id", "take_leases"]
