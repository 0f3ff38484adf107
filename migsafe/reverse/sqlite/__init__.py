"""Generated reverse scripts on SQLite: the schema comparison, rebuilds and archives.

SQLite stores each table, index, view and trigger as the text that created it, and a
table's definition can only be changed by rebuilding it (Alembic's batch mode). So a
reverse here is: snapshot ``sqlite_master`` just before the operation (``schema``), archive
what it would destroy (``archive``), and, right after it ran (``Reverse.finish``), compare
and put back every difference from the saved text (``restore``), tables by a move-and-copy
that carries their rows over (``rebuild``). Handlers, one module per family as on the
PostgreSQL side (``columns``, ``alter_column``, ``tables``, ``indexes``, ``constraints``,
``data``, ``execute``), only check the operation and say what the comparison cannot see:
renames and archived values. ``generate`` is the registry.
"""
