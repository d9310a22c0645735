"""Readers' questions and comments on a live blog: sent without an account, read by the
blog's team before anyone else sees them, approved, rejected or answered in an update."""
