"""The shared dataclass-to-JSON helper: what each kind of value becomes, renames and omissions."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, NamedTuple

from migsafe.results import OMIT, AsDict, json_key, plain, to_dict


class Colour(StrEnum):
    RED = "red"


class Pair(NamedTuple):
    name: str
    ok: bool


@dataclass(frozen=True)
class Inner:
    when: dt.datetime
    colour: Colour


@dataclass(frozen=True)
class Shaped(AsDict):
    """A nested result with its own shape: the helper must use it, not the fields."""

    value: int

    def to_dict(self) -> dict[str, Any]:
        return {"shaped": self.value * 2}


@dataclass(frozen=True)
class Outer(AsDict):
    colour: Colour
    at: dt.datetime | None
    day: dt.date
    path: Path
    names: tuple[str, ...]
    counts: dict[str, int]
    inner: Inner
    inners: tuple[Inner, ...]
    pair: Pair
    shaped: Shaped
    secret: bytes = field(default=b"x", metadata=OMIT)
    rows: tuple[int, ...] = field(default=(1, 2), metadata=json_key("applications"))
    missing: str | None = None


WHEN = dt.datetime(2026, 3, 1, 12, 0, 5, 250000, tzinfo=dt.UTC)


def outer() -> Outer:
    return Outer(
        colour=Colour.RED,
        at=WHEN,
        day=dt.date(2026, 3, 2),
        path=Path("/var/lib/snap.dump"),
        names=("a", "b"),
        counts={"t": 3},
        inner=Inner(WHEN, Colour.RED),
        inners=(Inner(WHEN, Colour.RED),),
        pair=Pair("file", True),
        shaped=Shaped(4),
    )


def test_fields_in_order_with_rename_and_omission() -> None:
    assert list(to_dict(outer())) == [
        "colour",
        "at",
        "day",
        "path",
        "names",
        "counts",
        "inner",
        "inners",
        "pair",
        "shaped",
        "applications",
        "missing",
    ]


def test_each_kind_of_value_becomes_plain_json() -> None:
    data = outer().to_dict()
    assert data == {
        "colour": "red",
        "at": "2026-03-01T12:00:05.250000+00:00",
        "day": "2026-03-02",
        "path": "/var/lib/snap.dump",
        "names": ["a", "b"],
        "counts": {"t": 3},
        "inner": {"when": "2026-03-01T12:00:05.250000+00:00", "colour": "red"},
        "inners": [{"when": "2026-03-01T12:00:05.250000+00:00", "colour": "red"}],
        "pair": {"name": "file", "ok": True},
        "shaped": {"shaped": 8},
        "applications": [1, 2],
        "missing": None,
    }
    # Plain values, not subclasses: an enum would print the same through json but compare
    # and pickle differently, and `type(...) is str` is what a JSON consumer gets back.
    assert type(data["colour"]) is str and type(data["inner"]["colour"]) is str
    assert json.loads(json.dumps(data)) == data


def test_plain_leaves_json_values_and_unknown_objects_alone() -> None:
    marker = object()
    assert plain(marker) is marker
    assert plain(True) is True and plain(1.5) == 1.5 and plain(None) is None
