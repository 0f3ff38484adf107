"""The table of contents of a ``pg_dump -Fc`` archive, as ``pg_restore --list`` prints it."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from migsafe.errors import SnapshotCorrupt, SnapshotError
from migsafe.snapshots.model import KeptTrigger
from migsafe.snapshots.pgtools import PgTool, require_tools
from migsafe.snapshots.tool_output import first_lines
from migsafe.snapshots.tool_process import run, tool_environ

__all__ = ["TocEntry", "is_one_of", "list_dump", "parse_line", "read_toc", "tables_in", "use_list"]


@dataclass(frozen=True)
class TocEntry:
    """One line of ``pg_restore --list``; *name* is pg_dump's tag (``"t t_pkey"``...)."""

    dump_id: int
    type: str  # "TABLE", "TABLE DATA", "FK CONSTRAINT", "SEQUENCE SET"...
    schema: str | None
    name: str
    owner: str | None
    line: str = field(default="", compare=False, repr=False)  # as pg_restore printed it


def list_dump(dump_file: Path, *, bin_dir: Path | None = None) -> list[TocEntry]:
    """The table of contents of a custom-format archive (``pg_restore --list``)."""
    return read_toc(require_tools(0, ("pg_restore",), bin_dir=bin_dir)["pg_restore"], dump_file)


def read_toc(pg_restore: PgTool, dump_file: Path) -> list[TocEntry]:
    """:func:`list_dump` with a given *pg_restore*; SnapshotCorrupt if it cannot read the file."""
    if not dump_file.is_file():
        raise SnapshotError(f"snapshot file {dump_file} does not exist")
    res = run([str(pg_restore.path), "--list", str(dump_file)], env=tool_environ(connects=False))
    if res.returncode != 0:
        raise SnapshotCorrupt(
            f"{pg_restore.version} cannot read {dump_file}: {first_lines(res.stderr)}",
            hint="the file is damaged, or was written by a newer pg_dump than this pg_restore",
        )
    lines = res.stdout.decode("utf-8", errors="replace").splitlines()
    return [e for e in map(parse_line, lines) if e is not None]


def tables_in(toc: Sequence[TocEntry]) -> tuple[str, ...]:
    """The ``"schema.table"`` of every table the archive creates."""
    return tuple(f"{e.schema}.{e.name}" for e in toc if e.type == "TABLE")


def is_one_of(entry: TocEntry | None, triggers: Collection[KeptTrigger]) -> bool:
    """Whether *entry* creates one of *triggers*."""
    return (
        entry is not None
        and entry.type == "TRIGGER"
        and any(entry.schema == t.schema and entry.name == t.tag for t in triggers)
    )


def use_list(toc: Sequence[TocEntry], leave_out: Collection[KeptTrigger]) -> str:
    """A ``pg_restore --use-list`` file: every entry of *toc* but the *leave_out* triggers.

    pg_restore restores the entries of such a list in its order: the archive's own.
    """
    return "".join(e.line + "\n" for e in toc if not is_one_of(e, leave_out))


# --- parsing --------------------------------------------------------------------------------

# Longest first, so "TABLE DATA" wins over "TABLE".
_TOC_TYPES = sorted(
    """ACCESS METHOD|ACL|AGGREGATE|BLOB|BLOB DATA|BLOBS|CAST|CHECK CONSTRAINT|COLLATION|COMMENT|
    CONSTRAINT|CONVERSION|DATABASE|DATABASE PROPERTIES|DEFAULT|DEFAULT ACL|DOMAIN|ENCODING|
    EVENT TRIGGER|EXTENSION|FK CONSTRAINT|FOREIGN DATA WRAPPER|FOREIGN SERVER|FOREIGN TABLE|
    FUNCTION|INDEX|INDEX ATTACH|LARGE OBJECT|LARGE OBJECTS|MATERIALIZED VIEW|
    MATERIALIZED VIEW DATA|OPERATOR|OPERATOR CLASS|OPERATOR FAMILY|POLICY|PROCEDURAL LANGUAGE|
    PROCEDURE|PUBLICATION|PUBLICATION TABLE|PUBLICATION TABLES IN SCHEMA|ROW SECURITY|RULE|
    SCHEMA|SEARCHPATH|SECURITY LABEL|SEQUENCE|SEQUENCE OWNED BY|SEQUENCE SET|SERVER|SHELL TYPE|
    STATISTICS|STATISTICS DATA|STDSTRINGS|SUBSCRIPTION|SUBSCRIPTION TABLE|TABLE|TABLE ATTACH|
    TABLE DATA|TEXT SEARCH CONFIGURATION|TEXT SEARCH DICTIONARY|TEXT SEARCH PARSER|
    TEXT SEARCH TEMPLATE|TRANSFORM|TRIGGER|TYPE|USER MAPPING|VIEW""".replace("\n", "").split("|"),
    key=len,
    reverse=True,
)
_TOC_LINE = re.compile(r"^(\d+); \d+ \d+ (.*)$")


def parse_line(line: str) -> TocEntry | None:
    """Parse ``"217; 1259 16498 TABLE public accounts postgres"``; None for comments.

    Fields are separated by single spaces and not quoted, so a schema or owner name with a
    space in it cannot be told apart; the tag (*name*) may contain spaces.
    """
    m = _TOC_LINE.match(line)
    if m is None:
        return None
    rest = m.group(2)
    kind = next((t.strip() for t in _TOC_TYPES if rest.startswith(t.strip() + " ")), None)
    if kind is None:
        kind = rest.split(" ", 1)[0]
    fields = rest[len(kind) + 1 :].split(" ")
    schema = fields[0] if fields[0] not in ("", "-") else None
    name = " ".join(fields[1:-1]) if len(fields) > 2 else (fields[1] if len(fields) > 1 else "")
    owner = fields[-1] if len(fields) > 2 and fields[-1] else None
    return TocEntry(int(m.group(1)), kind, schema, name, owner, line)
