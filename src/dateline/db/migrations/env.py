"""Alembic environment: runs on the connection that dateline.db.migrate hands over."""

from alembic import context

from dateline.db.tables import declared_here, metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_name=declared_here,  # the search index's own tables are the migration's business
)
with context.begin_transaction():
    context.run_migrations()
