"""`flags_import` and `flags_export`: a client-features document goes in and comes out as it is.

Every state of Unleash's client specification (segments, dependencies, UTF-8 names, variants
of every kind) is imported, exported, and compared key for key; the exported document must
still give the specification's answers, and importing it again must change nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from flags.evaluate import Engine
from migsafe.api.flags import flags_export, flags_import
from migsafe.errors import FlagError
from migsafe.settings import Settings
from tests.support import unleash_spec

FILES = unleash_spec.files()


@pytest.fixture
def settings(pg_url: str) -> Settings:
    return Settings(ini_file=None, toml_file=None, database_url=pg_url)


def write(tmp_path: Path, document: dict[str, Any], name: str = "flags.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def by_key(items: list[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    return {item[key]: item for item in items}


@pytest.mark.parametrize("name", FILES, ids=[f.removesuffix(".json") for f in FILES])
def test_a_specification_state_round_trips_exactly_and_keeps_its_meaning(
    name: str, settings: Settings, tmp_path: Path
) -> None:
    suite = unleash_spec.load(name)
    state = suite["state"]
    result = flags_import(settings, write(tmp_path, state), actor="test")
    assert sorted(result.created) == sorted(f["name"] for f in state["features"])
    assert sorted(result.segments_created) == sorted(s["id"] for s in state.get("segments", []))

    exported = flags_export(settings)
    assert by_key(exported["features"], "name") == by_key(state["features"], "name")
    assert by_key(exported["segments"], "id") == by_key(state.get("segments", []), "id")

    engine = Engine(exported, hostname="spec-host")
    for case in suite.get("tests", []):
        got = engine.is_enabled(case["toggleName"], case["context"])
        assert got is case["expectedResult"], case["description"]

    again = flags_import(settings, write(tmp_path, exported, "again.json"), actor="test")
    assert (again.created, again.updated, again.version) == ((), (), None)
    assert (again.segments_created, again.segments_updated) == ((), ())
    assert flags_export(settings) == exported


UNLEASH_RESPONSE: dict[str, Any] = {
    # `GET /api/client/features` as Unleash 8 answers an SDK that takes global segments.
    "version": 2,
    "features": [
        {
            "name": "paying_checkout",
            "type": "release",
            "description": None,
            "project": "default",
            "enabled": True,
            "stale": False,
            "impressionData": False,
            "strategies": [
                {
                    "id": "0d3b3c1e-1f7a-4c47-9e0b-3f2b8f1d0a11",
                    "name": "flexibleRollout",
                    "constraints": [],
                    "parameters": {
                        "groupId": "paying_checkout",
                        "rollout": "60",
                        "stickiness": "userId",
                    },
                    "variants": [],
                    "segments": [4],
                    "sortOrder": 0,
                    "title": "",
                    "disabled": False,
                }
            ],
            "variants": [],
            "dependencies": [{"feature": "base", "enabled": True}],
        },
        {
            "name": "base",
            "type": "release",
            "project": "default",
            "enabled": True,
            "strategies": [],
        },
    ],
    "segments": [
        {
            "id": 4,
            "name": "paying",
            "constraints": [
                {
                    "values": ["pro", "team"],
                    "inverted": False,
                    "operator": "IN",
                    "contextName": "plan",
                    "caseInsensitive": False,
                }
            ],
        }
    ],
    "query": {
        "project": ["default"],
        "environment": "development",
        "inlineSegmentConstraints": False,
    },
    "meta": {"revisionId": 17, "etag": '"76d8bb0e:17"', "queryHash": "76d8bb0e"},
}


def test_a_document_from_an_unleash_server_imports_unchanged(
    settings: Settings, tmp_path: Path
) -> None:
    flags_import(settings, write(tmp_path, UNLEASH_RESPONSE), actor="test")
    exported = flags_export(settings)
    assert by_key(exported["features"], "name") == by_key(UNLEASH_RESPONSE["features"], "name")
    assert exported["segments"] == UNLEASH_RESPONSE["segments"]
    engine = Engine(exported)
    assert (
        engine.is_enabled("paying_checkout", {"userId": "1", "properties": {"plan": "free"}})
        is False
    )
    assert any(
        engine.is_enabled("paying_checkout", {"userId": str(u), "properties": {"plan": "pro"}})
        for u in range(20)
    )


def test_a_changed_segment_is_updated_and_a_segment_given_twice_is_refused(
    settings: Settings, tmp_path: Path
) -> None:
    segment = {"id": 1, "constraints": []}
    document = {"version": 2, "features": [], "segments": [segment]}
    flags_import(settings, write(tmp_path, document), actor="test")
    changed = {**segment, "name": "renamed"}
    result = flags_import(
        settings, write(tmp_path, {**document, "segments": [changed]}, "b.json"), actor="test"
    )
    assert (result.segments_created, result.segments_updated) == ((), (1,))
    with pytest.raises(FlagError, match="segment 1 more than once"):
        flags_import(
            settings,
            write(tmp_path, {**document, "segments": [segment, changed]}, "c.json"),
            actor="test",
        )
    assert flags_export(settings)["segments"] == [changed]
