"""42501 from any driver becomes one line naming the privilege, the object and the role."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from psycopg import errors as pg

from migsafe.db.dberrors import privilege_error
from migsafe.errors import ExitCode


def wrapped(statement: str, message: str) -> sa.exc.DBAPIError:
    return sa.exc.ProgrammingError(statement, {}, pg.InsufficientPrivilege(message))


@pytest.mark.parametrize(
    ("statement", "message", "named", "grant"),
    [
        (
            "SELECT alembic_version.version_num FROM alembic_version",
            "permission denied for table alembic_version",
            "lacks SELECT on table alembic_version",
            "GRANT SELECT ON TABLE alembic_version TO app",
        ),
        (
            "INSERT INTO migsafe.migsafe_history (run_id) VALUES (%(run_id)s)",
            "permission denied for table migsafe_history",
            "lacks INSERT on table migsafe.migsafe_history",
            "GRANT INSERT ON TABLE migsafe.migsafe_history TO app",
        ),
        (
            "SELECT to_regclass('migsafe.migsafe_history')",
            "permission denied for schema migsafe",
            "lacks USAGE on schema migsafe",
            "GRANT USAGE ON SCHEMA migsafe TO app",
        ),
        (
            "CREATE TABLE migsafe.migsafe_history (run_id text)",
            "permission denied for schema migsafe",
            "lacks CREATE on schema migsafe",
            "GRANT CREATE ON SCHEMA migsafe TO app",
        ),
        (
            'CREATE DATABASE "copy"',
            "permission denied to create database",
            "lacks the CREATEDB attribute",
            "ALTER ROLE app CREATEDB",
        ),
    ],
    ids=["select-table", "insert-qualified", "usage-schema", "create-schema", "createdb"],
)
def test_the_privilege_and_object_are_named(
    statement: str, message: str, named: str, grant: str
) -> None:
    error = privilege_error(wrapped(statement, message), "app")
    assert error is not None
    assert error.exit_code == ExitCode.UNAVAILABLE
    assert error.message.startswith(f"the role 'app' {named}: ")
    assert "\n" not in error.message
    assert error.hint is not None and grant in error.hint


def test_other_errors_are_not_privilege_errors() -> None:
    other = sa.exc.ProgrammingError("SELECT 1", {}, pg.UndefinedTable("no such table"))
    assert privilege_error(other, "app") is None
    assert privilege_error(RuntimeError("permission denied for table x"), "app") is None
