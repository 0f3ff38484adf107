"""Translate the regex syntax of Unleash's engine (Rust's `regex`) into RE2 syntax, for `re2`.

Unleash matches REGEX constraints with Rust's `regex` crate (in its Yggdrasil
engine), so a pattern must mean the same here. Both are linear-time automata
engines with nearly the same syntax, and RE2 (`google-re2`) is what evaluates
here: a pattern such as `(a+)+$` cannot make a request wait, as it could with
Python's backtracking `re`. Where the two differ, the pattern is translated:
Rust's `\\d`, `\\w` and `\\s` are Unicode classes and RE2's are ASCII, Rust
accepts `a**`, `a{2}{3}` and the verbose flag `x`, and RE2 reads `[a&&b]` or a
`(?u)` flag differently or not at all. The translator resolves every flag
itself and emits explicit constructs (`\\z` for a non-multiline `$`, `(?i:...)`
around case-insensitive atoms, the Unicode classes spelled out).

It raises `UnsupportedPattern` for anything Rust would refuse or that RE2
cannot express exactly (class set operations, nested classes, `\\W` inside a
class, the `\\b{start}` and `\\<` word-edge assertions, the `R` flag, Rust's
loose Unicode class names such as `\\p{greek}`, repetition counts over 1000):
such a constraint then matches nothing, the safe reading of a pattern we cannot
honour. One difference remains: RE2's `\\b` and `\\B` know only ASCII word
characters (`\\bé` does not match `é`, where Rust's Unicode `\\b` does).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import re2

from flags.evaluate.constraints.re2_lexing import (
    Cursor,
    Flags,
    Piece,
    UnsupportedPattern,
    literal,
    perl_class,
)

__all__ = ["UnsupportedPattern", "compile_re2", "translate"]

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a refused pattern is expected, not worth a line on stderr
_OPTIONS.never_capture = True  # only whether it matches is asked: no groups to record


def translate(pattern: str, *, ignore_case: bool = False) -> str:
    """RE2 syntax matching exactly what `pattern` matches in Rust's `regex`."""
    return _Translator(pattern).run(Flags(i=ignore_case))


def compile_re2(pattern: str, *, ignore_case: bool = False) -> Any:
    """`pattern` compiled by RE2 (use its `search`); raises UnsupportedPattern if it cannot be.

    RE2 also refuses what it would need too much memory for (e.g. `a{1000}{1000}`).
    """
    try:
        return re2.compile(translate(pattern, ignore_case=ignore_case), _OPTIONS)
    except UnsupportedPattern:
        raise
    # ValueError: a repetition count too long for int(); RecursionError: groups nested deeper
    # than the translator's recursion can go.
    except (re2.error, ValueError, OverflowError, RecursionError) as exc:
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
                or char not in "imsxuU"
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
            if flags.ascii:
                raise self.fail("(?-u) . can match invalid UTF-8, which Rust refuses")
            return Piece("(?s:.)" if flags.s else ".")
        if char == "^":
            return Piece("(?m:^)" if flags.m else r"\A", quantifiable=False)
        if char == "$":
            return Piece("(?m:$)" if flags.m else r"\z", quantifiable=False)
        if char == "[":
            if flags.ascii and self.peek() == "^":
                raise self.fail("(?-u) negated class can match invalid UTF-8, which Rust refuses")
            return self.bracket_class(flags)
        if char == "\\":
            return self._escape(flags)
        return self._literal(char, flags)

    def _literal(self, char: str, flags: Flags) -> Piece:
        text = literal(char)
        if flags.i and char.lower() != char.upper():
            # Under (?-u) Rust folds ASCII case only; RE2's (?i) would also fold K to the
            # Kelvin sign.
            ascii_letter = flags.ascii and char.isascii()
            text = f"[{char.lower()}{char.upper()}]" if ascii_letter else f"(?i:{text})"
        return Piece(text)

    def _escape(self, flags: Flags) -> Piece:
        char = self.peek()
        self.pos += 1
        if not char:
            raise self.fail("trailing backslash")
        if char in "pP":
            text = self.unicode_class(char, flags)
            return Piece(f"(?i:{text})" if flags.i else text)
        if char in "dDwWsS":
            if flags.ascii and char.isupper():
                raise self.fail(f"(?-u) \\{char} can match invalid UTF-8, which Rust refuses")
            return Piece(perl_class(char, ascii=flags.ascii))
        if char == "b" and self.peek() == "{":
            # \b{start}, \b{end}...: RE2 has no lookaround to express them.
            raise self.fail("word-edge assertions are not supported")
        if char in "<>":
            raise self.fail("word-edge assertions are not supported")
        if char in "bB":
            return Piece(f"\\{char}", quantifiable=False)
        if char == "A":
            return Piece(r"\A", quantifiable=False)
        if char == "z":
            return Piece(r"\z", quantifiable=False)
        return self._literal(self.escaped_char(char), flags)
