"""``# migsafe: ignore[rule-id, ...] reason`` comments in a revision file.

A comment after code silences its own line; a comment on a line of its own silences the next
line of code (where a multi-line call starts, which is the line findings are reported on);
``# migsafe: ignore-file[rule-id] reason`` silences the whole file. A reason is required: a
comment without one silences nothing and is itself reported (``invalid-ignore``).
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass

_COMMENT = re.compile(
    r"#\s*migsafe:\s*ignore(?P<file>-file)?\s*\[(?P<ids>[^\]]*)\]\s*(?P<reason>.*)$"
)


@dataclass(frozen=True)
class Ignore:
    rules: frozenset[str]
    reason: str
    line: int  # where the comment is
    applies_to: int | None  # the line it silences; None: the whole file


def ignores(source: str) -> list[Ignore]:
    found: list[Ignore] = []
    pending: list[tuple[frozenset[str], str, int, bool]] = []
    code_lines: set[int] = set()
    comments: list[tuple[int, str, bool]] = []  # line, text, after code
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return []
    for tok in tokens:
        if tok.type == tokenize.COMMENT:
            comments.append((tok.start[0], tok.string, tok.line[: tok.start[1]].strip() != ""))
        elif tok.type not in (
            tokenize.NL,
            tokenize.NEWLINE,
            tokenize.INDENT,
            tokenize.DEDENT,
            tokenize.ENDMARKER,
        ):
            code_lines.add(tok.start[0])
    for line, text, after_code in comments:
        match = _COMMENT.search(text)
        if match is None:
            continue
        rules = frozenset(r.strip() for r in match.group("ids").split(",") if r.strip())
        reason = match.group("reason").strip()
        if match.group("file"):
            found.append(Ignore(rules, reason, line, None))
        elif after_code:
            found.append(Ignore(rules, reason, line, line))
        else:
            pending.append((rules, reason, line, True))
    ordered = sorted(code_lines)
    for rules, reason, line, _ in pending:
        target = next((n for n in ordered if n > line), None)
        found.append(Ignore(rules, reason, line, target))
    return found
