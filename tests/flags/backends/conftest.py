"""Fixtures for flag backends: a store in a fresh database, and a way to wait for a change."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from flags.backends import PostgresStore
from flags.client import FlagClient

WaitFor = Callable[[Callable[[], bool]], None]


@pytest.fixture
def store(pg_url: str) -> PostgresStore:
    return PostgresStore(pg_url)


@pytest.fixture
def wait_for() -> WaitFor:
    """Poll `condition` until true, failing after a deadline (never a fixed sleep)."""

    def wait(condition: Callable[[], bool], timeout: float = 2.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout}s")
            time.sleep(0.01)

    return wait


@pytest.fixture
def make_client(pg_url: str) -> Iterator[Callable[..., FlagClient]]:
    """Database clients closed at the end of the test."""
    clients: list[FlagClient] = []

    def make(**kwargs: object) -> FlagClient:
        client = FlagClient.from_database(pg_url, **kwargs)  # type: ignore[arg-type]
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def unused_port() -> int:
    """A local TCP port with nothing listening on it."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
