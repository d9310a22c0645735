"""a source's last error is kept as a code and params too, to be said in the reader's language

Errors stored before have no code: their English words (last_error) are shown as they are.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(
            sa.Column("last_error_code", sa.String(40), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("last_error_params", sa.JSON(), nullable=False, server_default="{}")
        )


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("last_error_params")
        batch.drop_column("last_error_code")
