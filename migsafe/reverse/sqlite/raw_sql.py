"""Reverse of ``op.execute`` on SQLite: raw SQL, classified by its leading keywords.

There is no SQLite parser here (pglast parses PostgreSQL), so the classifier is deliberately
conservative: it recognizes the DDL whose effect the schema comparison undoes exactly (CREATE
TABLE/INDEX/VIEW/TRIGGER, DROP INDEX/VIEW/TRIGGER, ALTER TABLE ADD/RENAME), hands DROP TABLE
and ALTER TABLE DROP COLUMN to the operations that archive first, and calls everything else
irreversible: DML, SELECT (it may call functions), PRAGMA, VACUUM, ATTACH, virtual tables,
anything not recognized. Several statements are replaced by one ``execute`` each.
"""

from __future__ import annotations

import re
import sqlite3

import sqlalchemy as sa
from alembic.operations.ops import DropColumnOp, DropTableOp, ExecuteSQLOp

from migsafe.reverse._sql import verbatim
from migsafe.reverse.model import Reverse
from migsafe.reverse.raw_sql import sql_text
from migsafe.reverse.sqlite._sql import DIALECT, fold
from migsafe.reverse.sqlite.finish import after_operation
from migsafe.reverse.sqlite.restore import Hints
from migsafe.reverse.sqlite.schema import read_schema

_TOKEN = re.compile(
    r"""(?P<skip>\s+|--[^\n]*|/\*.*?(?:\*/|\Z))
      | (?P<quoted>"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\])
      | (?P<string>'(?:[^']|'')*')
      | (?P<word>[A-Za-z_\u0080-\U0010ffff][A-Za-z0-9_$\u0080-\U0010ffff]*)
      | (?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)

_CHANGES_DATA = ("INSERT", "UPDATE", "DELETE", "REPLACE", "WITH")
_SCHEMA_ONLY = ("TABLE", "INDEX", "VIEW", "TRIGGER")


class _Tokens:
    """The statement's tokens: keywords upper-cased, names unquoted."""

    def __init__(self, text: str) -> None:
        self.items: list[tuple[str, str]] = []
        for m in _TOKEN.finditer(text):
            kind = m.lastgroup or "other"
            value = m.group()
            if kind == "skip":
                continue
            if kind == "quoted":
                inner = value[1:-1]
                value = inner if value[0] == "[" else inner.replace(value[0] * 2, value[0])
            self.items.append((kind, value))
        self.pos = 0

    def peek(self, *words: str) -> bool:
        """True when the next tokens are these keywords (consumed)."""
        ahead = self.items[self.pos : self.pos + len(words)]
        if len(ahead) == len(words) and all(
            k == "word" and v.upper() == w for (k, v), w in zip(ahead, words, strict=True)
        ):
            self.pos += len(words)
            return True
        return False

    def name(self) -> tuple[str | None, str] | None:
        """A possibly schema-qualified name: (schema, name)."""
        first = self._one_name()
        if first is None:
            return None
        if self.pos < len(self.items) and self.items[self.pos] == ("other", "."):
            self.pos += 1
            second = self._one_name()
            return None if second is None else (first, second)
        return (None, first)

    def _one_name(self) -> str | None:
        if self.pos >= len(self.items):
            return None
        kind, value = self.items[self.pos]
        if kind not in ("word", "quoted", "string"):
            return None
        self.pos += 1
        return value[1:-1].replace("''", "'") if kind == "string" else value


def split_statements(text: str) -> list[str]:
    """*text* cut into statements where SQLite itself would see each one end."""
    out: list[str] = []
    start = 0
    for i, char in enumerate(text):
        if char == ";" and sqlite3.complete_statement(text[start : i + 1]):
            out.append(text[start : i + 1])
            start = i + 1
    out.append(text[start:])
    return [s.strip() for s in out if _Tokens(s).items and _Tokens(s).items != [("other", ";")]]


def reverse_execute(op: ExecuteSQLOp, conn: sa.Connection) -> Reverse:
    text = sql_text(op.sqltext, DIALECT)
    if isinstance(text, Reverse):
        return text
    statements = split_statements(text)
    if not statements:
        return Reverse.nothing()
    if len(statements) > 1:
        options = op.execution_options
        return Reverse(
            replace_with=tuple(
                ExecuteSQLOp(verbatim(s).sqltext, execution_options=options) for s in statements
            )
        )
    return reverse_statement(statements[0], conn)


def classify_sql(text: str) -> str | None:
    """Static verdict on SQL text: why the first irreversible statement is, or None."""
    for stmt in split_statements(text):
        verdict = _static_verdict(_Tokens(stmt))
        if verdict is not None:
            return verdict
    return None


def writes_rows(text: str) -> bool:
    """The SQL writes rows whose images row triggers see (``reverse/sqlite/rows``): each
    statement an ``INSERT``, ``UPDATE`` or ``DELETE`` (or a ``WITH`` ending in one). Not a
    ``REPLACE``: the rows it deletes to make room fire no delete trigger."""
    statements = split_statements(text)
    if not statements:
        return False
    for stmt in statements:
        items = _Tokens(stmt).items
        words = [v.upper() if k == "word" else v for k, v in items]
        if not words or words[0] not in ("INSERT", "UPDATE", "DELETE", "WITH"):
            return False
        if words[0] == "WITH" and not {"INSERT", "UPDATE", "DELETE"} & set(words):
            return False
        for i, word in enumerate(words[1:], 1):
            after = words[i + 1] if i + 1 < len(words) else ""
            if word == "REPLACE" and words[i - 1] == "OR" and after != "(":
                return False
    return True


def replaces_on_conflict(create_table: str) -> bool:
    """The ``CREATE TABLE`` declares a constraint that resolves conflicts by ``REPLACE``."""
    words = [v.upper() if k == "word" else v for k, v in _Tokens(create_table).items]
    return any(words[i : i + 3] == ["ON", "CONFLICT", "REPLACE"] for i in range(len(words)))


def names_in(text: str) -> set[str]:
    """Every word or quoted name of *text*, folded: what it may name."""
    return {fold(v) for k, v in _Tokens(text).items if k in ("word", "quoted")}


def _static_verdict(t: _Tokens) -> str | None:
    if not t.items:
        return None
    kind, first = t.items[0]
    word = first.upper() if kind == "word" else first
    if word in _CHANGES_DATA:
        return f"{word} changes data, which a reverse script cannot restore"
    if word in ("SELECT", "VALUES"):
        return "a SELECT may call functions that change data"
    if word not in ("CREATE", "DROP", "ALTER"):
        return f"{word} statements are not recognized"
    return None


def reverse_statement(text: str, conn: sa.Connection) -> Reverse:
    """The reverse of one statement, or why there is none."""
    t = _Tokens(text)
    verdict = _static_verdict(t)
    if verdict is not None:
        return Reverse.refused(verdict)
    if t.peek("CREATE"):
        return _create(t, conn)
    if t.peek("DROP"):
        return _drop(t, conn)
    t.peek("ALTER")
    return _alter(t, conn)


def _create(t: _Tokens, conn: sa.Connection) -> Reverse:
    if t.peek("TEMP") or t.peek("TEMPORARY"):
        return Reverse.nothing()  # lives in this connection only, not in the database
    t.peek("UNIQUE")
    for kind in _SCHEMA_ONLY:
        if t.peek(kind):
            t.peek("IF", "NOT", "EXISTS")
            name = t.name()
            if name is not None and name[0] is not None and fold(name[0]) == "temp":
                return Reverse.nothing()
            if name is None or (name[0] is not None and fold(name[0]) != "main"):
                return Reverse.refused(f"CREATE {kind} outside the main database")
            return after_operation(read_schema(conn))
    return Reverse.refused("this CREATE statement is not recognized (virtual tables are not)")


def _drop(t: _Tokens, conn: sa.Connection) -> Reverse:
    for kind in _SCHEMA_ONLY:
        if t.peek(kind):
            if_exists = t.peek("IF", "EXISTS")
            name = _main_name(t)
            if name is None:
                return Reverse.refused(f"DROP {kind} outside the main database")
            if kind == "TABLE":
                return Reverse(replace_with=(DropTableOp(name, if_exists=if_exists or None),))
            return after_operation(read_schema(conn))
    return Reverse.refused("this DROP statement is not recognized")


def _alter(t: _Tokens, conn: sa.Connection) -> Reverse:
    table = _main_name(t) if t.peek("TABLE") else None
    if table is None:
        return Reverse.refused("this ALTER statement is not recognized")
    if t.peek("RENAME", "TO"):
        new = t.name()
        if new is None:
            return Reverse.refused("ALTER TABLE RENAME TO without a name")
        return after_operation(read_schema(conn), Hints(tables={fold(table): new[1]}))
    if t.peek("RENAME"):
        t.peek("COLUMN")
        old, new = t.name(), (t.name() if t.peek("TO") else None)
        if old is None or new is None:
            return Reverse.refused("this ALTER TABLE RENAME is not recognized")
        return after_operation(
            read_schema(conn), Hints(columns={(fold(table), fold(old[1])): new[1]})
        )
    if t.peek("ADD"):
        return after_operation(read_schema(conn))
    if t.peek("DROP"):
        t.peek("COLUMN")
        column = t.name()
        if column is None:
            return Reverse.refused("this ALTER TABLE DROP is not recognized")
        return Reverse(replace_with=(DropColumnOp(table, column[1]),))
    return Reverse.refused("this ALTER TABLE is not recognized")


def _main_name(t: _Tokens) -> str | None:
    name = t.name()
    if name is None or (name[0] is not None and fold(name[0]) != "main"):
        return None
    return name[1]
