"""The catalog queries a restore plans with.

Queries run on an inspection session whose ``search_path`` is empty, so that every name the
server renders (``pg_describe_object``, ``pg_get_constraintdef``) comes back schema-qualified
and stays valid inside pg_restore's script, which also empties ``search_path``.
Statements are composed with :mod:`psycopg.sql`. The SQL run around that script is built in
:mod:`~migsafe.snapshots.restore.wrap`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from psycopg import Connection, sql
from psycopg.rows import TupleRow

Conn = Connection[TupleRow]
QualifiedName = tuple[str, str]  # (schema, name)


@dataclass(frozen=True)
class OtherSession:
    """Another session connected to the database a restore would rewrite."""

    pid: int
    user: str | None
    application_name: str
    client_addr: str | None  # None: a Unix-domain socket
    state: str | None

    def describe(self) -> str:
        where = self.client_addr or "local socket"
        app = self.application_name or "-"
        return f"pid {self.pid} (user {self.user}, application {app!r}, from {where}, {self.state})"


@dataclass(frozen=True)
class ForeignKey:
    """A foreign key on a table a restore keeps, pointing at a table it drops."""

    schema: str
    table: str
    name: str
    definition: str  # pg_get_constraintdef(), names qualified
    comment: str | None
    references: QualifiedName

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.table}.{self.name}"


@dataclass(frozen=True)
class SchemaGrant:
    grantee: str | None  # None: PUBLIC
    privilege: str  # "USAGE" | "CREATE"
    grantable: bool


@dataclass(frozen=True)
class PublicSchema:
    """What dropping ``public`` loses and pg_dump (15+) does not write back."""

    owner: str
    grants: tuple[SchemaGrant, ...] | None  # None: the default ACL (nspacl IS NULL)
    comment: str | None


def inspection_session(conn: Conn) -> None:
    conn.execute("SELECT pg_catalog.set_config('search_path', '', false)")


def server_version_num(conn: Conn) -> int:
    row = conn.execute("SELECT pg_catalog.current_setting('server_version_num')::int").fetchone()
    return int(row[0]) if row else 0


# --- what is there ---------------------------------------------------------------------


def user_schemas(conn: Conn, keep: Collection[str]) -> list[str]:
    """Every schema but the system ones and *keep*, extension-created ones included."""
    rows = conn.execute(
        """SELECT nspname FROM pg_catalog.pg_namespace
        WHERE NOT pg_catalog.starts_with(nspname, 'pg_') AND nspname <> 'information_schema'
          AND nspname <> ALL(%s::text[])
        ORDER BY nspname""",
        [list(keep)],
    ).fetchall()
    return [r[0] for r in rows]


def existing_schemas(conn: Conn, names: Collection[str]) -> list[str]:
    """Those of *names* that exist."""
    rows = conn.execute(
        "SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname = ANY(%s::text[])",
        [list(names)],
    ).fetchall()
    return [r[0] for r in rows]


def public_schema(conn: Conn) -> PublicSchema | None:
    row = conn.execute(
        """SELECT pg_catalog.pg_get_userbyid(nspowner), nspacl IS NULL,
                  pg_catalog.obj_description(oid, 'pg_namespace')
        FROM pg_catalog.pg_namespace WHERE nspname = 'public'"""
    ).fetchone()
    if row is None:
        return None
    owner, default_acl, comment = row
    grants = None
    if not default_acl:  # granted in their order, the items read back the same
        rows = conn.execute(
            """SELECT CASE WHEN a.grantee = 0 THEN NULL
                           ELSE pg_catalog.pg_get_userbyid(a.grantee) END,
                      a.privilege_type, a.is_grantable
            FROM pg_catalog.pg_namespace n,
                 pg_catalog.aclexplode(n.nspacl) WITH ORDINALITY a
            WHERE n.nspname = 'public'
            ORDER BY a.ordinality"""
        ).fetchall()
        grants = tuple(SchemaGrant(g, p, bool(o)) for g, p, o in rows)
    return PublicSchema(owner=owner, grants=grants, comment=comment)


def existing_tables(conn: Conn, names: Sequence[QualifiedName]) -> list[QualifiedName]:
    """Those of *names* that exist now as tables (ordinary or partitioned), in input order."""
    rows = conn.execute(
        """SELECT n.nspname, c.relname FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p')
          AND (n.nspname, c.relname) IN (SELECT * FROM unnest(%s::text[], %s::text[]))""",
        [[s for s, _ in names], [t for _, t in names]],
    ).fetchall()
    found = {(s, t) for s, t in rows}
    return [n for n in names if n in found]


# The objects a DROP TABLE of the targets removes as part of the tables themselves; anything
# else that depends on one of them (views, functions over the row type, other tables' defaults
# on an owned sequence, inheritance children and partitions, publication membership...) would
# silently go with CASCADE, so a tables-mode restore refuses instead. Foreign keys of other
# tables are the one exception: they are dropped and re-added around the restore.
_DEPENDENTS = """
WITH targets AS (
    SELECT c.oid, c.reltype, c.reltoastrelid FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p')
      AND (n.nspname, c.relname) IN (SELECT * FROM unnest(%(schemas)s::text[], %(names)s::text[]))
), owned(classid, objid) AS (
    SELECT 'pg_catalog.pg_class'::regclass, oid FROM targets
    UNION ALL SELECT 'pg_catalog.pg_class'::regclass, reltoastrelid FROM targets
    UNION ALL SELECT 'pg_catalog.pg_type'::regclass, reltype FROM targets
    UNION ALL SELECT 'pg_catalog.pg_class'::regclass, indexrelid FROM pg_catalog.pg_index
        WHERE indrelid IN (SELECT oid FROM targets UNION ALL SELECT reltoastrelid FROM targets)
    UNION ALL SELECT 'pg_catalog.pg_class'::regclass, d.objid FROM pg_catalog.pg_depend d
        JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S'
        WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.deptype IN ('a', 'i')
          AND d.refclassid = 'pg_catalog.pg_class'::regclass
          AND d.refobjid IN (SELECT oid FROM targets)
    UNION ALL SELECT 'pg_catalog.pg_constraint'::regclass, oid FROM pg_catalog.pg_constraint
        WHERE conrelid IN (SELECT oid FROM targets)
    UNION ALL SELECT 'pg_catalog.pg_attrdef'::regclass, oid FROM pg_catalog.pg_attrdef
        WHERE adrelid IN (SELECT oid FROM targets)
    UNION ALL SELECT 'pg_catalog.pg_trigger'::regclass, oid FROM pg_catalog.pg_trigger
        WHERE tgrelid IN (SELECT oid FROM targets)
    UNION ALL SELECT 'pg_catalog.pg_rewrite'::regclass, oid FROM pg_catalog.pg_rewrite
        WHERE ev_class IN (SELECT oid FROM targets)
    UNION ALL SELECT 'pg_catalog.pg_policy'::regclass, oid FROM pg_catalog.pg_policy
        WHERE polrelid IN (SELECT oid FROM targets)
    UNION ALL SELECT 'pg_catalog.pg_statistic_ext'::regclass, oid FROM pg_catalog.pg_statistic_ext
        WHERE stxrelid IN (SELECT oid FROM targets)
)
SELECT DISTINCT
    CASE WHEN d.classid = 'pg_catalog.pg_rewrite'::regclass
         THEN pg_catalog.pg_describe_object('pg_catalog.pg_class'::regclass, r.ev_class, 0)
         ELSE pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid) END,
    pg_catalog.pg_describe_object(d.refclassid, d.refobjid, 0)
FROM pg_catalog.pg_depend d
JOIN owned o ON o.classid = d.refclassid AND o.objid = d.refobjid
LEFT JOIN pg_catalog.pg_rewrite r
    ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND r.oid = d.objid
LEFT JOIN pg_catalog.pg_constraint k
    ON d.classid = 'pg_catalog.pg_constraint'::regclass AND k.oid = d.objid
WHERE d.deptype IN ('n', 'a')
  AND (d.classid, d.objid) NOT IN (SELECT classid, objid FROM owned)
  AND NOT (k.contype IS NOT DISTINCT FROM 'f')
ORDER BY 1, 2
"""


def blocking_dependents(conn: Conn, tables: Sequence[QualifiedName]) -> list[tuple[str, str]]:
    """(dependent, what it depends on) for every object dropping *tables* would take along."""
    rows = conn.execute(
        _DEPENDENTS, {"schemas": [s for s, _ in tables], "names": [t for _, t in tables]}
    ).fetchall()
    return [(dep, ref) for dep, ref in rows]


def referencing_foreign_keys(conn: Conn, tables: Sequence[QualifiedName]) -> list[ForeignKey]:
    """Foreign keys of tables not in *tables* that reference one of *tables*."""
    rows = conn.execute(
        """WITH targets AS (
            SELECT c.oid FROM pg_catalog.pg_class c
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE (n.nspname, c.relname) IN (SELECT * FROM unnest(%s::text[], %s::text[]))
        )
        SELECT n.nspname, c.relname, k.conname, pg_catalog.pg_get_constraintdef(k.oid),
               pg_catalog.obj_description(k.oid, 'pg_constraint'), rn.nspname, rc.relname
        FROM pg_catalog.pg_constraint k
        JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_class rc ON rc.oid = k.confrelid
        JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
        WHERE k.contype = 'f' AND k.conparentid = 0  -- partitions' copies follow their parent
          AND k.confrelid IN (SELECT oid FROM targets)
          AND k.conrelid NOT IN (SELECT oid FROM targets)
        ORDER BY 1, 2, 3""",
        [[s for s, _ in tables], [t for _, t in tables]],
    ).fetchall()
    return [ForeignKey(s, t, name, d, cmt, (rs, rt)) for s, t, name, d, cmt, rs, rt in rows]


def other_sessions(conn: Conn, exclude_pids: Collection[int]) -> list[OtherSession]:
    """Client sessions on this database other than ours and *exclude_pids*."""
    rows = conn.execute(
        """SELECT pid, usename, application_name, client_addr::text, state
        FROM pg_catalog.pg_stat_activity
        WHERE datname = pg_catalog.current_database() AND backend_type = 'client backend'
          AND pid <> pg_catalog.pg_backend_pid() AND pid <> ALL(%s::int[])
        ORDER BY pid""",
        [list(exclude_pids)],
    ).fetchall()
    return [OtherSession(*row) for row in rows]


def terminate(conn: Conn, sessions: Sequence[OtherSession], wait_ms: int = 5000) -> None:
    """pg_terminate_backend each session, waiting for it to be gone."""
    for s in sessions:
        conn.execute("SELECT pg_catalog.pg_terminate_backend(%s, %s)", [s.pid, wait_ms])


def database_exists(conn: Conn, name: str) -> bool:
    row = conn.execute("SELECT 1 FROM pg_catalog.pg_database WHERE datname = %s", [name])
    return row.fetchone() is not None


def create_database_like_current(conn: Conn, name: str) -> sql.Composed:
    """CREATE DATABASE *name* from template0 with the current database's encoding and locale."""
    row = conn.execute(
        """SELECT pg_catalog.to_jsonb(d), pg_catalog.pg_encoding_to_char(d.encoding)
        FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()"""
    ).fetchone()
    assert row is not None
    props, encoding = row
    options = [
        sql.SQL("TEMPLATE template0 ENCODING {} LC_COLLATE {} LC_CTYPE {}").format(
            sql.Literal(encoding), sql.Literal(props["datcollate"]), sql.Literal(props["datctype"])
        )
    ]
    # Column names differ by version: daticulocale (15, 16), datlocale (17+).
    icu = props.get("daticulocale") or props.get("datlocale")
    if props.get("datlocprovider") == "i" and icu:
        options.append(sql.SQL("LOCALE_PROVIDER icu ICU_LOCALE {}").format(sql.Literal(icu)))
    return sql.SQL("CREATE DATABASE {} {}").format(sql.Identifier(name), sql.SQL(" ").join(options))
