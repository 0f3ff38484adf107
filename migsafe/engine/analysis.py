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

    @property
    def transactional(self) -> bool:
        return not self.non_transactional


@dataclass(frozen=True)
class MigrationFacts:
    path: str
    upgrade: FunctionFacts
    downgrade: FunctionFacts
    notes: tuple[str, ...] = field(default=())

    def for_direction(self, direction: str) -> FunctionFacts:
        return self.upgrade if direction == "upgrade" else self.downgrade


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
    return MigrationFacts(
        path,
        _function_facts(functions, "upgrade"),
        _function_facts(functions, "downgrade"),
    )


def _function_facts(
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef], name: str
) -> FunctionFacts:
    node = functions.get(name)
    if node is None:
        return FunctionFacts(present=False, empty=True)
    bodies = [node, *_local_callees(node, functions, {name})]
    reasons: list[str] = []
    warnings: list[str] = []
    concurrent: list[str] = []
    has_autocommit = False
    concurrently_outside = False
    for body in bodies:
        for sub in ast.walk(body):
            if isinstance(sub, ast.Call):
                func_name = _call_name(sub)
                if func_name == "autocommit_block":
                    has_autocommit = True
                    reasons.append(f"autocommit_block() at line {sub.lineno}")
                if func_name == "commit" and not sub.args:
                    # connection.commit() inside a migration ends the guard's transaction.
                    has_autocommit = True
                    reasons.append(f"explicit commit() at line {sub.lineno}")
                if _kw_true(sub, "postgresql_concurrently"):
                    index = _index_name(sub)
                    if index:
                        concurrent.append(index)
                    concurrently_outside = True
                    reasons.append(f"concurrent index operation at line {sub.lineno}")
            elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                if _COMMIT_SQL.match(sub.value) and not _is_docstring(body, sub):
                    has_autocommit = True
                    reasons.append(f"explicit COMMIT in SQL at line {sub.lineno}")
                    continue
                match = _NON_TX_SQL.search(sub.value)
                if match and not _is_docstring(body, sub):
                    reasons.append(
                        f"{' '.join(match.group(1).upper().split())} in SQL at line "
                        f"{getattr(sub, 'lineno', '?')}"
                    )
                    concurrently_outside = True
                    concurrent.extend(_concurrent_index_names(sub.value))
    if concurrently_outside and not has_autocommit:
        warnings.append(
            "a statement that PostgreSQL refuses inside a transaction is not wrapped in "
            "op.get_context().autocommit_block(); it will fail"
        )
    return FunctionFacts(
        present=True,
        empty=_is_empty(node),
        line=node.lineno,
        non_transactional=tuple(dict.fromkeys(reasons)),
        warnings=tuple(warnings),
        concurrent_indexes=tuple(dict.fromkeys(concurrent)),
    )


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
