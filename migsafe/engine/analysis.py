"""Static analysis of a migration file, before anything runs.

Reading the source (not executing it) tells us, per direction, whether a migration can run
inside the guard's transaction and whether it has a real body at all. It costs a parse per file,
so the plan can be built without a database round trip or Alembic's offline mode.
"""

from __future__ import annotations

import ast
import dis
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType, ModuleType

from migsafe.engine.runs import Direction

# Statements PostgreSQL refuses inside a transaction block.
_NON_TX_SQL = re.compile(
    r"\b(CONCURRENTLY|VACUUM|CREATE\s+DATABASE|DROP\s+DATABASE|ALTER\s+SYSTEM|"
    r"CREATE\s+TABLESPACE|DROP\s+TABLESPACE)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FunctionFacts:
    """What one ``upgrade()``/``downgrade()`` function does, as far as the source tells."""

    present: bool
    empty: bool
    line: int | None = None
    non_transactional: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    concurrent_indexes: tuple[str, ...] = ()
    # A statement PostgreSQL refuses in a transaction outside any autocommit_block(): the
    # step runs with the connection in autocommit.
    autocommit: bool = False

    @property
    def transactional(self) -> bool:
        return not self.non_transactional


@dataclass(frozen=True)
class MigrationFacts:
    path: str
    upgrade: FunctionFacts
    downgrade: FunctionFacts
    notes: tuple[str, ...] = field(default=())

    def for_direction(self, direction: Direction) -> FunctionFacts:
        return self.upgrade if direction == Direction.UPGRADE else self.downgrade


# `op.execute("COMMIT")`: the old trick to leave Alembic's transaction (e.g. before ALTER TYPE
# ... ADD VALUE); under migsafe it would commit everything before it.
_COMMIT_SQL = re.compile(r"^\s*(COMMIT|END)(\s+(WORK|TRANSACTION))?\s*;?\s*$", re.IGNORECASE)

# Words without which no statement above can appear: most files never need parsing.
_PREFILTER = re.compile(
    r"autocommit_block|concurrently|vacuum|database|system|tablespace|commit", re.IGNORECASE
)


def analyse_file(path: str | Path, module: ModuleType | None = None) -> MigrationFacts:
    """Analyse a revision file; never raises for content it cannot understand.

    With the loaded ``module`` (Alembic has imported it anyway), whether ``upgrade()`` and
    ``downgrade()`` exist and have a body is read from their bytecode, and the source is only
    parsed when a cheap text scan finds a word that a non-transactional statement needs.
    """
    p = Path(path)
    try:
        source = p.read_text(encoding="utf-8", errors="replace")
    except OSError:
        unknown = FunctionFacts(present=True, empty=False)
        if module is None:
            return MigrationFacts(str(p), unknown, unknown, notes=("source not readable",))
        return _from_module(str(p), module)
    if module is not None and not _PREFILTER.search(source):
        return _from_module(str(p), module)
    return analyse_source(source, str(p))


def upgrade_is_transactional(path: str | Path) -> bool:
    """Just the one fact ``status`` shows, parsing only when the text scan needs it."""
    try:
        source = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return True
    return not _PREFILTER.search(source) or analyse_source(source, str(path)).upgrade.transactional


def _from_module(path: str, module: ModuleType) -> MigrationFacts:
    return MigrationFacts(path, _from_code(module, "upgrade"), _from_code(module, "downgrade"))


def _from_code(module: ModuleType, name: str) -> FunctionFacts:
    fn = getattr(module, name, None)
    code = getattr(fn, "__code__", None)
    if code is None:
        return FunctionFacts(present=fn is not None, empty=fn is None)
    return FunctionFacts(present=True, empty=_trivial(code), line=code.co_firstlineno)


def _empty_pass() -> None:
    pass


def _empty_doc() -> None:
    """Doc."""


def _empty_doc_pass() -> None:
    """Doc."""
    pass


def _empty_ellipsis() -> None: ...


# What this interpreter compiles an empty body to; most functions are compared to these only.
_EMPTY_BYTECODE = frozenset(
    f.__code__.co_code for f in (_empty_pass, _empty_doc, _empty_doc_pass, _empty_ellipsis)
)


def _trivial(code: CodeType) -> bool:
    """A body of only ``pass``, ``...`` or a docstring: its bytecode just returns None."""
    if code.co_code in _EMPTY_BYTECODE:
        return True
    if len(code.co_code) > 16:
        return False
    for ins in dis.get_instructions(code):
        if ins.opname in ("RESUME", "NOP", "CACHE", "RETURN_VALUE", "POP_TOP"):
            continue
        if ins.opname in ("LOAD_CONST", "RETURN_CONST") and ins.argval in (None, Ellipsis):
            continue
        return False
    return True


def analyse_source(source: str, path: str = "<string>") -> MigrationFacts:
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError:
        # Alembic reports syntax errors with their line when it loads the file; here we only
        # stay out of the way.
        unknown = FunctionFacts(present=True, empty=False)
        return MigrationFacts(path, unknown, unknown, notes=("source does not parse",))
    functions = {
        node.name: node
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    module_names = _bindings(tree.body)
    return MigrationFacts(
        path,
        _function_facts(functions, "upgrade", module_names),
        _function_facts(functions, "downgrade", module_names),
    )


def _function_facts(
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef],
    name: str,
    module_names: dict[str, str],
) -> FunctionFacts:
    node = functions.get(name)
    if node is None:
        return FunctionFacts(present=False, empty=True)
    walker = _Walker(functions, module_names)
    walker.run(node, wrapped=False)
    reasons = list(walker.reasons)
    if walker.unwrapped:
        # Without autocommit_block() the statement would meet the guard's transaction, and
        # Alembic's own when env.py hands over a plain connection: PostgreSQL refuses both.
        # migsafe runs the whole step on a connection in autocommit instead, as an env.py
        # that configures an autocommit connection would.
        reasons.append(
            "run with the connection in autocommit: "
            + ", ".join(walker.unwrapped)
            + " outside op.get_context().autocommit_block()"
        )
    return FunctionFacts(
        present=True,
        empty=_is_empty(node),
        line=node.lineno,
        non_transactional=tuple(dict.fromkeys(reasons)),
        concurrent_indexes=tuple(dict.fromkeys(walker.concurrent)),
        autocommit=bool(walker.unwrapped),
    )


class _Walker:
    """One function and the module-level helpers it calls, with what each statement means for
    the transaction: inside or outside an ``autocommit_block()``, commits, concurrent DDL."""

    def __init__(
        self,
        functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef],
        module_names: dict[str, str],
    ) -> None:
        self.functions = functions
        self.module_names = module_names
        self.reasons: list[str] = []
        self.unwrapped: list[str] = []
        self.concurrent: list[str] = []
        self._seen: dict[str, bool] = {}

    def run(self, fn: ast.FunctionDef | ast.AsyncFunctionDef, *, wrapped: bool) -> None:
        names = {**self.module_names, **_bindings(fn.body), **_parameters(fn)}
        self._visit(fn, fn, names, wrapped)

    def _visit(self, body: ast.AST, node: ast.AST, names: dict[str, str], wrapped: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = wrapped
            if isinstance(child, ast.With | ast.AsyncWith) and any(
                isinstance(item.context_expr, ast.Call)
                and _call_name(item.context_expr) == "autocommit_block"
                for item in child.items
            ):
                self.reasons.append(f"autocommit_block() at line {child.lineno}")
                inner = True
            if isinstance(child, ast.Call):
                self._call(child, names, wrapped)
            elif isinstance(child, ast.Constant) and isinstance(child.value, str):
                self._sql(body, child, wrapped)
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue  # a nested function runs only if called; not followed
            self._visit(body, child, names, inner)

    def _call(self, call: ast.Call, names: dict[str, str], wrapped: bool) -> None:
        func_name = _call_name(call)
        if func_name == "commit" and not call.args and isinstance(call.func, ast.Attribute):
            receiver = _kind(call.func.value, names)
            if receiver not in _NOT_THE_MIGRATIONS_COMMIT:
                self.reasons.append(f"explicit commit() at line {call.lineno}")
        if _kw_true(call, "postgresql_concurrently"):
            index = _index_name(call)
            if index:
                self.concurrent.append(index)
            self.reasons.append(f"concurrent index operation at line {call.lineno}")
            if not wrapped:
                what = func_name or "an operation"
                self.unwrapped.append(f"{what}(postgresql_concurrently=True)")
        if isinstance(call.func, ast.Name) and call.func.id in self.functions:
            callee = call.func.id
            # A helper called inside an autocommit block runs there; if it is also called
            # outside one, the outside call decides.
            if callee not in self._seen or (self._seen[callee] and not wrapped):
                self._seen[callee] = wrapped
                self.run(self.functions[callee], wrapped=wrapped)

    def _sql(self, body: ast.AST, const: ast.Constant, wrapped: bool) -> None:
        text = str(const.value)
        if _is_docstring(body, const):
            return
        line = getattr(const, "lineno", "?")
        if _COMMIT_SQL.match(text):
            self.reasons.append(f"explicit COMMIT in SQL at line {line}")
            return
        match = _NON_TX_SQL.search(text)
        if match:
            what = " ".join(match.group(1).upper().split())
            self.reasons.append(f"{what} in SQL at line {line}")
            self.concurrent.extend(_concurrent_index_names(text))
            if not wrapped:
                self.unwrapped.append(what)


# What a name or expression holds, as far as the source tells: "session" (an ORM Session, or
# a factory's product), "session_full" (one that takes over the connection's transaction),
# "factory" / "factory_full" (a sessionmaker), "savepoint", "other_connection".
_NOT_THE_MIGRATIONS_COMMIT = frozenset({"session", "savepoint", "other_connection"})


def _kind(expr: ast.expr, names: dict[str, str]) -> str | None:
    """What *expr* is, for deciding whether ``expr.commit()`` commits the migration.

    An ORM Session bound to the migration's connection joins its transaction (SQLAlchemy 2's
    ``join_transaction_mode``, default ``"conditional_savepoint"``): its ``commit()`` does not
    commit that transaction; only ``join_transaction_mode="control_fully"`` makes it. A
    session bound to an engine (Flask-SQLAlchemy's ``db.session``) uses a connection of its
    own. ``None``: unknown, which counts as the migration's connection.
    """
    if isinstance(expr, ast.Name):
        known = names.get(expr.id)
        if known is not None:
            return known
        return "session" if "session" in expr.id.lower() else None
    if isinstance(expr, ast.Attribute):
        return "session" if "session" in expr.attr.lower() else None
    if isinstance(expr, ast.Call):
        return _call_kind(expr, names)
    return None


def _call_kind(call: ast.Call, names: dict[str, str]) -> str | None:
    name = _call_name(call) or ""
    full = any(
        kw.arg == "join_transaction_mode"
        and isinstance(kw.value, ast.Constant)
        and kw.value.value == "control_fully"
        for kw in call.keywords
    )
    if name == "sessionmaker":
        return "factory_full" if full else "factory"
    if name == "begin_nested":
        return "savepoint"
    if name == "connect":
        return "other_connection"  # a new connection from an engine
    if name in ("get_bind", "connection"):
        return "connection"
    if isinstance(call.func, ast.Call | ast.Name):
        made_by = _kind(call.func, names) if isinstance(call.func, ast.Call) else None
        if isinstance(call.func, ast.Name):
            made_by = names.get(call.func.id, made_by)
        if made_by in ("factory", "factory_full"):
            return "session_full" if made_by == "factory_full" or full else "session"
    if "session" in name.lower():  # Session(...), orm.Session(...), scoped_session(...)
        return "session_full" if full else "session"
    return None


def _bindings(statements: list[ast.stmt]) -> dict[str, str]:
    """Names assigned (``=``, ``with ... as``, ``:=``) from expressions whose kind is known."""
    names: dict[str, str] = {}
    for stmt in statements:
        for node in ast.walk(stmt):
            pairs: list[tuple[ast.expr, ast.expr]] = []
            if isinstance(node, ast.Assign):
                pairs = [(t, node.value) for t in node.targets]
            elif (isinstance(node, ast.AnnAssign) and node.value is not None) or isinstance(
                node, ast.NamedExpr
            ):
                assert node.value is not None
                pairs = [(node.target, node.value)]
            elif isinstance(node, ast.With | ast.AsyncWith):
                pairs = [(i.optional_vars, i.context_expr) for i in node.items if i.optional_vars]
            for target, value in pairs:
                if isinstance(target, ast.Name):
                    kind = _kind(value, names) if isinstance(value, ast.Call | ast.Name) else None
                    if kind is not None:
                        names[target.id] = kind
    return names


def _parameters(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, str]:
    """Parameters annotated as a Session (``session: Session``)."""
    found: dict[str, str] = {}
    for arg in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs):
        annotation = arg.annotation
        label = ast.unparse(annotation) if annotation is not None else ""
        if "Session" in label:
            found[arg.arg] = "session"
    return found


def _local_callees(
    node: ast.AST,
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef],
    seen: set[str],
) -> list[ast.AST]:
    """Module-level helper functions that ``node`` calls by name (transitively)."""
    found: list[ast.AST] = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name):
            callee = sub.func.id
            if callee in functions and callee not in seen:
                seen.add(callee)
                found.append(functions[callee])
                found.extend(_local_callees(functions[callee], functions, seen))
    return found


def _call_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return None


def _kw_true(call: ast.Call, name: str) -> bool:
    return any(
        kw.arg == name and isinstance(kw.value, ast.Constant) and kw.value.value is True
        for kw in call.keywords
    )


def _index_name(call: ast.Call) -> str | None:
    for kw in call.keywords:
        if kw.arg == "index_name" and isinstance(kw.value, ast.Constant):
            return str(kw.value.value)
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def _is_docstring(body: ast.AST, const: ast.Constant) -> bool:
    stmts = getattr(body, "body", None)
    if not stmts:
        return False
    first = stmts[0]
    return isinstance(first, ast.Expr) and first.value is const


def _is_empty(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """True when the body is only a docstring, ``pass``, ``...`` or comments."""
    for stmt in node.body:
        if isinstance(stmt, ast.Pass):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # docstring or Ellipsis
        return False
    return True


def _concurrent_index_names(sql: str) -> list[str]:
    """Names of indexes a SQL string builds or drops concurrently, parsed with pglast."""
    try:
        from pglast import ast as pg_ast
        from pglast import parse_sql
    except ImportError:  # pragma: no cover - pglast is a dependency
        return []
    try:
        statements = parse_sql(sql)
    except Exception:  # pglast.parser.ParseError; templated SQL often does not parse
        return []
    names: list[str] = []
    for raw in statements:
        stmt = raw.stmt
        if isinstance(stmt, pg_ast.IndexStmt) and stmt.concurrent and stmt.idxname:
            names.append(stmt.idxname)
    return names
