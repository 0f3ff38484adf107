"""A recorded check vouches for one plan; any change to it is named."""

from __future__ import annotations

import json
from pathlib import Path

from migsafe.check.plan_hash import Manifest, changes, manifest


def _files(tmp_path: Path, **sources: str) -> list[tuple[str, Path]]:
    out = []
    for revision, source in sources.items():
        path = tmp_path / f"{revision}.py"
        path.write_text(source)
        out.append((revision, path))
    return out


def test_the_same_plan_has_the_same_digest_and_no_changes(tmp_path: Path) -> None:
    files = _files(tmp_path, a1="upgrade 1", b2="upgrade 2")
    first, second = manifest(["b2"], files), manifest(["b2"], files)
    assert first.digest == second.digest and changes(first, second) == []


def test_a_changed_file_is_named(tmp_path: Path) -> None:
    files = _files(tmp_path, a1="upgrade 1", b2="upgrade 2")
    checked = manifest(["b2"], files)
    files[1][1].write_text("upgrade 2, edited after the check")
    now = manifest(["b2"], files)
    assert now.digest != checked.digest
    assert changes(checked, now) == ["revision b2's file changed since the check"]


def test_added_and_removed_revisions_and_another_target_are_named(tmp_path: Path) -> None:
    files = _files(tmp_path, a1="1", b2="2", c3="3")
    checked = manifest(["b2"], files[:2])
    now = manifest(["c3"], [files[0], files[2]])
    assert changes(checked, now) == [
        "target b2 -> c3",
        "revision c3 was not in the checked plan",
        "revision b2 is no longer in the plan",
    ]


def test_another_migsafe_version_is_named(tmp_path: Path) -> None:
    files = _files(tmp_path, a1="1")
    checked = manifest(["a1"], files)
    older = Manifest(checked.target_heads, checked.revisions, migsafe_version="0.0.1")
    assert changes(older, checked) == [f"migsafe 0.0.1 -> {checked.migsafe_version}"]


def test_the_manifest_survives_json(tmp_path: Path) -> None:
    checked = manifest(["a1"], _files(tmp_path, a1="1"))
    back = Manifest.from_dict(json.loads(json.dumps(checked.to_dict())))
    assert back == checked and back.digest == checked.digest
