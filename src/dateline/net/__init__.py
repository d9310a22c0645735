"""Outbound network access: every request Dateline makes to an address an editor typed."""
