"""Before-images of the rows a migration writes, so that data changes revert (PostgreSQL).

- ``writes``: which tables a statement names as targets (pglast), or that it may write anywhere;
- ``targets``: those tables widened by cascades, triggers and functions; the restore order;
- ``log``: a log table per watched table and the statement triggers (transition tables) that
  fill it, installed for the revision and dropped with it;
- ``revision``: one revision's capture, in segments between operations, each segment's reverse
  placed among the operations' reverses; the logs kept as archives;
- ``restore``: the reverse SQL of a segment (net change per row, conflicts, the order).

See docs/reverse.md, "Data changes: before-images of the rows".
"""
