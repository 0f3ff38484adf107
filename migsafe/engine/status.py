"""Where the database is, compared with the migration scripts."""

from __future__ import annotations

from migsafe.engine.plan import _plan_step
from migsafe.engine.project import upgrade_steps
from migsafe.engine.runs import Direction
from migsafe.engine.session import open_session
from migsafe.errors import MigsafeError
from migsafe.results import Pending, StatusResult
from migsafe.settings import Settings


def read_status(settings: Settings) -> StatusResult:
    session = open_session(settings, read_only=True)
    try:
        project = session.project
        current = session.heads
        heads = tuple(sorted(project.script.get_heads()))
        revmap = project.script.revision_map
        unknown = tuple(h for h in current if not _known(revmap, h))
        pending: tuple[Pending, ...] = ()
        if not unknown:
            try:
                steps = upgrade_steps(project, "heads", current)
            except MigsafeError:
                steps = []
            pending = tuple(
                Pending(s.revision, s.down_revisions, s.message, s.transactional)
                for s in (_plan_step(step, Direction.UPGRADE, load=False) for step in steps)
            )
        runs = session.history.runs(limit=1)
        return StatusResult(
            database=session.database,
            current=current,
            heads=heads,
            pending=pending,
            last_run=runs[0] if runs else None,
            unknown_current=unknown,
        )
    finally:
        session.close()


def _known(revmap: object, revision: str) -> bool:
    try:
        return revmap.get_revision(revision) is not None  # type: ignore[attr-defined]
    except Exception:  # alembic raises ResolutionError for an unknown id
        return False
