"""Reading client-features JSON into `flags.model`, with the path of anything malformed.

Strict about structure (a feature without a name is an error that names where it
is), lenient about scalars the way Unleash's own clients are: `null` means absent,
and a number or boolean where a string is expected is read as its JSON text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeVar

from flags.errors import FlagDefinitionError
from flags.model import (
    ClientFeatures,
    Constraint,
    Dependency,
    Feature,
    Override,
    Payload,
    Segment,
    Strategy,
    VariantDefinition,
)

T = TypeVar("T")


def parse_client_features(raw: object) -> ClientFeatures:
    """Parse a whole `{"version", "features", "segments"}` document; raise on anything malformed."""
    obj = _Object(raw, "")
    features = obj.items("features", parse_feature)
    segments = obj.items("segments", parse_segment)
    version = obj.integer("version")
    return ClientFeatures(
        features=features,
        segments=segments,
        version=2 if version is None else version,
        extra=obj.extra(),
    )


@dataclass(frozen=True)
class Loaded:
    """What `load_client_features` could read, and what it could not."""

    document: ClientFeatures
    problems: tuple[str, ...] = ()
    broken_features: frozenset[str] = frozenset()
    """Names of features whose definition is malformed: they must evaluate as off."""


def load_client_features(raw: object) -> Loaded:
    """Parse a document feature by feature, so that one bad definition spoils only itself.

    A running client must not lose every flag because one row is malformed: each
    feature or segment that fails to parse is reported in `problems` and left
    out (a feature's name, if readable, goes in `broken_features`). Only a
    document that is not an object with a list of features raises.
    """
    obj = _Object(raw, "")
    problems: list[str] = []
    broken: set[str] = set()

    def lenient(parse: Callable[[object, str], T]) -> Callable[[object, str], T | None]:
        def parse_or_report(item: object, path: str) -> T | None:
            try:
                return parse(item, path)
            except FlagDefinitionError as exc:
                name = item.get("name") if isinstance(item, Mapping) else None
                if parse is parse_feature and isinstance(name, str):
                    broken.add(name)
                    problems.append(f"feature {name!r} is off: {exc}")
                else:
                    problems.append(f"ignored: {exc}")
                return None

        return parse_or_report

    if not isinstance(obj.raw.get("features"), list | tuple):
        raise FlagDefinitionError("expected a list of features", "features")
    features = tuple(f for f in obj.items("features", lenient(parse_feature)) if f is not None)
    segments = tuple(s for s in obj.items("segments", lenient(parse_segment)) if s is not None)
    version = obj.integer("version")
    document = ClientFeatures(
        features=features,
        segments=segments,
        version=2 if version is None else version,
        extra=obj.extra(),
    )
    return Loaded(document, tuple(problems), frozenset(broken))


def parse_feature(raw: object, path: str = "feature") -> Feature:
    """Parse one feature object."""
    obj = _Object(raw, path)
    return Feature(
        name=obj.required_text("name"),
        enabled=obj.required_boolean("enabled"),
        strategies=obj.items("strategies", _parse_strategy),
        variants=obj.items("variants", _parse_variant),
        dependencies=obj.items("dependencies", _parse_dependency),
        impression_data=obj.boolean("impressionData") or False,
        type=obj.text("type"),
        description=obj.text("description"),
        project=obj.text("project"),
        stale=obj.boolean("stale"),
        extra=obj.extra(),
    )


def parse_segment(raw: object, path: str = "segment") -> Segment:
    """Parse one segment object."""
    obj = _Object(raw, path)
    segment_id = obj.integer("id")
    if segment_id is None:
        raise FlagDefinitionError("`id` is required", path)
    return Segment(
        id=segment_id,
        constraints=obj.items("constraints", parse_constraint),
        name=obj.text("name"),
        extra=obj.extra(),
    )


def parse_constraint(raw: object, path: str = "constraint") -> Constraint:
    """Parse one constraint object."""
    obj = _Object(raw, path)
    values = obj.items("values", _text_item)
    return Constraint(
        context_name=obj.required_text("contextName"),
        operator=obj.required_text("operator"),
        values=values if obj.present("values") else None,
        value=obj.text("value"),
        inverted=obj.boolean("inverted") or False,
        case_insensitive=obj.boolean("caseInsensitive") or False,
        extra=obj.extra(),
    )


def _parse_strategy(raw: object, path: str) -> Strategy:
    obj = _Object(raw, path)
    parameters = obj.mapping("parameters")
    return Strategy(
        name=obj.required_text("name"),
        parameters=MappingProxyType(
            {key: _text(value, f"{path}.parameters.{key}") for key, value in parameters.items()}
        ),
        constraints=obj.items("constraints", parse_constraint),
        segments=obj.items("segments", _integer_item),
        variants=obj.items("variants", _parse_variant),
        disabled=obj.boolean("disabled") or False,
        extra=obj.extra(),
    )


def _parse_variant(raw: object, path: str) -> VariantDefinition:
    obj = _Object(raw, path)
    weight = obj.integer("weight")
    if weight is None:
        raise FlagDefinitionError("`weight` is required", path)
    return VariantDefinition(
        name=obj.required_text("name"),
        weight=weight,
        payload=_parse_payload(obj.mapping_or_none("payload"), f"{path}.payload"),
        stickiness=obj.text("stickiness"),
        weight_type=obj.text("weightType"),
        overrides=obj.items("overrides", _parse_override),
        extra=obj.extra(),
    )


def _parse_payload(raw: Mapping[str, Any] | None, path: str) -> Payload | None:
    if raw is None:
        return None
    obj = _Object(raw, path)
    value = obj.raw.get("value")
    if isinstance(value, dict | list):
        value = json.dumps(value)  # a JSON payload given as an object: Unleash sends its text
    return Payload(type=obj.required_text("type"), value=_text(value, f"{path}.value"))


def _parse_override(raw: object, path: str) -> Override:
    obj = _Object(raw, path)
    return Override(
        context_name=obj.required_text("contextName"),
        values=obj.items("values", _text_item),
    )


def _parse_dependency(raw: object, path: str) -> Dependency:
    obj = _Object(raw, path)
    variants = obj.items("variants", _text_item)
    return Dependency(
        feature=obj.required_text("feature"),
        enabled=obj.boolean("enabled"),
        variants=variants if obj.present("variants") else None,
    )


def _text_item(raw: object, path: str) -> str:
    return _text(raw, path)


def _integer_item(raw: object, path: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise FlagDefinitionError(f"expected an integer, got {raw!r}", path)
    return raw


def _text(raw: object, path: str) -> str:
    """A string; numbers and booleans as their JSON text, as Unleash's clients read them."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool | int | float):
        return json.dumps(raw)
    raise FlagDefinitionError(f"expected a string, got {raw!r}", path)


class _Object:
    """One JSON object being read: typed getters that know their path, and what was left."""

    def __init__(self, raw: object, path: str) -> None:
        if not isinstance(raw, Mapping):
            raise FlagDefinitionError(f"expected an object, got {type(raw).__name__}", path)
        self.raw: Mapping[str, Any] = raw
        self.path = path
        self._read: set[str] = set()

    def _get(self, key: str) -> object:
        self._read.add(key)
        return self.raw.get(key)

    def _at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def present(self, key: str) -> bool:
        return self.raw.get(key) is not None

    def text(self, key: str) -> str | None:
        value = self._get(key)
        return None if value is None else _text(value, self._at(key))

    def required_text(self, key: str) -> str:
        value = self.text(key)
        if value is None:
            raise FlagDefinitionError(f"`{key}` is required", self.path)
        return value

    def boolean(self, key: str) -> bool | None:
        value = self._get(key)
        if value is None or isinstance(value, bool):
            return value
        raise FlagDefinitionError(f"expected true or false, got {value!r}", self._at(key))

    def required_boolean(self, key: str) -> bool:
        value = self.boolean(key)
        if value is None:
            raise FlagDefinitionError(f"`{key}` is required", self.path)
        return value

    def integer(self, key: str) -> int | None:
        value = self._get(key)
        if value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return _integer_item(value, self._at(key))

    def mapping_or_none(self, key: str) -> Mapping[str, Any] | None:
        value = self._get(key)
        if value is None or isinstance(value, Mapping):
            return value
        raise FlagDefinitionError(f"expected an object, got {value!r}", self._at(key))

    def mapping(self, key: str) -> Mapping[str, Any]:
        return self.mapping_or_none(key) or {}

    def items(self, key: str, parse: Callable[[object, str], T]) -> tuple[T, ...]:
        value = self._get(key)
        if value is None:
            return ()
        if not isinstance(value, list | tuple):
            raise FlagDefinitionError(f"expected a list, got {value!r}", self._at(key))
        at = self._at(key)
        return tuple(parse(item, f"{at}[{index}]") for index, item in enumerate(value))

    def extra(self) -> Mapping[str, Any]:
        """The keys no getter asked for, kept so that dumping writes them back."""
        rest = {key: value for key, value in self.raw.items() if key not in self._read}
        return MappingProxyType(rest) if rest else MappingProxyType({})
