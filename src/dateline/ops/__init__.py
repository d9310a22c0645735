"""Operating a node: Prometheus metrics, health and readiness, request ids in JSON logs, and
backups of a SQLite installation (docs/operations.md)."""
