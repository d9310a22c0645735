"""search: one row per findable document; FTS5 on SQLite, a tsvector + GIN on PostgreSQL

SQLite keeps stemmed, accent-folded words in the FTS5 table `search_fts` (rowid = the
search_docs id); a trigger drops a document's words when its row goes. PostgreSQL keeps them
in `search_docs.tsv`. The index is filled from the rows already there.

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from dateline.search.index import rebuild_sync

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None


def _ref(name: str, table: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.Integer, sa.ForeignKey(f"{table}.id", ondelete="CASCADE"))


def upgrade() -> None:
    op.create_table(
        "search_docs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(10), nullable=False),
        _ref("update_id", "updates"),
        _ref("draft_id", "drafts"),
        _ref("item_id", "items"),
        _ref("story_id", "stories"),
        _ref("blog_id", "blogs"),
        sa.Column("author_id", sa.Integer),
        sa.Column("category", sa.String(60), nullable=False),
        sa.Column("language", sa.String(20), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("title", sa.String(1000), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.UniqueConstraint("update_id", name="uq_search_docs_update_id"),
        sa.UniqueConstraint("draft_id", name="uq_search_docs_draft_id"),
        sa.UniqueConstraint("item_id", name="uq_search_docs_item_id"),
        sa.UniqueConstraint("story_id", name="uq_search_docs_story_id"),
    )
    op.create_index("ix_search_docs_blog_id", "search_docs", ["blog_id"])
    op.create_index("ix_search_docs_kind_published", "search_docs", ["kind", "published_at"])
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5("
            "title, body, tokenize = 'unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER search_docs_forget AFTER DELETE ON search_docs "
            "BEGIN DELETE FROM search_fts WHERE rowid = old.id; END"
        )
    else:
        op.execute("ALTER TABLE search_docs ADD COLUMN tsv tsvector NOT NULL DEFAULT ''")
        op.execute("CREATE INDEX ix_search_docs_tsv ON search_docs USING GIN (tsv)")
    rebuild_sync(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER search_docs_forget")
        op.execute("DROP TABLE search_fts")
    op.drop_table("search_docs")
