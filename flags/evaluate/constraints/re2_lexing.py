"""The character-level parts of RE2 syntax: escapes and bracket classes.

Split from `re2_syntax` (which handles groups, flags and repetition) to keep
each module small; see there for why patterns are translated at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_POSIX = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": r"\x00-\x7f",
    "blank": r"\t ",
    "cntrl": r"\x00-\x1f\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": r"!-/:-@\[-`{-~",
    "space": r"\t\n\x0b\x0c\r ",
    "upper": "A-Z",
    "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}
_ASCII_PERL = {"d": "0-9", "w": "0-9A-Za-z_", "s": r"\t\n\x0b\x0c\r "}
_CONTROL = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a"}


class UnsupportedPattern(ValueError):
    """The pattern is invalid for RE2, or cannot be matched exactly with Python's `re`."""


@dataclass(frozen=True)
class Flags:
    """The RE2 flags in force: case-insensitive, multiline, dot-all, verbose, ASCII (`-u`)."""

    i: bool = False
    m: bool = False
    s: bool = False
    x: bool = False
    ascii: bool = False


@dataclass
class Piece:
    """One translated atom; wrapped in `(?:...)` when a second repetition is applied."""

    text: str
    quantifiable: bool = True
    quantified: bool = False


class Cursor:
    """A position in a pattern, with the parsing shared by atoms and classes."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.pos = 0
        self.names: set[str] = set()

    def peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.pattern[index] if index < len(self.pattern) else ""

    def fail(self, why: str) -> UnsupportedPattern:
        return UnsupportedPattern(f"{why} at offset {self.pos} in {self.pattern!r}")

    def escaped_char(self, char: str) -> str:
        """The character an escape like `\\n`, `\\x41`, `\\u{1F600}` or `\\.` stands for."""
        if not char:
            raise self.fail("trailing backslash")
        if char in _CONTROL:
            return _CONTROL[char]
        if char in "xuU":
            digits = {"x": 2, "u": 4, "U": 8}[char]
            if self.peek() == "{":
                end = self.pattern.find("}", self.pos)
                code = self.pattern[self.pos + 1 : end] if end > 0 else ""
                self.pos = end + 1
            else:
                code = self.pattern[self.pos : self.pos + digits]
                self.pos += digits
                if len(code) != digits:
                    raise self.fail("short hex escape")
            if not code or not re.fullmatch(r"[0-9a-fA-F]{1,8}", code) or int(code, 16) > 0x10FFFF:
                raise self.fail("malformed hex escape")
            return chr(int(code, 16))
        if char and char.isascii() and not char.isalnum():
            return char
        raise self.fail(f"unsupported escape \\{char}")

    def bracket_class(self, flags: Flags) -> Piece:
        """A `[...]` class (the `[` consumed), with POSIX classes; no nesting or set operations."""
        negated = self.peek() == "^"
        if negated:
            self.pos += 1
        items: list[str] = []
        first = True
        while True:
            char = self.peek()
            if char == "":
                raise self.fail("unclosed class")
            if char == "]" and not first:
                self.pos += 1
                break
            first = False
            if flags.x and char.isspace():
                self.pos += 1
                continue
            if char == "[":
                posix = self._posix()
                if posix.startswith("^"):
                    if items or negated or self.peek() != "]":
                        raise self.fail("negated POSIX class in a larger class")
                    negated, posix = True, posix[1:]
                items.append(posix)
                continue
            if self.pattern.startswith(("&&", "--", "~~"), self.pos):
                raise self.fail("class set operations are not supported")
            letter = self.peek(1)
            if char == "\\" and letter and letter in "dwsDWS":
                self.pos += 2
                if not flags.ascii:
                    items.append("\\" + letter)
                elif letter in _ASCII_PERL:
                    items.append(_ASCII_PERL[letter])
                else:
                    raise self.fail("negated ASCII Perl class inside a class")
                if self.peek() == "-" and self.peek(1) not in ("]", ""):
                    raise self.fail("a Perl class cannot bound a range")
                continue
            low = self._class_char()
            if self.peek() == "-" and self.peek(1) not in ("]", ""):
                self.pos += 1
                high = self._class_char()
                if high < low:
                    raise self.fail("invalid class range")
                items.append(f"{re.escape(low)}-{re.escape(high)}")
            else:
                items.append(re.escape(low))
        text = f"[{'^' if negated else ''}{''.join(items)}]"
        return Piece(f"(?i:{text})" if flags.i else text)

    def _posix(self) -> str:
        match = re.compile(r"\[:(\^?)([a-z]+):\]").match(self.pattern, self.pos)
        if match is None or match.group(2) not in _POSIX:
            raise self.fail("nested classes are not supported")
        self.pos = match.end()
        return match.group(1) + _POSIX[match.group(2)]

    def _class_char(self) -> str:
        """One literal character of a class, plain or escaped."""
        char = self.peek()
        self.pos += 1
        if char != "\\":
            return char
        escape = self.peek()
        self.pos += 1
        return self.escaped_char(escape)
