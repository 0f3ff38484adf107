"""Run a real Unleash server (npm's `unleash-server`) for the tests.

The server is pinned in `tests/unleash/package.json` and its lock file, and
installed into `tests/unleash/node_modules` (gitignored) by the first test that
needs it (tests/support/npm.py). It keeps its state in a database of its own
on the test PostgreSQL cluster. Without Node.js 20+ a test that needs it fails,
saying how to get it: a green run must mean the server was exercised.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tests.support import npm
from tests.support.pg import PgServer

PACKAGE_DIR = npm.PACKAGE_DIR
SERVER_JS = PACKAGE_DIR / "node_modules" / "unleash-server" / "dist" / "server.js"

PROJECT = "default"
ENVIRONMENT = "development"
ADMIN_TOKEN = "*:*.migsafe-test-admin-token"
BACKEND_TOKEN = f"{PROJECT}:{ENVIRONMENT}.migsafe-test-backend-token"
"""Unleash v8 token formats: `PROJECTS:ENVIRONMENT.SECRET`; admin tokens span all of both."""

START_TIMEOUT = 120.0
"""Seconds to wait for `/health`; it answers after ~5 s (first start migrates its database)."""


class UnleashUnavailable(RuntimeError):
    """The Unleash server could not be started; the message says why and how to fix it."""


class UnleashError(RuntimeError):
    """The Unleash API answered a request with an error status."""


@dataclass(frozen=True)
class UnleashServer:
    """A running server: its base URL, the tokens it was started with, and its log."""

    base_url: str
    admin_token: str
    backend_token: str
    log: Path

    @property
    def api_url(self) -> str:
        """What SDKs are given as the server URL (they append `/client/features`)."""
        return f"{self.base_url}/api"

    def request(
        self,
        method: str,
        path: str,
        body: object = None,
        *,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Call the API at `path` with the admin token (or `token`); the decoded JSON or None."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.base_url + path,
            data=data,
            method=method,
            headers={
                "Authorization": token or self.admin_token,
                "Content-Type": "application/json",
                "Accept": "application/json",
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")
            raise UnleashError(f"{method} {path}: HTTP {exc.code}: {detail}") from exc
        return json.loads(raw) if raw.strip() else None

    # --------------------------------------------------------------- the admin API

    def create_feature(self, name: str, *, feature_type: str = "release") -> None:
        """Create feature `name` in the default project (off in every environment)."""
        self.request(
            "POST",
            f"/api/admin/projects/{PROJECT}/features",
            {"name": name, "type": feature_type},
        )

    def add_strategy(self, feature: str, strategy: Mapping[str, Any]) -> None:
        """Add an activation strategy to `feature` in the test environment."""
        self.request("POST", f"{self._env_path(feature)}/strategies", dict(strategy))

    def set_enabled(self, feature: str, enabled: bool) -> None:
        """Switch `feature` on or off in the test environment."""
        self.request("POST", f"{self._env_path(feature)}/{'on' if enabled else 'off'}")

    def client_features(self, *, client_spec: str | None = None) -> dict[str, Any]:
        """`GET /api/client/features` as an SDK with the backend token sees it.

        `client_spec` is the `Unleash-Client-Spec` version the SDK announces: a recent one
        (e.g. 5.1.0) gets segments once, at the top of the document, instead of inlined.
        """
        headers = None if client_spec is None else {"Unleash-Client-Spec": client_spec}
        document = self.request(
            "GET", "/api/client/features", token=self.backend_token, headers=headers
        )
        assert isinstance(document, dict)
        return document

    def _env_path(self, feature: str) -> str:
        return (
            f"/api/admin/projects/{PROJECT}/features/{quote(feature, safe='')}"
            f"/environments/{ENVIRONMENT}"
        )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _database_url(pg: PgServer, dbname: str) -> str:
    user, password = quote(pg.user, safe=""), quote(pg.password, safe="")
    return f"postgres://{user}:{password}@{pg.host}:{pg.port}/{dbname}"


def _healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/health", timeout=2) as resp:
            return bool(resp.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def log_tail(log: Path, lines: int = 40) -> str:
    try:
        text = log.read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join(text[-lines:])


def check_installed() -> str:
    """The `node` executable, the server installed; raises `UnleashUnavailable` if it cannot be."""
    try:
        npm.ensure_installed()
        node = npm.node_executable()
    except npm.NodeUnavailable as exc:
        raise UnleashUnavailable(str(exc)) from exc
    if not SERVER_JS.is_file():
        raise UnleashUnavailable(f"{SERVER_JS} does not exist after `npm ci`.")
    return node


@contextlib.contextmanager
def start_server(pg: PgServer) -> Iterator[UnleashServer]:
    """Start an Unleash server on a fresh database of `pg`; stopped and dropped on exit."""
    node = check_installed()
    dbname = f"unleash_{uuid.uuid4().hex[:12]}"
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_dir = Path(tempfile.mkdtemp(prefix="migsafe-unleash-"))
    log = log_dir / "unleash.log"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(pg, dbname),
        "DATABASE_SSL": "false",
        "INIT_ADMIN_API_TOKENS": ADMIN_TOKEN,
        "INIT_BACKEND_API_TOKENS": BACKEND_TOKEN,
        "HTTP_HOST": "127.0.0.1",
        "HTTP_PORT": str(port),
        "SEND_TELEMETRY": "false",
        "CHECK_VERSION": "false",
        "LOG_LEVEL": "warn",
    }
    pg.create_database(dbname)
    try:
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [node, str(SERVER_JS)],
                cwd=PACKAGE_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while not _healthy(base_url):
                if proc.poll() is not None:
                    raise UnleashUnavailable(
                        f"unleash-server exited with {proc.returncode} before answering; "
                        f"log {log}:\n{log_tail(log)}"
                    )
                if time.monotonic() > deadline:
                    raise UnleashUnavailable(
                        f"unleash-server did not answer {base_url}/health within "
                        f"{START_TIMEOUT:.0f} s; log {log}:\n{log_tail(log)}"
                    )
                time.sleep(0.2)
            yield UnleashServer(base_url, ADMIN_TOKEN, BACKEND_TOKEN, log)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)
    finally:
        pg.drop_database(dbname)
    shutil.rmtree(log_dir, ignore_errors=True)
