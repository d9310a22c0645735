"""categories are single lines: collapse the whitespace of categories saved before

A category with a line break was saved before categories were cleaned on save; its feed
address cannot be routed (404). Rows are rewritten the way `dateline.text.line` cleans a
category now, for whitespace (the only part that breaks routing).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

blogs = sa.table("blogs", sa.column("id", sa.Integer), sa.column("category", sa.String))


def upgrade() -> None:
    conn = op.get_bind()
    for blog_id, category in conn.execute(sa.select(blogs.c.id, blogs.c.category)).all():
        cleaned = " ".join(category.split())
        if cleaned != category:
            conn.execute(blogs.update().where(blogs.c.id == blog_id).values(category=cleaned))


def downgrade() -> None:
    pass  # the line breaks were never meant to be there
