"""REGEX patterns mean what they mean in Unleash (Rust `regex` semantics), matched by RE2.

Expected answers are Unleash's engine's (`test_every_case_is_what_unleash_answers` checks them
against Yggdrasil where it is installed); where RE2 would answer differently untranslated, the
case says why in its id.
"""

from __future__ import annotations

import json

import pytest

from flags.evaluate.constraints.re2_syntax import UnsupportedPattern, compile_re2


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
    ("\\>", ">", False, "word-end-boundary"),
    ("^\\w$", "\u00e9", True, "unicode-word"),
    ("^\\s$", "\u00a0", True, "unicode-space"),
    ("^\\D$", "\u0663", False, "unicode-non-digit"),
    ("^[\\d]$", "\u0663", True, "unicode-digit-in-class"),
    ("^[\\S]$", "\u00a0", False, "unicode-non-space-in-class"),
    ("(?-u:\\s)", "\x0b", True, "ascii-space-has-vertical-tab"),
    ("(?-u:.)", "a", False, "ascii-dot-is-refused"),
    ("(?-u:[^a])", "b", False, "ascii-negated-class-is-refused"),
    ("(?-u:\\D)", "a", False, "ascii-negated-perl-class-is-refused"),
    ("^\\p{Greek}$", "\u03b1", True, "unicode-script"),
    ("(?i)\\p{Lu}", "a", True, "unicode-category-case-insensitive"),
    ("^[\\p{Greek}a]$", "a", True, "unicode-script-in-class"),
    ("^(?U)a+$", "aa", True, "swap-greed-does-not-change-whether-it-matches"),
    ("^[a[:^digit:]]$", "\u00e9", True, "negated-posix-class-in-a-larger-class"),
    ("(?i)[[:upper:]]", "a", True, "case-insensitive-posix-class"),
    ("a.c", "a\nc", False, "dot-excludes-newline-mid-pattern"),
    ("^a{2,4}$", "aaaaa", False, "counted-repetition"),
    ("(a+)+$", "a" * 24 + "!", False, "nested-repetition-no-match"),
    ("(a+)+$", "a" * 24, True, "nested-repetition-match"),
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
    ["\\b{start}a", "\\<a", "\\p{greek}", "\\p{^Greek}", "[a-z&&[^b]]", "(?R)a$", "\\", "[\\Wa]"],
    ids=[
        "word-start-assertion",
        "word-start-short",
        "loose-unicode-class-name",
        "negated-unicode-class-name",
        "class-intersection",
        "crlf-mode",
        "trailing",
        "negated-word-class-inside-a-class",
    ],
)
def test_what_re2_cannot_honour_exactly_is_refused(pattern: str) -> None:
    """Refused patterns match nothing: the constraint is false, as for an invalid pattern."""
    with pytest.raises(UnsupportedPattern):
        compile_re2(pattern)


def test_a_pattern_that_backtracks_exponentially_elsewhere_is_answered() -> None:
    """`(a+)+$` took 5.3 s per call on 24 characters with Python's `re`: RE2 answers in one pass.

    Asserts the answers only; benchmarks/bench_flags.py prints the time.
    """
    search = compile_re2("(a+)+$").search
    assert search("a" * 24 + "!") is None
    assert search("a" * 10_000 + "!") is None
    assert search("a" * 10_000) is not None


def test_a_lone_surrogate_in_the_context_is_no_error() -> None:
    """RE2 reads UTF-8; a string it cannot encode must still get an answer, never an exception."""
    from flags import Engine

    engine = Engine(_regex_document("^a.b$"))
    assert engine.is_enabled("f", {"userId": "a\udc80b"}) is True
    assert engine.is_enabled("f", {"userId": "\udc80"}) is False


def _regex_document(pattern: str, *, ignore_case: bool = False) -> dict[str, object]:
    constraint = {
        "contextName": "userId",
        "operator": "REGEX",
        "value": pattern,
        "caseInsensitive": ignore_case,
    }
    strategy = {"name": "default", "parameters": {}, "constraints": [constraint]}
    return {"version": 2, "features": [{"name": "f", "enabled": True, "strategies": [strategy]}]}


@pytest.mark.parametrize(
    ("pattern", "text", "expected"), [c[:3] for c in CASES], ids=[c[3] for c in CASES]
)
def test_every_case_is_what_unleash_answers(pattern: str, text: str, expected: bool) -> None:
    """The expected answers above are Yggdrasil's (Unleash's engine), where it is installed."""
    yggdrasil = pytest.importorskip("yggdrasil_engine.engine")
    engine = yggdrasil.UnleashEngine()
    engine.take_state(json.dumps(_regex_document(pattern)))
    assert engine.is_enabled("f", {"userId": text}).is_enabled is expected
