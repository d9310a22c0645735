"""key event dismissals: updates an editor said are not key events, though their facts
suggested one, so the editor page stops suggesting them

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def _fk(column: str, table: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{table}.id"],
        name=op.f(f"fk_key_event_dismissals_{column}_{table}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "key_event_dismissals",
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.Column("dismissed_by", sa.Integer(), nullable=True),
        sa.Column("dismissed_at", sa.DateTime(timezone=True), nullable=False),
        _fk("update_id", "updates", "CASCADE"),
        _fk("dismissed_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_key_event_dismissals")),
    )


def downgrade() -> None:
    op.drop_table("key_event_dismissals")
