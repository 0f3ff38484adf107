"""Install the tests' npm packages (tests/unleash) from the test session itself.

`tests/unleash/package.json` pins what the tests take from npm: the Unleash server
they run and Unleash's client specification they check evaluation against. The
lock file says exactly which files; `npm ci` installs them into
`tests/unleash/node_modules` (gitignored) the first time a test needs them, so
`.venv/bin/pytest -q` alone works on a fresh clone. A stamp holding the lock
file's sha256 (the one `.ci/run` writes too) marks an install as current: a
re-run reuses it, and a changed lock file reinstalls. npm's own cache (~/.npm)
serves the packages of a reinstall. A file lock keeps parallel sessions from
installing over each other.

Without Node.js 20+ and npm, the tests that need them fail (never skip) with a
message that says how to get them: a green run must mean they ran.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from tests.support.locks import file_lock

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "unleash"
STAMP = ".migsafe-lock-sha256"
"""Inside node_modules, so that `npm ci` (which empties node_modules first) removes it."""

MIN_NODE = 20
"""unleash-server 8 declares Node.js >= 22 but runs, and is tested here, on 20."""

NPM_CI_OPTIONS = ("--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error")

INSTALL_TIMEOUT = 900.0
"""Seconds for one `npm ci`: from an empty npm cache it downloads ~150 MB."""


def howto(package_dir: Path = PACKAGE_DIR) -> str:
    return (
        "the tests need Node.js 20 or newer with npm (Debian 12's own `nodejs` package is 18, "
        "older than that): install it from https://nodejs.org/en/download or NodeSource's "
        "Debian packages (https://github.com/nodesource/distributions), then re-run pytest; "
        f"it installs the npm packages pinned in {package_dir / 'package-lock.json'} itself."
    )


class NodeUnavailable(RuntimeError):
    """Node.js or npm is missing, too old, or `npm ci` failed; the message says what to do."""


def node_executable(package_dir: Path = PACKAGE_DIR) -> str:
    """The `node` on PATH if it is Node.js 20+; raises `NodeUnavailable` otherwise."""
    node = shutil.which("node")
    if node is None:
        raise NodeUnavailable(f"`node` is not on PATH: {howto(package_dir)}")
    version = subprocess.run(
        [node, "--version"], capture_output=True, text=True, check=False, timeout=60
    ).stdout.strip()
    major = version.lstrip("v").split(".")[0]
    if not major.isdigit() or int(major) < MIN_NODE:
        raise NodeUnavailable(
            f"`{node}` is Node.js {version or '(unknown version)'}: {howto(package_dir)}"
        )
    return node


def lock_sha256(package_dir: Path) -> str:
    return hashlib.sha256((package_dir / "package-lock.json").read_bytes()).hexdigest()


def is_current(package_dir: Path) -> bool:
    """True if node_modules was installed from the lock file as it is now."""
    stamp = package_dir / "node_modules" / STAMP
    try:
        return stamp.read_text().strip() == lock_sha256(package_dir)
    except FileNotFoundError:
        return False


def install(package_dir: Path = PACKAGE_DIR) -> Path:
    """Make `package_dir/node_modules` match its lock file, with `npm ci` if it does not.

    Returns the node_modules directory. Raises `NodeUnavailable` if node/npm are missing
    or too old, or if `npm ci` fails (with the end of its output).
    """
    node_modules = package_dir / "node_modules"
    if is_current(package_dir):
        return node_modules
    node_executable(package_dir)
    npm = shutil.which("npm")
    if npm is None:
        raise NodeUnavailable(f"`npm` is not on PATH: {howto(package_dir)}")
    # Matches the `*.migsafe-lock` pattern of .gitignore.
    with file_lock(package_dir / "npm-install.migsafe-lock"):
        if is_current(package_dir):  # another session installed it while we waited
            return node_modules
        expected = lock_sha256(package_dir)
        try:
            done = subprocess.run(
                [npm, "ci", "--prefix", str(package_dir), *NPM_CI_OPTIONS],
                capture_output=True,
                text=True,
                check=False,
                timeout=INSTALL_TIMEOUT,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired as exc:
            raise NodeUnavailable(
                f"`npm ci --prefix {package_dir}` did not finish within {INSTALL_TIMEOUT:.0f} s"
            ) from exc
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-30:])
            raise NodeUnavailable(
                f"`npm ci --prefix {package_dir}` exited with {done.returncode}:\n{tail}"
            )
        (node_modules / STAMP).write_text(expected + "\n")
    return node_modules


_failure: NodeUnavailable | None = None


def ensure_installed() -> Path:
    """`install()` of tests/unleash once per session; a failure is raised again, not retried."""
    global _failure
    if _failure is not None:
        raise NodeUnavailable(str(_failure))
    try:
        return install(PACKAGE_DIR)
    except NodeUnavailable as exc:
        _failure = exc
        raise
