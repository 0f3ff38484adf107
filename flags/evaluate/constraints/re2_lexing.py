"""The character-level parts of the pattern syntax: escapes, Perl classes and bracket classes.

Split from `re2_syntax` (which handles groups, flags and repetition) to keep
each module small; see there for why patterns are translated at all. Everything
is emitted in RE2 syntax, with characters other than ASCII letters and digits
spelled `\\x{HEX}`, which RE2 reads the same inside and outside a class.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_POSIX = frozenset(
    (
        "alnum",
        "alpha",
        "ascii",
        "blank",
        "cntrl",
        "digit",
        "graph",
        "lower",
        "print",
        "punct",
        "space",
        "upper",
        "word",
        "xdigit",
    )
)
"""The ASCII classes `[[:name:]]`: RE2 has the same ones, with the same (ASCII) members."""

# Rust's Perl classes are Unicode-aware by default, RE2's are ASCII-only: so each is spelled
# out. `\w` is Alphabetic + M + Nd + Pc + Join_Control (UTS #18); RE2 has no Alphabetic
# property, so it is L + Nl + the Other_Alphabetic code points that are not marks (circled
# letters). `\s` is White_Space. Checked code point by code point against Unleash's engine;
# only code points assigned in a newer Unicode version than one side's tables differ.
_WORD = (
    r"\pL\p{Nl}\pM\p{Nd}\p{Pc}\x{200C}\x{200D}"
    r"\x{24B6}-\x{24E9}\x{1F130}-\x{1F149}\x{1F150}-\x{1F169}\x{1F170}-\x{1F189}"
)
_SPACE_RANGES = (
    (0x09, 0x0D),
    (0x20, 0x20),
    (0x85, 0x85),
    (0xA0, 0xA0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x2028, 0x2029),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
)
_ASCII_PERL = {"d": "0-9", "w": "0-9A-Za-z_", "s": r"\x{9}-\x{D}\x{20}"}
_CONTROL = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a"}


def _ranges(ranges: tuple[tuple[int, int], ...]) -> str:
    return "".join(f"\\x{{{lo:X}}}" + ("" if lo == hi else f"-\\x{{{hi:X}}}") for lo, hi in ranges)


def _complement(ranges: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    start = 0
    for lo, hi in ranges:
        if lo > start:
            out.append((start, lo - 1))
        start = hi + 1
    if start <= 0x10FFFF:
        out.append((start, 0x10FFFF))
    return tuple(out)


_SPACE = _ranges(_SPACE_RANGES)
_NOT_SPACE = _ranges(_complement(_SPACE_RANGES))


def literal(char: str) -> str:
    """`char` as RE2 reads it literally, in a class or out of one."""
    if char.isascii() and char.isalnum():
        return char
    return f"\\x{{{ord(char):X}}}"


def perl_class(letter: str, *, ascii: bool) -> str:
    """`\\d \\D \\w \\W \\s \\S` on their own (outside a bracket class), as Rust means them."""
    negated = letter.isupper()
    lower = letter.lower()
    if ascii:
        return f"[{'^' if negated else ''}{_ASCII_PERL[lower]}]"
    if lower == "d":
        return r"\P{Nd}" if negated else r"\p{Nd}"
    members = _WORD if lower == "w" else _SPACE
    return f"[{'^' if negated else ''}{members}]"


class UnsupportedPattern(ValueError):
    """The pattern is invalid for Unleash's engine, or cannot be matched exactly with RE2."""


@dataclass(frozen=True)
class Flags:
    """The flags in force: case-insensitive, multiline, dot-all, verbose, ASCII (`-u`)."""

    i: bool = False
    m: bool = False
    s: bool = False
    x: bool = False
    ascii: bool = False
    U: bool = False  # lazy by default: changes which match is found, never whether one is


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
                if flags.ascii and posix.startswith("[:^"):
                    raise self.fail("(?-u) negated class can match invalid UTF-8")
                items.append(posix)
                continue
            if self.pattern.startswith(("&&", "--", "~~"), self.pos):
                raise self.fail("class set operations are not supported")
            letter = self.peek(1)
            if char == "\\" and letter and letter in "pP":
                self.pos += 2
                items.append(self.unicode_class(letter, flags))
                if self.peek() == "-" and self.peek(1) not in ("]", ""):
                    raise self.fail("a Unicode class cannot bound a range")
                continue
            if char == "\\" and letter and letter in "dwsDWS":
                self.pos += 2
                items.append(self._perl_in_class(letter, flags))
                if self.peek() == "-" and self.peek(1) not in ("]", ""):
                    raise self.fail("a Perl class cannot bound a range")
                continue
            low = self._class_char()
            if self.peek() == "-" and self.peek(1) not in ("]", ""):
                self.pos += 1
                high = self._class_char()
                if high < low:
                    raise self.fail("invalid class range")
                items.append(f"{literal(low)}-{literal(high)}")
            else:
                items.append(literal(low))
        text = f"[{'^' if negated else ''}{''.join(items)}]"
        return Piece(f"(?i:{text})" if flags.i else text)

    def unicode_class(self, letter: str, flags: Flags) -> str:
        """`\\pL`, `\\p{Greek}`, `\\P{Lu}` (the `\\p` consumed): a general category or script.

        Passed to RE2 by the exact name, which means the same there; RE2 refuses a name it
        does not know. Rust's looser spellings (`\\p{greek}`, `\\p{Script=Greek}`) are refused.
        """
        if flags.ascii:
            raise self.fail("a Unicode class under (?-u)")
        if self.peek() == "{":
            end = self.pattern.find("}", self.pos)
            name = self.pattern[self.pos + 1 : end] if end > 0 else ""
            self.pos = end + 1
        else:
            name = self.peek()
            self.pos += 1
        if not re.fullmatch(r"[A-Za-z][A-Za-z_]*", name):
            raise self.fail("malformed Unicode class")
        return f"\\{letter}{{{name}}}"

    def _perl_in_class(self, letter: str, flags: Flags) -> str:
        if flags.ascii:
            if letter in _ASCII_PERL:
                return _ASCII_PERL[letter]
            raise self.fail("negated ASCII Perl class inside a class")
        if letter == "d":
            return r"\p{Nd}"
        if letter == "D":
            return r"\P{Nd}"
        if letter == "s":
            return _SPACE
        if letter == "S":
            return _NOT_SPACE
        if letter == "w":
            return _WORD
        # Not-a-word-character is a union of negated properties: RE2 cannot put it in a class.
        raise self.fail("\\W inside a class")

    def _posix(self) -> str:
        match = re.compile(r"\[:(\^?)([a-z]+):\]").match(self.pattern, self.pos)
        if match is None or match.group(2) not in _POSIX:
            raise self.fail("nested classes are not supported")
        self.pos = match.end()
        return match.group(0)

    def _class_char(self) -> str:
        """One literal character of a class, plain or escaped."""
        char = self.peek()
        self.pos += 1
        if char != "\\":
            return char
        escape = self.peek()
        self.pos += 1
        return self.escaped_char(escape)
