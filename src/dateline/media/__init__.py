"""Image uploads: checked by decoding, re-encoded without metadata, stored by content hash."""
