"""``migsafe lint --format json``: one JSON document, stable for scripts (``"version": 1``).

The document (every key always present; new keys may be added, none renamed or removed
without a new ``version``)::

    {
      "version": 1,
      "ok": true,                    # not failed (every migsafe JSON document has "ok")
      "revisions": [{"revision": "3f1c2a9b7d10", "path": "migrations/versions/....py"}],
      "findings": [
        {"rule": "index-not-concurrent", "severity": "error", "revision": "3f1c2a9b7d10",
         "path": "...", "line": 14, "message": "...", "why": "...", "fix": "...",
         "table": "orders" | null, "estimate": "1.2M rows / 240 MB" | null}
      ],
      "suppressed": [{"rule": "...", "revision": "...", "path": "...", "line": 9,
                      "reason": "..."}],
      "summary": {"error": 1, "warning": 0, "info": 0},
      "fail_on": "error" | "warning" | "info" | null,
      "failed": true,
      "server_version": 160004 | null,   # server_version_num of the live database
      "offline": true,
      "notes": ["..."]
    }

Paths are as the run found them (absolute or relative to where it ran), not shortened: a
script reading the document can resolve them itself.
"""

from __future__ import annotations

import json
from typing import Any

from migsafe.lint.model import LintResult
from migsafe.render.lint._common import by_revision, counts, revision_path

VERSION = 1


def document(result: LintResult) -> dict[str, Any]:
    """The result as the documented JSON object."""
    return {
        "version": VERSION,
        "ok": not result.failed,
        "revisions": [
            {"revision": g.revision, "path": g.path or None} for g in by_revision(result)
        ],
        "findings": [
            {
                "rule": f.rule,
                "severity": f.severity.value,
                "revision": f.revision,
                "path": f.path,
                "line": f.line,
                "message": f.message,
                "why": f.why,
                "fix": f.fix,
                "table": f.table,
                "estimate": f.estimate,
            }
            for f in result.findings
        ],
        "suppressed": [
            {
                "rule": s.rule,
                "revision": s.revision,
                "path": revision_path(result, s.revision) or None,
                "line": s.line,
                "reason": s.reason,
            }
            for s in result.suppressed
        ],
        "summary": counts(result),
        "fail_on": result.fail_on.value if result.fail_on is not None else None,
        "failed": result.failed,
        "server_version": result.server_version,
        "offline": result.offline,
        "notes": list(result.notes),
    }


def render(result: LintResult) -> str:
    return json.dumps(document(result), indent=2, ensure_ascii=False) + "\n"
