"""fact revision: a count of each fact's reviews, so cached facts pages know every change

Reviews were noticed by their time and figures; two reviews in the same instant (or on two
nodes whose clocks differ) that change neither went unseen and a stale page was served.
A plain column with a default: old nodes that do not write it keep working.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("facts", sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    op.drop_column("facts", "revision")
