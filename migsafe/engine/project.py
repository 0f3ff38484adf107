"""Load the user's Alembic project: its Config, its ScriptDirectory and its revisions.

Nothing here touches the database. Errors in the project (a missing script folder, a revision
file with a syntax error, an unknown or ambiguous revision) become one-line ConfigErrors that
name the file and line.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sysconfig
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.runtime.migration import RevisionStep
from alembic.script import Script, ScriptDirectory
from alembic.script.revision import MultipleHeads, ResolutionError, RevisionError, RevisionMap
from alembic.util import CommandError

from migsafe.engine import revision_names
from migsafe.engine.revision_source import LazyModule, identifiers
from migsafe.errors import ConfigError, ProjectError
from migsafe.errors import RevisionError as MigsafeRevisionError
from migsafe.settings import Settings


@dataclass
class Project:
    """An Alembic project, loaded once per command."""

    config: Config
    script: ScriptDirectory
    # [tool.migsafe] wrapper: entered around every env.py run (see envpy.run_env).
    wrapper: Callable[[], AbstractContextManager[Any]] | None = None

    @property
    def env_py(self) -> Path:
        return Path(self.script.dir) / "env.py"

    def config_url(self) -> str | None:
        """The ``sqlalchemy.url`` the Alembic config gives, if any."""
        return self.url_of(self.config)

    @staticmethod
    def url_of(config: Config) -> str | None:
        try:
            return config.get_main_option("sqlalchemy.url") or None
        except Exception:  # configparser interpolation errors
            return None


def load_config(settings: Settings) -> Config:
    """The Alembic Config alone (cheap: no revision file is read)."""
    return Config(
        file_=str(settings.ini_file) if settings.ini_file else None,
        toml_file=str(settings.toml_file) if settings.toml_file else None,
        # What `alembic -x KEY=VALUE` passes: env.py reads it with context.get_x_argument().
        cmd_opts=argparse.Namespace(x=list(settings.x_args)),
    )


def read_revisions_from_source(script: ScriptDirectory) -> None:
    """Make *script*'s revision map read the files' source instead of importing them.

    A file whose identifiers are literals gets a :class:`LazyModule`: it is imported only when
    its ``upgrade()``/``downgrade()`` (or anything else) is needed. Any other file (computed
    identifiers, a syntax error, a sourceless ``.pyc``) is imported as Alembic always does,
    so its errors surface while the map is built, as before. (``ScriptDirectory.from_config``
    builds a plain ScriptDirectory, so the map, a public attribute, is replaced.)
    """
    script.revision_map = RevisionMap(lambda: _load_revisions(script))


def _load_revisions(script: ScriptDirectory) -> Iterator[Script]:
    """Alembic's ``ScriptDirectory._load_revisions``, with files read as source."""
    seen: set[Path] = set()
    for vers in script._version_locations:
        if not vers.exists():
            continue
        for file_path in Script._list_py_dir(script, vers):
            real_path = Path(file_path).resolve()
            if real_path in seen:
                continue  # Alembic warns about it when it loads the map itself
            seen.add(real_path)
            found = _lazy_script(script, real_path) or Script._from_path(script, real_path)
            if found is not None:
                yield found


def _lazy_script(script: ScriptDirectory, path: Path) -> Script | None:
    if script.sourceless or path.suffix != ".py" or not _REVISION_FILE.match(path.name):
        return None
    ids = identifiers(path)
    if ids is None:
        return None
    return Script(LazyModule(path, ids), ids.revision, path)


# Alembic's own pattern for source revision files (alembic.script.base._only_source_rev_file).
_REVISION_FILE = re.compile(r"(?!\.\#|__init__)(.*\.py)$")


def load_project(settings: Settings, config: Config | None = None) -> Project:
    """Load the Config and ScriptDirectory, and the revision map (files whose identifiers are
    literals are read as source and imported only when a command runs or plans them)."""
    config = config if config is not None else load_config(settings)
    try:
        script = ScriptDirectory.from_config(config)
        read_revisions_from_source(script)
    except CommandError as exc:
        raise ConfigError(
            f"cannot load the Alembic project: {exc}",
            hint="check script_location in your Alembic config",
        ) from exc
    except Exception as exc:
        raise ConfigError(f"cannot load the Alembic project: {exc}") from exc
    # After from_config(): Alembic has put prepend_sys_path on sys.path, where the
    # application's modules are found, as env.py finds them.
    project = Project(config=config, script=script, wrapper=_import_wrapper(settings.wrapper))
    with revision_errors():
        _ = project.script.revision_map.heads
    return project


def _import_wrapper(spec: str | None) -> Callable[[], AbstractContextManager[Any]] | None:
    """The ``module:name`` context manager factory of ``[tool.migsafe] wrapper``."""
    if spec is None:
        return None
    module_name, _, attr = spec.partition(":")
    try:
        target: Any = importlib.import_module(module_name)
        for part in attr.split("."):
            target = getattr(target, part)
    except Exception as exc:  # the user's module: any failure to import it is a config error
        raise ConfigError(
            f"cannot import the env.py wrapper {spec!r}: {type(exc).__name__}: {exc}",
            hint="[tool.migsafe] wrapper is imported like env.py's own imports "
            "(prepend_sys_path in the Alembic config)",
        ) from exc
    if not callable(target):
        raise ConfigError(f"the env.py wrapper {spec!r} is not callable")
    return target  # type: ignore[no-any-return]


@contextmanager
def revision_errors(project: Project | None = None) -> Iterator[None]:
    """Turn Alembic's revision-map and revision-file errors into migsafe errors; with the
    *project*, a name that matches no revision comes with the closest ones."""
    try:
        yield
    except MultipleHeads as exc:
        raise MigsafeRevisionError(
            f"multiple heads are present ({', '.join(exc.heads)}) and no target was given",
            hint="name a target revision, use 'heads' for all heads, or 'branch@head'",
        ) from exc
    except ResolutionError as exc:
        if project is not None and exc.argument:
            raise revision_names.no_such_revision(
                str(exc.argument), revision_names.project_names(project)
            ) from exc
        raise MigsafeRevisionError(
            f"unknown revision {exc.argument!r}",
            hint="`migsafe status` lists the known revisions",
        ) from exc
    except CommandError as exc:
        # Alembic wraps its revision-map errors (`ScriptDirectory._catch_revision_errors`):
        # the error it raised says what went wrong, not the message text.
        cause, hint = exc.__cause__, None
        if isinstance(cause, MultipleHeads):
            raise MigsafeRevisionError(
                f"multiple heads are present, so the target {cause.argument or 'head'!r} "
                "is ambiguous",
                hint="name a target revision, use 'heads' for all heads, or 'branch@head'",
            ) from exc
        if isinstance(cause, ResolutionError):
            if project is not None and cause.argument:
                raise revision_names.no_such_revision(
                    str(cause.argument), revision_names.project_names(project)
                ) from exc
            hint = "`migsafe status` lists the known revisions"
        raise MigsafeRevisionError(str(exc).splitlines()[0], hint=hint) from exc
    except RevisionError as exc:
        raise MigsafeRevisionError(str(exc).splitlines()[0]) from exc
    except SyntaxError as exc:
        raise ProjectError(
            f"syntax error in {exc.filename}, line {exc.lineno}: {exc.msg}",
            hint="fix the migration file; nothing was run",
        ) from exc
    except (ImportError, NameError, AttributeError, TypeError, ValueError, KeyError) as exc:
        where = user_frame(exc)
        raise ProjectError(
            f"cannot load a migration file{where}: {type(exc).__name__}: {exc}",
            hint="fix the migration file; nothing was run",
        ) from exc


def user_frame(exc: BaseException) -> str:
    """`` (path, line N)`` of the innermost frame in the user's own code.

    That is the line to change: not a frame of the standard library, of an installed package
    (alembic, sqlalchemy, a driver) or of migsafe itself.
    """
    skip = {sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    own = str(Path(__file__).resolve().parents[1]) + os.sep
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        name = frame.filename
        if name.startswith("<") or name.startswith(own):
            continue
        if any(name.startswith(prefix) for prefix in skip):
            continue
        return f" ({name}, line {frame.lineno})"
    return ""


def upgrade_steps(project: Project, target: str, heads: Sequence[str]) -> list[RevisionStep]:
    """The ordered upgrade steps from ``heads`` to ``target``."""
    with revision_errors(project):
        return list(project.script._upgrade_revs(target, tuple(heads)))  # type: ignore[arg-type]


def downgrade_steps(project: Project, target: str, heads: Sequence[str]) -> list[RevisionStep]:
    """The ordered downgrade steps from ``heads`` down to ``target``."""
    with revision_errors(project):
        return list(project.script._downgrade_revs(target, tuple(heads)))  # type: ignore[arg-type]


def load_module(script: Script) -> None:
    """Import *script*'s file now (if it was read as source only), so that an error in a file
    a command will run stops it before anything runs."""
    module = script.module
    if isinstance(module, LazyModule) and not module.loaded:
        with revision_errors():
            module.load()


def get_script(project: Project, revision: str) -> Script:
    with revision_errors(project):
        script = project.script.get_revision(revision)
    if script is None:
        raise MigsafeRevisionError(f"unknown revision {revision!r}")
    return script
