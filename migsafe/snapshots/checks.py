"""The checks every snapshot gets, whichever backend wrote it: the file against its catalog
entry, and a restored copy's data against what was recorded."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from migsafe.db.fingerprint import Fingerprint
from migsafe.snapshots.model import Snapshot
from migsafe.snapshots.pgdump import sha256_file

__all__ = ["Check", "compare_data", "file_checks"]


class Check(NamedTuple):
    """One verification step: its name, whether it passed, and what was found."""

    name: str
    ok: bool
    detail: str


def file_checks(path: Path, snapshot: Snapshot) -> list[Check]:
    """The file is there, has the recorded size, and hashes to the recorded sha256."""
    if not path.is_file():
        return [Check("file", False, f"{path} is missing")]
    size = path.stat().st_size
    if size != snapshot.size:
        return [Check("file", False, f"{size} bytes, {snapshot.size} recorded")]
    checks = [Check("file", True, f"{size} bytes")]
    digest = sha256_file(path)
    if digest != snapshot.sha256:
        checks.append(Check("sha256", False, f"{digest}, but {snapshot.sha256} recorded"))
    else:
        checks.append(Check("sha256", True, "matches"))
    return checks


def compare_data(snapshot: Snapshot, found: Fingerprint) -> list[Check]:
    """Row counts and table checksums of a restored copy against the recorded ones."""
    return [
        _compare("row counts", snapshot.row_counts, found.row_counts),
        _compare("checksums", snapshot.table_checksums, found.tables),
    ]


def _compare(name: str, recorded: Mapping[str, object], found: Mapping[str, object]) -> Check:
    wrong = [
        f"{t}: {recorded.get(t, 'absent')} recorded, {found.get(t, 'absent')} restored"
        for t in sorted(set(recorded) | set(found))
        if recorded.get(t) != found.get(t)
    ]
    if wrong:
        more = f" (and {len(wrong) - 3} more)" if len(wrong) > 3 else ""
        return Check(name, False, "; ".join(wrong[:3]) + more)
    return Check(name, True, f"{n_tables(len(recorded))} match")


def n_tables(n: int) -> str:
    """``1 table``, ``3 tables``."""
    return f"{n} table" if n == 1 else f"{n} tables"
