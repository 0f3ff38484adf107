"""Reverting: from what the user asked to a plan (``targets``, ``flow``), the stored reverses
run in one guarded transaction (``run``, ``stored``), the values rows written since need
(``fill``), what a ``downgrade()`` would delete (``downgrade_drops``) and the schema check
before the commit (``check``)."""
