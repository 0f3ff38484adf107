"""REGEX patterns mean what they mean in Unleash (RE2 syntax, Rust `regex` semantics).

Expected answers were checked against Unleash's engine; where Python's `re`
would answer differently untranslated, the case says why in its id.
"""

from __future__ import annotations

import pytest

from flags.evaluate.constraints.re2_syntax import UnsupportedPattern, compile_re2, translate


def _matches(pattern: str, text: str, *, ignore_case: bool = False) -> bool:
    try:
        return compile_re2(pattern, ignore_case=ignore_case).search(text) is not None
    except UnsupportedPattern:
        return False


CASES = [
    ("^a$", "a\n", False, "dollar-is-end-of-text-not-before-final-newline"),
    ("(?m)a$", "a\n", True, "multiline-dollar"),
    ("a(?i)b|c", "C", True, "inline-flag-mid-pattern-spans-alternation"),
    ("a(?i)b|c", "aB", True, "inline-flag-mid-pattern"),
    ("x(?i:b)|c", "C", False, "scoped-flag"),
    ("(?i)a(?-i)a", "Aa", True, "flag-turned-off"),
    ("(?i)a(?-i)a", "AA", False, "flag-turned-off-applies"),
    ("^(?s)a.b$", "a\nb", True, "dotall"),
    ("^.$", "\n", False, "dot-excludes-newline"),
    ("a\\z", "a", True, "backslash-z-end-of-text"),
    ("^[[:digit:]]+$", "123", True, "posix-class"),
    ("^[[:^digit:]]+$", "abc", True, "negated-posix-class"),
    ("[[:word:]]", "_", True, "posix-word"),
    ("^\\d$", "\u0663", True, "unicode-digit"),
    ("(?-u:\\w)", "\u00e9", False, "ascii-word"),
    ("(?x) a b ", "ab", True, "verbose"),
    ("\\x{41}", "A", True, "braced-hex-escape"),
    ("a**", "a", True, "stacked-repetition"),
    ("a++", "aa", True, "plus-plus-is-not-possessive"),
    ("a{2}{3}", "aaaaaa", True, "stacked-counted-repetition"),
    ("(?<n>a)", "a", True, "angle-bracket-group-name"),
    ("[]a]", "]", True, "leading-bracket-is-literal"),
    ("\\b{start}a", "a", True, "word-start-boundary"),
    ("\\>", ">", False, "word-end-boundary"),
    ("^(foo|fo)$", "fo", True, "alternation"),
    ("^(?=a)b$", "ab", False, "lookahead-is-refused"),
    ("^(a)\\1$", "aa", False, "backreference-is-refused"),
    ("(?#c)a", "a", False, "comment-group-is-refused"),
    ("a{,2}", "aa", False, "open-lower-bound-is-refused"),
    ("\\Qa.b\\E", "a.b", False, "quoting-is-refused"),
    ("[\\d-z]", "-", False, "class-bounded-range-is-refused"),
    ("(?P<x>a)(?P<x>b)", "ab", False, "duplicate-group-name-is-refused"),
    ("x{2,1}", "x", False, "inverted-range-is-refused"),
    ("(regex", "regex", False, "unclosed-group"),
]


@pytest.mark.parametrize(
    ("pattern", "text", "expected"), [c[:3] for c in CASES], ids=[c[3] for c in CASES]
)
def test_pattern_means_what_it_means_in_unleash(pattern: str, text: str, expected: bool) -> None:
    assert _matches(pattern, text) is expected


def test_case_insensitive_constraint_is_a_global_i_flag_that_patterns_can_turn_off() -> None:
    assert _matches("^abc$", "ABC", ignore_case=True) is True
    assert _matches("(?-i)^abc$", "ABC", ignore_case=True) is False


@pytest.mark.parametrize(
    "pattern",
    ["\\p{Greek}", "\\pL", "(?U)a+", "[a-z&&[^b]]", "(?R)a$", "\\"],
    ids=[
        "unicode-class",
        "unicode-class-short",
        "swap-greed",
        "class-intersection",
        "crlf-mode",
        "trailing",
    ],
)
def test_what_re_cannot_honour_exactly_is_refused(pattern: str) -> None:
    """Refused patterns match nothing: the constraint is false, as for an invalid pattern."""
    with pytest.raises(UnsupportedPattern):
        translate(pattern)
