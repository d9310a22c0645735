"""facts: what the extractor read from published updates and stored items, with review

Existing updates and items are read at the facts worker's next passes (or by
`dateline facts update`).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, referred: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{referred}.id"],
        name=op.f(f"fk_{table}_{column}_{referred}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "fact_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("source_version", sa.String(64), nullable=False),
        sa.Column("extractor_version", sa.String(20), nullable=False),
        sa.Column("extracted_at", sa.DateTime(timezone=True), nullable=False),
        _fk("fact_sources", "update_id", "updates", "CASCADE"),
        _fk("fact_sources", "item_id", "items", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_sources")),
        sa.UniqueConstraint("update_id", name=op.f("uq_fact_sources_update_id")),
        sa.UniqueConstraint("item_id", name=op.f("uq_fact_sources_item_id")),
    )
    op.create_table(
        "facts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("source_kind", sa.String(6), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("blog_id", sa.Integer(), nullable=True),
        sa.Column("fact", sa.JSON(), nullable=False),
        sa.Column("fingerprint", sa.String(40), nullable=False),
        sa.Column("place_name", sa.String(200), nullable=True),
        sa.Column("geonames_id", sa.Integer(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("killed", sa.Integer(), nullable=True),
        sa.Column("injured", sa.Integer(), nullable=True),
        sa.Column("fact_date", sa.Date(), nullable=True),
        sa.Column("evidence_start", sa.Integer(), nullable=False),
        sa.Column("evidence_end", sa.Integer(), nullable=False),
        sa.Column("evidence_text", sa.Text(), nullable=False),
        sa.Column("review", sa.String(10), nullable=False),
        sa.Column("reviewed_by", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("extracted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("extractor_version", sa.String(20), nullable=False),
        _fk("facts", "update_id", "updates", "CASCADE"),
        _fk("facts", "item_id", "items", "CASCADE"),
        _fk("facts", "blog_id", "blogs", "CASCADE"),
        _fk("facts", "reviewed_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facts")),
    )
    op.create_index("ix_facts_blog", "facts", ["blog_id", "fact_date"])
    op.create_index("ix_facts_item", "facts", ["item_id"])
    op.create_index("ix_facts_update", "facts", ["update_id"])


def downgrade() -> None:
    op.drop_table("facts")
    op.drop_table("fact_sources")
