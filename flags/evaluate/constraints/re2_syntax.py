"""Translate the regex syntax Unleash uses (Rust's `regex`, RE2-like) into Python `re` syntax.

Unleash validates REGEX constraints as RE2 and its engine matches them with
Rust's `regex` crate, so a pattern must mean the same here. Python's `re`
differs where it matters: `$` also matches before a final newline, inline flags
like `(?i)` are only allowed at the start, there are no `[[:alpha:]]` classes,
`a**` is an error, and it accepts what RE2 refuses (lookaround, backreferences).

The translator resolves every flag itself and emits explicit constructs (`\\Z`
for a non-multiline `$`, `(?i:...)` around case-insensitive atoms), and raises
`UnsupportedPattern` for anything RE2 would refuse or that `re` cannot express
exactly (`\\p{Greek}`, class set operations, the `U` and `R` flags): such a
constraint then matches nothing, the safe reading of a pattern we cannot honour.
"""

from __future__ import annotations

import re
from dataclasses import replace

from flags.evaluate.constraints.re2_lexing import Cursor, Flags, Piece, UnsupportedPattern

__all__ = ["UnsupportedPattern", "compile_re2", "translate"]

_BOUNDARIES = {
    "start": r"\b(?=\w)",
    "end": r"\b(?<=\w)",
    "start-half": r"(?<!\w)",
    "end-half": r"(?!\w)",
}


def translate(pattern: str, *, ignore_case: bool = False) -> str:
    """Python `re` syntax matching exactly what `pattern` matches in Rust's `regex`."""
    return _Translator(pattern).run(Flags(i=ignore_case))


def compile_re2(pattern: str, *, ignore_case: bool = False) -> re.Pattern[str]:
    """`pattern` compiled for `re.search`; raises UnsupportedPattern if it cannot be."""
    try:
        return re.compile(translate(pattern, ignore_case=ignore_case))
    except (re.error, OverflowError, RecursionError) as exc:
        raise UnsupportedPattern(str(exc)) from exc


class _Translator(Cursor):
    """Recursive descent over alternations, groups, repetitions and atoms."""

    def run(self, flags: Flags) -> str:
        text = self._alternation(flags)
        if self.pos < len(self.pattern):
            raise self.fail("unopened group")
        return text

    def _alternation(self, flags: Flags) -> str:
        branches: list[str] = []
        pieces: list[Piece] = []
        while self.pos < len(self.pattern):
            char = self.peek()
            if flags.x and self._skip_verbose():
                continue
            if char == ")":
                break
            if char == "|":
                branches.append("".join(p.text for p in pieces))
                pieces = []
                self.pos += 1
            elif char in "*+?{":
                self._quantify(pieces)
            elif char == "(":
                piece_or_flags = self._group(flags)
                if isinstance(piece_or_flags, Flags):
                    flags = piece_or_flags
                else:
                    pieces.append(piece_or_flags)
            else:
                pieces.append(self._atom(flags))
        branches.append("".join(p.text for p in pieces))
        return "|".join(branches)

    def _skip_verbose(self) -> bool:
        char = self.peek()
        if char.isspace():
            self.pos += 1
            return True
        if char == "#":
            end = self.pattern.find("\n", self.pos)
            self.pos = len(self.pattern) if end < 0 else end + 1
            return True
        return False

    def _quantify(self, pieces: list[Piece]) -> None:
        start = self.pos
        char = self.peek()
        if char == "{":
            match = re.compile(r"\{([0-9]+)(,([0-9]*))?\}").match(self.pattern, self.pos)
            if match is None:
                raise self.fail("malformed repetition")
            low, comma, high = match.group(1, 2, 3)
            if comma and high and int(high) < int(low):
                raise self.fail("repetition minimum above maximum")
            self.pos = match.end()
        else:
            self.pos += 1
        if self.peek() == "?":
            self.pos += 1
        if not pieces:
            raise self.fail("repetition of nothing")
        last = pieces[-1]
        if last.quantified or not last.quantifiable:
            last.text = f"(?:{last.text})"
        last.text += self.pattern[start : self.pos]
        last.quantified = True

    def _group(self, flags: Flags) -> Piece | Flags:
        self.pos += 1  # "("
        opening = "("
        if self.peek() == "?":
            self.pos += 1
            if self.peek() == ":":
                self.pos += 1
                opening = "(?:"
            elif self.pattern.startswith("P<", self.pos) or (
                self.peek() == "<" and self.peek(1) not in "=!"
            ):
                end = self.pattern.find(">", self.pos)
                name = self.pattern[self.pattern.index("<", self.pos) + 1 : max(end, 0)]
                if end < 0 or not name or name in self.names:
                    raise self.fail("malformed or repeated group name")
                self.names.add(name)
                self.pos = end + 1
            else:
                new_flags, ends_group = self._flag_group(flags)
                if ends_group:
                    return new_flags
                flags, opening = new_flags, "(?:"
        inner = self._alternation(flags)
        if self.peek() != ")":
            raise self.fail("unclosed group")
        self.pos += 1
        return Piece(f"{opening}{inner})")

    def _flag_group(self, flags: Flags) -> tuple[Flags, bool]:
        """Parse `(?flags)` or `(?flags:`; True when it is a bare `(?flags)` directive."""
        changes: dict[str, bool] = {}
        negating = dangling = False
        while True:
            char = self.peek()
            self.pos += 1
            if char in (")", ":"):
                if not changes or dangling:
                    raise self.fail("empty flag group")
                return replace(flags, **changes), char == ")"
            if char == "-" and not negating:
                negating = dangling = True
                continue
            if (
                not char
                or char not in "imsxu"
                or char in changes
                or (char == "u" and "ascii" in changes)
            ):
                raise self.fail(f"unsupported flag {char!r}")
            dangling = False
            if char == "u":
                changes["ascii"] = negating
            else:
                changes[char] = not negating

    def _atom(self, flags: Flags) -> Piece:
        char = self.peek()
        self.pos += 1
        if char == ".":
            return Piece("(?s:.)" if flags.s else ".")
        if char == "^":
            return Piece("(?m:^)" if flags.m else r"\A", quantifiable=False)
        if char == "$":
            return Piece("(?m:$)" if flags.m else r"\Z", quantifiable=False)
        if char == "[":
            return self.bracket_class(flags)
        if char == "\\":
            return self._escape(flags)
        return self._literal(char, flags)

    def _literal(self, char: str, flags: Flags) -> Piece:
        text = re.escape(char)
        if flags.i and char.lower() != char.upper():
            text = f"(?i:{text})"
        return Piece(text)

    def _escape(self, flags: Flags) -> Piece:
        char = self.peek()
        self.pos += 1
        if not char:
            raise self.fail("trailing backslash")
        if char in "dDwWsS":
            return Piece(f"(?a:\\{char})" if flags.ascii else f"\\{char}")
        if char in "bB<>":
            if char == "b" and self.peek() == "{":
                end = self.pattern.find("}", self.pos)
                name = self.pattern[self.pos + 1 : end] if end > 0 else ""
                if name not in _BOUNDARIES:
                    raise self.fail("unknown word boundary")
                self.pos = end + 1
                text = _BOUNDARIES[name]
            else:
                simple = {
                    "b": r"\b",
                    "B": r"\B",
                    "<": _BOUNDARIES["start"],
                    ">": _BOUNDARIES["end"],
                }
                text = simple[char]
            return Piece(f"(?a:{text})" if flags.ascii else text, quantifiable=False)
        if char == "A":
            return Piece(r"\A", quantifiable=False)
        if char == "z":
            return Piece(r"\Z", quantifiable=False)
        return self._literal(self.escaped_char(char), flags)
