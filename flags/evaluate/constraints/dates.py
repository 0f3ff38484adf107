"""Instants as Unleash's engine reads them: RFC 3339, compared to the nanosecond.

A timestamp must carry an offset or `Z`; a naive one is not an instant.
"""

from __future__ import annotations

import calendar
import re

_RFC3339 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(?:\.([0-9]{1,9}))?(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))"
)
_NANOS = 1_000_000_000


def parse_instant(text: str) -> int | None:
    """Nanoseconds since the epoch for an RFC 3339 timestamp, or None if `text` is not one."""
    match = _RFC3339.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.group(1, 2, 3, 4, 5, 6))
    if year < 1 or not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]):
        return None
    if hour > 23 or minute > 59 or second > 59:
        return None
    fraction, _zulu, sign, offset_hours, offset_minutes = match.group(7, 8, 9, 10, 11)
    seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    if sign is not None:
        offset = int(offset_hours) * 3600 + int(offset_minutes) * 60
        seconds -= offset if sign == "+" else -offset
    nanos = int(fraction.ljust(9, "0")) if fraction else 0
    return seconds * _NANOS + nanos


def parse_instant_literal(raw: str) -> int | None:
    """The instant a constraint `value` spells; stricter than context values (`T` required)."""
    raw = raw.strip()
    return parse_instant(raw) if "T" in raw else None
