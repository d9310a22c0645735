"""item uses: which inbox item an editor turned into an update or a draft, who and when

So the inbox can say "Used 12:04 by Ana" with a link, and nobody writes the same item up
twice. Items used before this migration carry no mark.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _fk(column: str, table: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{table}.id"],
        name=op.f(f"fk_item_uses_{column}_{table}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "item_uses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("blog_id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=True),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("used_by", sa.Integer(), nullable=True),
        sa.Column("used_by_name", sa.String(120), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        _fk("item_id", "items", "CASCADE"),
        _fk("blog_id", "blogs", "CASCADE"),
        _fk("update_id", "updates", "SET NULL"),
        _fk("draft_id", "drafts", "SET NULL"),
        _fk("used_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_uses")),
    )
    op.create_index("ix_item_uses_blog_item", "item_uses", ["blog_id", "item_id"])


def downgrade() -> None:
    op.drop_table("item_uses")
