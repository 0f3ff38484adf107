"""A StrEnum for values migsafe stores and reads back: an unknown value (written by a newer
migsafe, or by hand) is read as itself instead of failing the read, so that `history` and
`snapshot list` still show every row."""

from __future__ import annotations

from enum import StrEnum


class StoredStrEnum(StrEnum):
    """Members for the values this release writes; any other string read back is kept as a
    pseudo-member with that value (equal to the string, rendered as it)."""

    @classmethod
    def _missing_(cls, value: object) -> StoredStrEnum | None:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value.upper()
        member._value_ = value
        return member
