"""Search over all coverage: one query interface over SQLite FTS5 and PostgreSQL full text.

`index` keeps the index in the writer's own transaction, `query` reads what people type,
`engine` asks the database, `service` decides who may find what (docs/search.md).
"""
