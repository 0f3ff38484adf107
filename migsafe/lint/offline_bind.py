"""What ``op.get_bind()`` is while linting: a recorder of the SQL a revision sends.

Offline there is no database; a revision's data migration still sends its statements through
the connection. The recorder hands each one's SQL to the trace and answers reads with no rows,
so most code goes on; code that needs a real result (an ORM session, a value read) stops, and
the trace takes it from there (:mod:`migsafe.lint.resume`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from migsafe.lint.model import Via

Record = Callable[[str, Via, FrameType | None], None]
_DOLLAR = postgresql.dialect(paramstyle="numeric_dollar")  # type: ignore[no-untyped-call]


def compile_sql(construct: Any, dialect: sa.Dialect) -> str:
    """A statement's SQL with its values inlined where SQLAlchemy can render them, else with
    ``$n`` parameters (which pglast parses, unlike ``%(name)s``)."""
    if isinstance(construct, str):
        return construct
    try:
        return str(construct.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    except Exception:
        pass
    if dialect.name == "postgresql":
        try:
            return str(construct.compile(dialect=_DOLLAR))
        except Exception:
            pass
    return str(construct.compile(dialect=dialect))


class _NoRows:
    """The result of a read on the recorder: no rows, whatever is asked."""

    rowcount = 0

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __getattr__(self, name: str) -> Any:
        if name in ("scalar", "scalar_one_or_none", "first", "one_or_none", "fetchone"):
            return lambda *a, **k: None
        if name in ("fetchall", "all", "fetchmany", "partitions"):
            return lambda *a, **k: []
        if name in ("mappings", "scalars", "unique", "columns", "tuples", "yield_per"):
            return lambda *a, **k: self
        raise AttributeError(name)


class OfflineBind:
    """What ``op.get_bind()`` returns while linting: records what is executed on it."""

    def __init__(self, record: Record, dialect: sa.Dialect) -> None:
        self._record = record
        self.dialect = dialect

    def execute(self, statement: Any, *args: Any, **kwargs: Any) -> _NoRows:
        self._record(compile_sql(statement, self.dialect), Via.CONNECTION, sys._getframe(1))
        return _NoRows()

    def exec_driver_sql(self, statement: str, *args: Any, **kwargs: Any) -> _NoRows:
        self._record(statement, Via.CONNECTION, sys._getframe(1))
        return _NoRows()

    def _run_ddl_visitor(self, visitorcallable: Any, element: Any, **kwargs: Any) -> None:
        """``sa.Enum(...).create(op.get_bind())``: the DDL is executed on this recorder (as
        SQLAlchemy's mock connection does, without the existence check: nothing is read)."""
        kwargs["checkfirst"] = False
        visitorcallable(dialect=self.dialect, connection=self, **kwargs).traverse_single(element)

    def schema_for_object(self, obj: Any) -> str | None:
        return getattr(obj, "schema", None)  # no schema_translate_map offline

    def begin_nested(self) -> Any:
        return _NullTransaction()

    def begin(self) -> Any:
        return _NullTransaction()

    def commit(self) -> None:
        pass

    def in_transaction(self) -> bool:
        return True


class _NullTransaction:
    def __enter__(self) -> _NullTransaction:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass
