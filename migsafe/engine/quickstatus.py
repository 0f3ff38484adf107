"""A fast path for ``migsafe status``: the same answer without Alembic, SQLAlchemy or env.py.

``status`` is what people type most and what deploy scripts poll. Importing Alembic and
SQLAlchemy and running env.py costs ~0.5 s, so this module reads the Alembic config with
configparser, the revision files with ``ast`` and the version table with the driver directly.
It answers only when it can be sure to give the full path's answer: the URL is known without
env.py, a previous migsafe run recorded where env.py keeps the version table, and every revision
file declares its ids as literals without ``depends_on``. Otherwise it returns None and the
caller takes the full path.
"""

from __future__ import annotations

import configparser
import inspect
import json
import re
import sqlite3
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from migsafe.db.dberrors import connect_hint
from migsafe.db.url_check import check_url_text
from migsafe.engine.analysis import upgrade_is_transactional
from migsafe.engine.revision_source import identifiers
from migsafe.engine.runs import run_from_row
from migsafe.errors import DatabaseUnavailableError
from migsafe.redaction import mask_query_secrets, scrub
from migsafe.results import Pending, StatusResult
from migsafe.settings import Settings


class _Unsure(Exception):
    """This case needs the full path."""


@dataclass(frozen=True)
class _Rev:
    revision: str
    down: tuple[str, ...]
    message: str
    path: str


def quick_status(settings: Settings) -> StatusResult | None:
    try:
        options = _alembic_options(settings)
        url = settings.database_url or options.get("sqlalchemy.url")
        if not url:
            raise _Unsure
        revisions = _scan(_versions_dir(options))
        with _connect(url) as db:
            return _status(db, url, settings.schema, revisions)
    except _Unsure:
        return None


# -- the project ------------------------------------------------------------------------------


def _alembic_options(settings: Settings) -> dict[str, str]:
    options: dict[str, str] = {}
    if settings.toml_file is not None:
        with settings.toml_file.open("rb") as fh:
            tool = tomllib.load(fh).get("tool", {}).get("alembic", {})
        here = str(settings.toml_file.parent)
        for key, value in tool.items():
            if not isinstance(value, str):
                raise _Unsure  # lists of version locations and the like
            options[key] = value.replace("%(here)s", here)
    if settings.ini_file is not None:
        parser = configparser.ConfigParser(defaults={"here": str(settings.ini_file.parent)})
        try:
            parser.read(settings.ini_file)
            if parser.has_section("alembic"):
                options.update(dict(parser.items("alembic")))
        except configparser.Error as exc:
            raise _Unsure from exc
    if options.get("version_locations") or options.get("recursive_version_locations"):
        raise _Unsure
    return options


def _versions_dir(options: dict[str, str]) -> Path:
    location = options.get("script_location")
    if not location or re.match(r"^[A-Za-z_][\w.]*:", location):  # a package resource
        raise _Unsure
    path = Path(location)
    if not path.is_absolute():
        path = Path.cwd() / path
    versions = path / "versions"
    if not versions.is_dir():
        raise _Unsure
    return versions


def _scan(versions: Path) -> dict[str, _Rev]:
    revisions: dict[str, _Rev] = {}
    for file in sorted(versions.glob("*.py")):
        if file.name.startswith(("_", ".#")):
            continue
        rev = _read_revision(file)
        if rev.revision in revisions:
            raise _Unsure
        revisions[rev.revision] = rev
    return revisions


def _read_revision(file: Path) -> _Rev:
    ids = identifiers(file)
    if ids is None or ids.depends_on:
        raise _Unsure
    down = ids.down_revision
    downs = () if down is None else (down,) if isinstance(down, str) else tuple(down)
    doc = inspect.cleandoc(ids.doc) if ids.doc else ""
    message = re.split("\n\n", doc.strip())[0].strip().splitlines()
    return _Rev(ids.revision, downs, message[0] if message else "", str(file))


# -- the database -----------------------------------------------------------------------------


class _Db:
    def __init__(self, kind: str, conn: Any, display: str) -> None:
        self.kind = kind
        self.conn = conn
        self.display = display

    def query(self, sql: Any, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        cur = self.conn.execute(sql, params)
        if self.kind == "sqlite":
            names = [d[0] for d in cur.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        return list(cur.fetchall())

    def ident(self, *names: str | None) -> Any:
        parts = [n for n in names if n]
        if self.kind == "sqlite":
            return ".".join('"' + p.replace('"', '""') + '"' for p in parts)
        from psycopg import sql

        return sql.SQL(".").join(sql.Identifier(p) for p in parts)

    def sql(self, template: str, **idents: Any) -> Any:
        if self.kind == "sqlite":
            return template.format(**idents)
        from psycopg import sql

        return sql.SQL(template).format(**idents)


# Drivers the full path accepts; any other name is for it to refuse (exit 2), not to connect.
_KNOWN_DRIVERS = ("", "psycopg", "psycopg2", "psycopg_async", "asyncpg", "pg8000")


@contextmanager
def _connect(url: str) -> Iterator[_Db]:
    check_url_text(url)
    parts = urlsplit(url)
    scheme, _, driver = parts.scheme.partition("+")
    if scheme == "sqlite":
        if driver not in ("", "pysqlite", "aiosqlite"):
            raise _Unsure
        path = parts.path[1:] if parts.path.startswith("/") else parts.path
        if not path or path == ":memory:" or parts.query or not Path(path).is_file():
            raise _Unsure
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        except sqlite3.Error as exc:
            raise _Unsure from exc
        try:
            yield _Db("sqlite", conn, f"sqlite:///{path}")
        except sqlite3.Error as exc:
            raise _Unsure from exc
        finally:
            conn.close()
        return
    if scheme not in ("postgresql", "postgres") or driver not in _KNOWN_DRIVERS:
        raise _Unsure
    import psycopg
    from psycopg.rows import dict_row

    kwargs: dict[str, Any] = dict(parse_qsl(parts.query))
    for key, value in (
        ("host", parts.hostname),
        ("port", parts.port),
        ("user", unquote(parts.username) if parts.username else None),
        ("password", unquote(parts.password) if parts.password else None),
        ("dbname", unquote(parts.path[1:]) if parts.path[1:] else None),
    ):
        if value is not None:
            kwargs.setdefault(key, value)
    display = _display(parts)
    try:
        pg = psycopg.connect(
            autocommit=True,
            row_factory=dict_row,
            connect_timeout=10,
            application_name="migsafe status",
            **kwargs,
        )
    except psycopg.OperationalError as exc:
        text = scrub(" ".join(str(exc).split()), [kwargs.get("password")])
        raise DatabaseUnavailableError(
            f"cannot connect to {display}: {text[:300]}", hint=connect_hint(text, exc)
        ) from exc
    except psycopg.Error as exc:
        raise _Unsure from exc
    try:
        yield _Db("postgresql", pg, display)
    except psycopg.Error as exc:
        raise _Unsure from exc
    finally:
        pg.close()


def _display(parts: Any) -> str:
    scheme = parts.scheme
    if scheme in ("postgresql", "postgres") or scheme.endswith(("+asyncpg", "+psycopg_async")):
        scheme = "postgresql+psycopg"
    netloc = parts.netloc
    if parts.password:
        netloc = netloc.replace(f":{parts.password}@", ":***@", 1)
    shown = f"{scheme}://{netloc}{parts.path}" + (f"?{parts.query}" if parts.query else "")
    return mask_query_secrets(shown)


def _status(db: _Db, url: str, schema: str, revisions: dict[str, _Rev]) -> StatusResult:
    history = db.ident(None if db.kind == "sqlite" else schema, "migsafe_history")
    last = db.query(db.sql("SELECT * FROM {h} ORDER BY started_at DESC, run_id LIMIT 1", h=history))
    located = db.query(
        db.sql(
            "SELECT plan FROM {h} WHERE plan IS NOT NULL ORDER BY started_at DESC LIMIT 1",
            h=history,
        )
    )
    if not last or not located:
        raise _Unsure  # no run recorded yet: only env.py knows where the version table is
    plan = located[0]["plan"]
    if isinstance(plan, str):
        plan = json.loads(plan)
    if not isinstance(plan, dict) or "version_table" not in plan:
        raise _Unsure
    current = _read_versions(db, plan["version_table"], plan.get("version_table_schema"))
    heads = tuple(sorted(set(revisions) - {d for r in revisions.values() for d in r.down}))
    unknown = tuple(h for h in current if h not in revisions)
    pending: tuple[Pending, ...] = ()
    if not unknown:
        pending = tuple(
            Pending(
                revision=rev.revision,
                down_revisions=rev.down,
                message=rev.message,
                transactional=upgrade_is_transactional(rev.path),
            )
            for rev in _pending(revisions, current)
        )
    return StatusResult(
        database=db.display,
        current=current,
        heads=heads,
        pending=pending,
        last_run=run_from_row(last[0]),
        unknown_current=unknown,
    )


def _read_versions(db: _Db, table: str, schema: str | None) -> tuple[str, ...]:
    if db.kind == "sqlite":
        exists = db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))
    else:
        exists = db.query(
            "SELECT 1 FROM pg_tables WHERE tablename = %s AND schemaname = "
            "COALESCE(%s, current_schema())",
            (table, schema),
        )
    if not exists:
        return ()
    rows = db.query(db.sql("SELECT version_num FROM {t}", t=db.ident(schema, table)))
    return tuple(sorted(str(row["version_num"]) for row in rows))


def _pending(revisions: dict[str, _Rev], current: tuple[str, ...]) -> list[_Rev]:
    applied: set[str] = set()
    stack = list(current)
    while stack:
        name = stack.pop()
        if name in applied:
            continue
        applied.add(name)
        stack.extend(revisions[name].down)
    remaining = [r for r in revisions.values() if r.revision not in applied]
    ordered: list[_Rev] = []
    done = set(applied)
    while remaining:
        ready = [r for r in remaining if all(d in done for d in r.down)]
        if not ready:
            raise _Unsure  # a cycle or a missing parent: let Alembic explain it
        for rev in ready:
            ordered.append(rev)
            done.add(rev.revision)
        remaining = [r for r in remaining if r.revision not in done]
    return ordered
