"""stories: items of many sources about one event; sightings keep their own link

Every item is put in a story by `dateline stories update` (or the worker) after this
migration: existing items are placed at their next pass.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("item_sightings") as batch:
        batch.add_column(sa.Column("url", sa.String(2000), nullable=False, server_default=""))
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(1000), nullable=False),
        sa.Column("title_locked", sa.Boolean, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("language", sa.String(20), nullable=False),
        sa.Column("category_code", sa.String(60)),
        sa.Column("category_confidence", sa.Float),
        sa.Column("category_locked", sa.Boolean, nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("items_count", sa.Integer, nullable=False),
        sa.Column("sources_count", sa.Integer, nullable=False),
        sa.Column("live", sa.Boolean, nullable=False),
        sa.Column(
            "blog_id",
            sa.Integer,
            sa.ForeignKey("blogs.id", ondelete="SET NULL"),
            unique=True,
            nullable=True,
        ),
        sa.Column(
            "source_id",
            sa.Integer,
            sa.ForeignKey("sources.id", ondelete="SET NULL"),
            unique=True,
            nullable=True,
        ),
        sa.Column("deleted_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_stories_active", "stories", ["last_seen_at", "id"])
    op.create_table(
        "story_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "item_id",
            sa.Integer,
            sa.ForeignKey("items.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column(
            "story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("duplicate_of", sa.Integer, sa.ForeignKey("items.id", ondelete="SET NULL")),
        sa.Column("moved_by_editor", sa.Boolean, nullable=False),
        sa.Column("vector", sa.LargeBinary, nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_story_items_story_id", "story_items", ["story_id"])
    op.create_index("ix_story_items_duplicate_of", "story_items", ["duplicate_of"])


def downgrade() -> None:
    op.drop_table("story_items")
    op.drop_table("stories")
    with op.batch_alter_table("item_sightings") as batch:
        batch.drop_column("url")
