"""``[tool.migsafe.lint]``: per-rule severities, rules turned off, fail-on, assumptions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from migsafe.errors import ConfigError
from migsafe.lint.model import Severity

MODES = ("warn", "enforce", "off")
_KEYS = {
    "mode",
    "fail-on",
    "ignore",
    "severity",
    "server-version",
    "small-table-rows",
    "large-table-rows",
    "large-table-bytes",
}


@dataclass(frozen=True)
class LintConfig:
    mode: str = "warn"  # what `migsafe upgrade` does with error findings
    fail_on: Severity | None = Severity.ERROR
    off: frozenset[str] = frozenset()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    server_version: int = 140000  # assumed offline (server_version_num)
    small_table_rows: int = 10_000  # below this (and 10 MB) a finding matters one level less
    large_table_rows: int = 1_000_000  # at or above this (or the bytes) one level more
    large_table_bytes: int = 1 << 30


def parse_fail_on(value: str, *, option: str = "--fail-on") -> Severity | None:
    text = str(value).strip().lower()
    if text in ("never", "none"):
        return None
    try:
        return Severity(text)
    except ValueError:
        raise ConfigError(
            f"{option} must be error, warning, info or never, not {value!r}"
        ) from None


def server_version_num(value: Any) -> int:
    """``14`` / ``"9.6"`` / ``150004`` -> server_version_num."""
    text = str(value).strip()
    try:
        if "." in text:
            major, minor = text.split(".", 1)
            number = int(major) * 10000 + int(minor.split(".")[0]) * (100 if int(major) < 10 else 1)
        else:
            number = int(text)
            if number < 1000:
                number *= 10000
    except ValueError:
        raise ConfigError(
            f"[tool.migsafe.lint] server-version must be a PostgreSQL version such as 14, "
            f"not {value!r}"
        ) from None
    return number


def load(tool: Mapping[str, Any], known: set[str]) -> LintConfig:
    """The lint settings from ``[tool.migsafe]``: ``lint = "enforce"`` or a ``lint`` table."""
    raw = tool.get("lint")
    if raw is None:
        return LintConfig()
    if isinstance(raw, str):
        raw = {"mode": raw}
    if not isinstance(raw, Mapping):
        raise ConfigError('[tool.migsafe] lint must be "warn", "enforce", "off" or a table')
    unknown = set(raw) - _KEYS
    if unknown:
        raise ConfigError(
            f"[tool.migsafe.lint] has no setting {sorted(unknown)[0]!r}",
            hint="known: " + ", ".join(sorted(_KEYS)),
        )
    mode = str(raw.get("mode", "warn")).lower()
    if mode not in MODES:
        raise ConfigError(f"[tool.migsafe.lint] mode must be warn, enforce or off, not {mode!r}")

    def rule_ids(values: Any, where: str) -> list[str]:
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, (list, tuple, Mapping)):
            raise ConfigError(f"[tool.migsafe.lint] {where} must list rule ids")
        for rule in values:
            if rule not in known:
                raise ConfigError(
                    f"[tool.migsafe.lint] {where}: no rule {rule!r}",
                    hint="`migsafe lint --explain` lists the rules",
                )
        return list(values)

    off = set(rule_ids(raw.get("ignore", []), "ignore"))
    severity: dict[str, Severity] = {}
    levels = raw.get("severity", {})
    if not isinstance(levels, Mapping):
        raise ConfigError("[tool.migsafe.lint] severity must be a table of rule id = level")
    for rule in rule_ids(levels, "severity"):
        level = str(levels[rule]).lower()
        if level == "off":
            off.add(rule)
            continue
        try:
            severity[rule] = Severity(level)
        except ValueError:
            raise ConfigError(
                f"[tool.migsafe.lint] severity.{rule} must be error, warning, info or off, "
                f"not {levels[rule]!r}"
            ) from None

    def number(name: str, default: int) -> int:
        value = raw.get(name, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"[tool.migsafe.lint] {name} must be a whole number")
        return value

    return LintConfig(
        mode=mode,
        fail_on=parse_fail_on(raw.get("fail-on", "error"), option="[tool.migsafe.lint] fail-on"),
        off=frozenset(off),
        severity=severity,
        server_version=server_version_num(raw.get("server-version", 14)),
        small_table_rows=number("small-table-rows", 10_000),
        large_table_rows=number("large-table-rows", 1_000_000),
        large_table_bytes=number("large-table-bytes", 1 << 30),
    )
