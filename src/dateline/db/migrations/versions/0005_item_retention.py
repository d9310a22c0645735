"""item retention: an index to find items past DATELINE_ITEM_RETENTION_DAYS

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_items_listed", "items", ["listed_at"])


def downgrade() -> None:
    op.drop_index("ix_items_listed", table_name="items")
