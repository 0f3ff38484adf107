"""What the source of an ``upgrade()`` says about its reverse, before anything runs.

The reverse itself is generated at apply time from the live schema; this only finds what is
irreversible whatever the schema is (SQL that changes data, given as a literal), and what can
only be judged at apply time (SQL built at run time, statements on the connection directly,
``bulk_insert``). The plan shows both, and the upgrade refuses a step the first kind makes
irreversible unless something covers it (``--backup``, ``--allow-irreversible``, a downgrade()).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from migsafe.engine.analysis import _call_name, _local_callees
from migsafe.reverse import classify_sql
from migsafe.reverse.confined import confined
from migsafe.reverse.rows.writes import writes_of
from migsafe.reverse.sqlite.raw_sql import writes_rows

# Words without which none of the calls below can appear: most files are never parsed.
_PREFILTER = re.compile(r"execute|bulk_insert|get_bind|connection|Session", re.IGNORECASE)


@dataclass(frozen=True)
class ReverseFacts:
    """Static facts about one upgrade(): known irreversible reasons, and whether it does
    something that is only judged when it runs."""

    irreversible: tuple[str, ...] = ()
    raw_sql: bool = False
    # Where literal SQL writes rows whose before-images are captured as it runs ("line N").
    writes_rows: tuple[str, ...] = ()


def reverse_facts(
    path: str | Path, *, captures_rows: bool = False, sqlite: bool = False
) -> ReverseFacts:
    """Facts for the ``upgrade()`` of the revision file at *path*; never raises.
    *captures_rows*: the database keeps before-images of the rows a statement writes
    (reverse/rows; on *sqlite*, reverse/sqlite/rows), so SQL that writes rows is not
    irreversible."""
    try:
        source = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ReverseFacts(raw_sql=True)
    if not _PREFILTER.search(source):
        return ReverseFacts()
    return reverse_facts_of_source(source, captures_rows=captures_rows, sqlite=sqlite)


def reverse_facts_of_source(
    source: str, *, captures_rows: bool = False, sqlite: bool = False
) -> ReverseFacts:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ReverseFacts(raw_sql=True)
    functions = {
        node.name: node
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    upgrade = functions.get("upgrade")
    if upgrade is None:
        return ReverseFacts()
    reasons: list[str] = []
    writes: list[str] = []
    raw = False
    bodies = (upgrade, *_local_callees(upgrade, functions, {"upgrade"}))
    created, added = _created(bodies)
    for body in bodies:
        for node in ast.walk(body):
            if not isinstance(node, ast.Call):
                continue
            name = _call_name(node)
            if name in ("get_bind", "bulk_insert") or (name == "execute" and not _on_op(node)):
                raw = True
            if name != "execute" or not node.args:
                continue
            verdict = _verdict(node.args[0], created, added, captures_rows, sqlite)
            if verdict == "" and captures_rows and _writes(node.args[0], created, added, sqlite):
                writes.append(f"line {node.lineno}")
            if verdict is None:
                raw = True  # built at run time: judged when it runs
            elif verdict:
                reasons.append(f"line {node.lineno}: {verdict}")
    return ReverseFacts(
        irreversible=tuple(dict.fromkeys(reasons)), raw_sql=raw, writes_rows=tuple(writes)
    )


def _on_op(call: ast.Call) -> bool:
    """``op.execute(...)`` / ``batch_op.execute(...)``: through Alembic, so captured."""
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id in ("op", "batch_op")
    )


def _created(bodies: tuple[ast.AST, ...]) -> tuple[set[str], dict[str, set[str]]]:
    """Tables (``op.create_table("t", ...)``) and columns (``op.add_column("t",
    sa.Column("c", ...))``) the upgrade creates, where the source names them literally."""
    tables: set[str] = set()
    columns: dict[str, set[str]] = {}
    batches: dict[str, str] = {}  # `with op.batch_alter_table("t") as b`: b -> t
    for body in bodies:
        for node in ast.walk(body):
            if isinstance(node, ast.With):
                for item in node.items:
                    call, var = item.context_expr, item.optional_vars
                    if (
                        isinstance(call, ast.Call)
                        and _call_name(call) == "batch_alter_table"
                        and call.args
                        and _const(call.args[0])
                        and isinstance(var, ast.Name)
                    ):
                        batches[var.id] = str(_const(call.args[0]))
    for body in bodies:
        for node in ast.walk(body):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = _call_name(node)
            receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
            batch = batches.get(receiver.id) if isinstance(receiver, ast.Name) else None
            args = [ast.Constant(batch), *node.args] if batch is not None else node.args
            table = _const(args[0])
            if table is None:
                continue
            if name == "create_table":
                tables.add(table.lower())
            elif name == "add_column" and len(args) > 1:
                col = args[1]
                if isinstance(col, ast.Call) and col.args and _const(col.args[0]):
                    columns.setdefault(table.lower(), set()).add(str(_const(col.args[0])).lower())
    return tables, columns


def _const(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _verdict(
    arg: ast.expr,
    created: set[str],
    added: dict[str, set[str]],
    captures_rows: bool,
    sqlite: bool = False,
) -> str | None:
    """'' when the SQL is known and not irreversible; the reason when it is; None: unknown."""
    text = _literal_sql(arg)
    if text is not None:
        if confined(text, created, added):
            return ""  # a backfill of what this revision creates: undone with it
        if captures_rows and (writes_rows(text) if sqlite else writes_of(text).any):
            return ""  # its rows' before-images are captured as it runs
        verdict = classify_sql(text)
        if verdict is not None and "does not parse" in verdict:
            return None  # templated SQL: judged when it runs
        return verdict or ""
    # A DML construct (``table.update()...``) may be a backfill of what the revision creates:
    # only running it tells (see migsafe.reverse.capture), so it is judged then.
    return None


def _writes(arg: ast.expr, created: set[str], added: dict[str, set[str]], sqlite: bool) -> bool:
    """Literal SQL that writes rows of tables the revision did not create."""
    text = _literal_sql(arg)
    if text is None or confined(text, created, added):
        return False
    return writes_rows(text) if sqlite else writes_of(text).any


def _literal_sql(arg: ast.expr) -> str | None:
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if (
        isinstance(arg, ast.Call)
        and _call_name(arg) in ("text", "DDL")
        and arg.args
        and isinstance(arg.args[0], ast.Constant)
        and isinstance(arg.args[0].value, str)
    ):
        return arg.args[0].value
    return None
