"""The test session installs its own npm packages: `pytest` alone works on a fresh clone.

These run tests/support/npm.py's installer on a copy of tests/unleash's package files in a
temporary directory, without node_modules, as a fresh clone has it. To keep the copy quick
it is cut down to `@unleash/client-specification` (same pin, same integrity hash as the real
lock file); npm's cache may serve it, `.ci/run` is not involved.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support import npm

SPEC_PACKAGE = "@unleash/client-specification"


@pytest.fixture
def package_dir(tmp_path: Path) -> Path:
    """tests/unleash's package.json and lock file with only the specification package kept."""
    manifest = json.loads((npm.PACKAGE_DIR / "package.json").read_text())
    lock = json.loads((npm.PACKAGE_DIR / "package-lock.json").read_text())
    pin = manifest["dependencies"][SPEC_PACKAGE]
    manifest["dependencies"] = {SPEC_PACKAGE: pin}
    root = {**lock["packages"][""], "dependencies": {SPEC_PACKAGE: pin}}
    lock["packages"] = {
        "": root,
        f"node_modules/{SPEC_PACKAGE}": lock["packages"][f"node_modules/{SPEC_PACKAGE}"],
    }
    directory = tmp_path / "unleash"
    directory.mkdir()
    (directory / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
    (directory / "package-lock.json").write_text(json.dumps(lock, indent=2) + "\n")
    return directory


def test_installs_what_is_missing_once_and_again_when_the_lock_file_changes(
    package_dir: Path,
) -> None:
    node_modules = package_dir / "node_modules"
    assert not node_modules.exists()

    assert npm.install(package_dir) == node_modules
    index = node_modules / SPEC_PACKAGE / "specifications" / "index.json"
    assert "01-simple-examples.json" in json.loads(index.read_text())
    stamp = node_modules / npm.STAMP
    assert stamp.read_text().strip() == npm.lock_sha256(package_dir)

    # A current install is reused as it is: npm ci would have removed this file.
    kept = node_modules / "left-by-the-first-install"
    kept.touch()
    npm.install(package_dir)
    assert kept.exists()

    # A changed lock file (here only its formatting) reinstalls, stamped with its new hash.
    lock = package_dir / "package-lock.json"
    lock.write_text(json.dumps(json.loads(lock.read_text()), indent=4) + "\n")
    npm.install(package_dir)
    assert not kept.exists()
    assert index.is_file()
    assert stamp.read_text().strip() == npm.lock_sha256(package_dir)


def test_without_node_it_fails_saying_how_to_get_it(
    package_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(npm.NodeUnavailable, match=r"Node\.js 20 or newer") as caught:
        npm.install(package_dir)
    assert "`node` is not on PATH" in str(caught.value)
    assert "nodejs.org" in str(caught.value)
    assert not (package_dir / "node_modules").exists()


def test_an_old_node_fails_saying_how_to_get_a_new_one(
    package_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Debian 12's own nodejs is 18: found on PATH, it must not be taken as good enough."""
    bin_dir = tmp_path / "old-node"
    bin_dir.mkdir()
    fake = bin_dir / "node"
    fake.write_text("#!/bin/sh\necho v18.19.0\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(npm.NodeUnavailable, match=r"is Node\.js v18\.19\.0: .*20 or newer"):
        npm.install(package_dir)
    assert not (package_dir / "node_modules").exists()
