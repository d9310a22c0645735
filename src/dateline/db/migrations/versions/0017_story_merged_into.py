"""story merged_into: where a story merged into another went, so its address redirects there

A plain column, added in place: a foreign key would need SQLite's batch mode, whose copy of
`stories` drops the old table, and with foreign keys on that deletes every story's items
through their ON DELETE CASCADE. Stories merged before this migration keep answering 404:
where they went was not recorded.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("stories", sa.Column("merged_into", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_stories_merged_into"), "stories", ["merged_into"])


def downgrade() -> None:
    op.drop_index(op.f("ix_stories_merged_into"), table_name="stories")
    op.drop_column("stories", "merged_into")
