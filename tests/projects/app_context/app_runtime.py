"""A stand-in application runtime: env.py needs the instance this context manager sets."""

from collections.abc import Iterator
from contextlib import contextmanager

_instance: object | None = None


def current() -> object:
    if _instance is None:
        raise RuntimeError("instance not set")
    return _instance


@contextmanager
def app_context() -> Iterator[object]:
    global _instance
    _instance = object()
    try:
        yield _instance
    finally:
        _instance = None
