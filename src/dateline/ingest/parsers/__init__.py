"""Parsers: fetched bytes in, items out (`items.ParsedDocument`). No database, no driver,
no network: everything here is a pure function of a document, tested on documents alone.
`parse.parse_document` is the one entry point the worker calls."""
