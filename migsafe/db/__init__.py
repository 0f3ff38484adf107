"""Talking to a database, below every layer: URLs and connections, driver errors, schema
fingerprints. The engine, reverse scripts and snapshots build on these; they import nothing
of migsafe's but errors, redaction and settings."""
