"""`migsafe lint`: risk analysis of migrations before anything runs (see docs/lint.md).

Nothing here writes to a database: revisions are rendered offline and read, and the target's
catalog is only read.
"""
