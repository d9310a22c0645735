"""comments: readers' questions and comments, the rate limit's hashed senders, closed blogs

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-09
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
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
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("blog_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("answer_update_id", sa.Integer(), nullable=True),
        _fk("comments", "blog_id", "blogs", "CASCADE"),
        _fk("comments", "decided_by", "users", "SET NULL"),
        _fk("comments", "answer_update_id", "updates", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    op.create_index("ix_comments_blog_status", "comments", ["blog_id", "status", "created_at"])
    op.create_index("ix_comments_fingerprint", "comments", ["blog_id", "fingerprint"])
    op.create_table(
        "comment_senders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address_hash", sa.String(64), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_senders")),
    )
    op.create_index("ix_comment_senders_address", "comment_senders", ["address_hash", "sent_at"])
    op.create_index("ix_comment_senders_sent", "comment_senders", ["sent_at"])
    op.create_table(
        "comments_closed",
        sa.Column("blog_id", sa.Integer(), nullable=False),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["blog_id"],
            ["blogs.id"],
            name=op.f("fk_comments_closed_blog_id_blogs"),
            ondelete="CASCADE",
        ),
        _fk("comments_closed", "closed_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("blog_id", name=op.f("pk_comments_closed")),
    )


def downgrade() -> None:
    op.drop_table("comments_closed")
    op.drop_table("comment_senders")
    op.drop_table("comments")
