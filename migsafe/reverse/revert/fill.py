"""Values for the rows written after an upgrade dropped a column, when a revert brings it back.

The upgrade kept the dropped column's values by primary key; rows inserted since have no kept
value. When the column comes back NOT NULL and without a default, those rows need one, and
only the migration's author (or the operator) knows how to derive it. Two ways to say it:

* in the revision file, a module-level literal read statically (never imported for it)::

      migsafe_revert_fill = {"order_items.unit_price": "unit_price_cents / 100.0"}

  keys ``table.column`` (or ``schema.table.column``), values SQL expressions over the table's
  columns as they are right after the revision (before the revert undoes it);
* on the command line: ``migsafe revert --fill order_items.unit_price='unit_price_cents/100.0'``
  (it wins over the file).

The fill is written into the archive for the rows it has no value of, inside the revert's
transaction and just before that revision is undone; the reverse then restores every row
from the archive, as it would have. Without a fill, rows that would stay NULL in a column the
revert makes NOT NULL are found before anything runs, and the revert is refused with their
table, column, count and first keys.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from migsafe.errors import ConfigError, UsageError

FILL_NAME = "migsafe_revert_fill"
SAMPLE_KEYS = 5

Archive = Mapping[str, Any]


@dataclass(frozen=True)
class Fill:
    """How the rows written since get a value for one dropped column."""

    archive: Archive
    expression: str
    source: str  # "--fill", or where it was declared

    @property
    def name(self) -> str:
        return f"{self.archive['table']}.{self.archive['column']}"


@dataclass(frozen=True)
class Unfilled:
    """A dropped column that comes back NOT NULL with rows that would have no value."""

    revision: str
    archive: Archive
    rows: int
    keys: tuple[str, ...]  # the first few, as text

    @property
    def name(self) -> str:
        return f"{self.archive['table']}.{self.archive['column']}"


def declared(path: str | Path) -> dict[str, str]:
    """The ``migsafe_revert_fill`` literal of a revision file; {} when there is none."""
    try:
        source = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    if FILL_NAME not in source:
        return {}
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
        if not isinstance(target, ast.Name) or target.id != FILL_NAME:
            continue
        value = getattr(node, "value", None)
        try:
            found = ast.literal_eval(value) if value is not None else None
        except ValueError:
            found = None
        if not isinstance(found, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in found.items()
        ):
            raise ConfigError(
                f"{FILL_NAME} in {path} must be a literal dict of 'table.column': "
                "'SQL expression' strings",
                hint='e.g. migsafe_revert_fill = {"order_items.unit_price": '
                '"unit_price_cents / 100.0"}',
            )
        return dict(found)
    return {}


def parse_option(items: Sequence[str]) -> dict[str, str]:
    """``--fill TABLE.COLUMN=SQL-EXPRESSION``, repeatable."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, expression = item.partition("=")
        if not sep or "." not in name.strip() or not expression.strip():
            raise UsageError(
                f"--fill {item!r}: expected TABLE.COLUMN=SQL-EXPRESSION",
                hint="e.g. --fill order_items.unit_price='unit_price_cents / 100.0'",
            )
        out[name.strip()] = expression.strip()
    return out


def dropped_columns(archives: Sequence[Archive]) -> list[Archive]:
    """Archives of columns the upgrade dropped (a type change's archive is not one)."""
    return [
        a
        for a in archives
        if a.get("kind") == "column" and a.get("when") != "revert" and a.get("dropped", True)
    ]


def _names(a: Archive) -> tuple[str, ...]:
    short = f"{a['table']}.{a['column']}"
    return (f"{a['schema']}.{short}", short) if a.get("schema") else (short,)


def lookup(table: Mapping[str, str], a: Archive) -> str | None:
    return next((table[n] for n in _names(a) if n in table), None)


def attach_declared(
    archives: Sequence[dict[str, Any]], path: str | Path | None
) -> tuple[tuple[dict[str, Any], ...], tuple[str, ...]]:
    """At apply time: the file's declared fills written into the archives they name, so the
    stored reverse has them without the file; and a caveat for a name that matches none."""
    table = declared(path) if path is not None else {}
    if not table:
        return tuple(archives), ()
    out = []
    used: set[str] = set()
    for a in archives:
        expression = lookup(table, a) if a in dropped_columns([a]) else None
        if expression is not None:
            used.update(n for n in _names(a) if n in table)
            a = {**a, "fill": expression}
        out.append(a)
    unknown = sorted(set(table) - used)
    caveats = tuple(
        f"{FILL_NAME} names {name}, which this revision does not drop" for name in unknown
    )
    return tuple(out), caveats


def fills_for(
    archives: Sequence[Archive],
    option: Mapping[str, str],
    in_file: Mapping[str, str],
    revision: str,
) -> list[Fill]:
    """The fill of each dropped column: --fill, else the file now, else what was stored."""
    out = []
    for a in dropped_columns(archives):
        if (expression := lookup(option, a)) is not None:
            out.append(Fill(a, expression, "--fill"))
        elif (expression := lookup(in_file, a)) is not None:
            out.append(Fill(a, expression, f"declared in {revision}"))
        elif a.get("fill"):
            out.append(Fill(a, str(a["fill"]), f"declared in {revision}"))
    return out


def unknown_options(option: Mapping[str, str], archives: Sequence[Archive]) -> list[str]:
    """--fill names that match no dropped column the revert brings back (a typo)."""
    known = {n for a in dropped_columns(archives) for n in _names(a)}
    return sorted(set(option) - known)


def needs_value(a: Archive) -> bool:
    """The column comes back NOT NULL with no default for the rows written since."""
    return bool(a.get("not_null")) and not a.get("has_default")


# -- SQL ----------------------------------------------------------------------------------------


def _tables(conn: sa.Connection, a: Archive) -> tuple[sa.TableClause, sa.TableClause, list[str]]:
    keys = [str(k) for k in a.get("keys") or ()]
    live = sa.table(str(a["table"]), *(sa.column(k) for k in keys), schema=a.get("schema"))
    kept = sa.table(
        str(a["archive_table"]),
        *(sa.column(k) for k in (*keys, str(a["column"]))),
        schema=a.get("archive_schema"),
    )
    return live, kept, keys


def _not_kept(
    conn: sa.Connection, live: sa.TableClause, kept: sa.TableClause, keys: list[str]
) -> Any:
    """Rows of *live* whose key the archive has not: written after the upgrade."""
    other = kept.alias("kept")
    if conn.dialect.name == "postgresql":
        # Keys of a user type were kept as text: compare as text, whatever they are.
        match = [sa.cast(other.c[k], sa.Text) == sa.cast(live.c[k], sa.Text) for k in keys]
    else:
        match = [other.c[k] == live.c[k] for k in keys]
    return ~sa.exists().where(*match)


def _exists(conn: sa.Connection, a: Archive) -> bool:
    inspector = sa.inspect(conn)
    return inspector.has_table(str(a["table"]), schema=a.get("schema")) and inspector.has_table(
        str(a["archive_table"]), schema=a.get("archive_schema")
    )


def unfilled(conn: sa.Connection, revision: str, a: Archive) -> Unfilled | None:
    """How many rows of *a*'s table would come back without a value, if any (read-only)."""
    if not a.get("keys") or not _exists(conn, a):
        return None  # renamed or gone since: the revert itself will tell
    live, kept, keys = _tables(conn, a)
    new = _not_kept(conn, live, kept, keys)
    count = conn.execute(sa.select(sa.func.count()).select_from(live).where(new)).scalar()
    if not count:
        return None
    sample = conn.execute(
        sa.select(*(live.c[k] for k in keys))
        .where(new)
        .order_by(*(live.c[k] for k in keys))
        .limit(SAMPLE_KEYS)
    ).all()
    shown = tuple(
        str(r[0]) if len(r) == 1 else "(" + ", ".join(str(v) for v in r) + ")" for r in sample
    )
    return Unfilled(revision, a, int(count), shown)


def prefill(conn: sa.Connection, fill: Fill) -> None:
    """Write *fill*'s values into the archive for the rows it has none of (inside the
    revert's transaction, just before the revision is undone)."""
    a = fill.archive
    live, kept, keys = _tables(conn, a)
    value: sa.ColumnElement[Any] = sa.literal_column(f"({fill.expression})")
    rows = sa.select(*(live.c[k] for k in keys), value).where(_not_kept(conn, live, kept, keys))
    conn.execute(sa.insert(kept).from_select([*keys, str(a["column"])], rows))


def refusal(found: Sequence[Unfilled]) -> str:
    """The one line that names what has no value."""
    parts = [
        f"{u.name} ({u.revision}): {u.rows} row(s) written since it was dropped would have no "
        f"value (key {', '.join(u.keys)}{', ...' if u.rows > len(u.keys) else ''})"
        for u in found
    ]
    return (
        "revert would bring back NOT NULL column(s) without a default, empty in rows written "
        f"after the upgrade: {'; '.join(parts)}; nothing was run"
    )


def refusal_hint(found: Sequence[Unfilled]) -> str:
    first = found[0]
    return (
        f'say how to fill it: `{FILL_NAME} = {{"{first.name}": "SQL expression"}}` in '
        f"{first.revision}'s file, or `--fill {first.name}=SQL-EXPRESSION`; or go back with "
        "--use-downgrade (its downgrade() decides) or --from-snapshot (loses writes since)"
    )


FileLookup = Callable[[str], Mapping[str, str]]
