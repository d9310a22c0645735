"""Live delivery: brokers wake web nodes, the hub fans frames out over Server-Sent Events."""
