"""Live blogs: blogs, updates, key events, pins, recap; reader, editor and API routes."""
