"""An OpenFeature provider, so that apps written against `openfeature-sdk` use these flags.

    from openfeature import api
    from flags import FlagClient
    from flags.openfeature import FlagsProvider

    api.set_provider(FlagsProvider(FlagClient.from_database(url)))
    api.get_client().get_boolean_value("new_checkout", False, EvaluationContext("user-42"))

The evaluation context becomes an Unleash context: `targeting_key` is the
`userId`; the standard Unleash fields (`sessionId`, `remoteAddress`,
`environment`, `appName`, `currentTime`) are read from the attributes; every
other attribute goes into `properties`. Booleans come from `is_enabled`;
strings, numbers and objects from the variant (its payload; a string flag with
a payload-less variant resolves to the variant's name). Reasons: `DISABLED`
(kill switch or revision gate), `STATIC` (the same for every context),
`TARGETING_MATCH` (decided by strategies or a variant), `DEFAULT` (the flag is
on but gave no variant, or is off for this context, so the caller's default),
`ERROR` with `FLAG_NOT_FOUND`, `TYPE_MISMATCH` or `PARSE_ERROR`. The deciding
layer is in `flag_metadata["layer"]`. Nothing here raises or does I/O.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from openfeature.evaluation_context import EvaluationContext
from openfeature.exception import ErrorCode
from openfeature.flag_evaluation import FlagResolutionDetails, FlagValueType, Reason
from openfeature.provider import AbstractProvider, Metadata

from flags.client import FlagClient
from flags.evaluate.context import STANDARD_FIELDS
from flags.layers import Decision, Layer
from flags.model import Payload

T = TypeVar("T")
ObjectValue = Sequence[FlagValueType] | Mapping[str, FlagValueType]

PROVIDER_NAME = "migsafe-flags"


class _Mismatch(Exception):
    """A variant's payload cannot be read as the type asked for."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        self.code = code
        super().__init__(message)


def unleash_context(context: EvaluationContext | None) -> dict[str, object]:
    """The Unleash context for an OpenFeature evaluation context."""
    if context is None:
        return {}
    out: dict[str, object] = {}
    properties: dict[str, object] = {}
    for key, value in context.attributes.items():
        (out if key in STANDARD_FIELDS else properties)[key] = value
    if context.targeting_key is not None:
        out["userId"] = context.targeting_key
    if properties:
        out["properties"] = properties
    return out


class FlagsProvider(AbstractProvider):
    """Resolves OpenFeature flags with a `FlagClient`; `shutdown()` closes that client."""

    def __init__(self, client: FlagClient) -> None:
        super().__init__()
        self.client = client

    def get_metadata(self) -> Metadata:
        """The provider's name."""
        return Metadata(name=PROVIDER_NAME)

    def shutdown(self) -> None:
        """Stop the client following its backend (it keeps answering from its last state)."""
        self.client.close()

    def resolve_boolean_details(
        self,
        flag_key: str,
        default_value: bool,
        evaluation_context: EvaluationContext | None = None,
    ) -> FlagResolutionDetails[bool]:
        """`is_enabled`, with the reason and the layer that decided it."""
        decision = self._decide(flag_key, evaluation_context, default_value)
        if decision is None or decision.layer is Layer.DEFAULT:
            return _not_found(flag_key, default_value)
        if decision.layer in (Layer.KILL_SWITCH, Layer.REVISION_GATE):
            return _details(False, Reason.DISABLED, decision)
        reason = Reason.STATIC if decision.static else Reason.TARGETING_MATCH
        variant = decision.variant.name if decision.variant.enabled else None
        return _details(decision.enabled, reason, decision, variant=variant)

    def resolve_string_details(
        self,
        flag_key: str,
        default_value: str,
        evaluation_context: EvaluationContext | None = None,
    ) -> FlagResolutionDetails[str]:
        """The variant's payload as text, or its name when it has no payload."""
        return self._resolve_variant(flag_key, default_value, evaluation_context, _text)

    def resolve_integer_details(
        self,
        flag_key: str,
        default_value: int,
        evaluation_context: EvaluationContext | None = None,
    ) -> FlagResolutionDetails[int]:
        """The variant's `number` payload, which must be an integer."""
        return self._resolve_variant(flag_key, default_value, evaluation_context, _integer)

    def resolve_float_details(
        self,
        flag_key: str,
        default_value: float,
        evaluation_context: EvaluationContext | None = None,
    ) -> FlagResolutionDetails[float]:
        """The variant's `number` payload."""
        return self._resolve_variant(flag_key, default_value, evaluation_context, _float)

    def resolve_object_details(
        self,
        flag_key: str,
        default_value: ObjectValue,
        evaluation_context: EvaluationContext | None = None,
    ) -> FlagResolutionDetails[ObjectValue]:
        """The variant's `json` payload, which must be an object or an array."""
        return self._resolve_variant(flag_key, default_value, evaluation_context, _object)

    def _decide(
        self, flag_key: str, context: EvaluationContext | None, default: bool
    ) -> Decision | None:
        try:
            return self.client.explain(flag_key, unleash_context(context), default)
        except Exception:  # an odd context object: treat as not resolvable
            return None

    def _resolve_variant(
        self,
        flag_key: str,
        default_value: T,
        context: EvaluationContext | None,
        read: Callable[[str, Payload | None], T],
    ) -> FlagResolutionDetails[T]:
        decision = self._decide(flag_key, context, False)
        if decision is None or decision.layer is Layer.DEFAULT:
            return _not_found(flag_key, default_value)
        if decision.layer in (Layer.KILL_SWITCH, Layer.REVISION_GATE):
            return _details(default_value, Reason.DISABLED, decision)
        variant = decision.variant
        if not variant.enabled:
            return _details(default_value, Reason.DEFAULT, decision)
        try:
            value = read(variant.name, variant.payload)
        except _Mismatch as exc:
            return FlagResolutionDetails(
                default_value,
                error_code=exc.code,
                error_message=f"{flag_key}: {exc}",
                reason=Reason.ERROR,
                variant=variant.name,
                flag_metadata={"layer": decision.layer.value},
            )
        reason = Reason.STATIC if decision.static else Reason.TARGETING_MATCH
        return _details(value, reason, decision, variant=variant.name)


def _details(
    value: T, reason: Reason, decision: Decision, variant: str | None = None
) -> FlagResolutionDetails[T]:
    return FlagResolutionDetails(
        value, reason=reason, variant=variant, flag_metadata={"layer": decision.layer.value}
    )


def _not_found(flag_key: str, default_value: T) -> FlagResolutionDetails[T]:
    return FlagResolutionDetails(
        default_value,
        error_code=ErrorCode.FLAG_NOT_FOUND,
        error_message=f"no flag named {flag_key!r}",
        reason=Reason.ERROR,
        flag_metadata={"layer": Layer.DEFAULT.value},
    )


def _text(name: str, payload: Payload | None) -> str:
    return name if payload is None else payload.value


def _number(payload: Payload | None) -> str:
    if payload is None or payload.type != "number":
        kind = "no payload" if payload is None else f"a {payload.type} payload"
        raise _Mismatch(ErrorCode.TYPE_MISMATCH, f"the variant has {kind}, not a number")
    return payload.value.strip()


def _integer(name: str, payload: Payload | None) -> int:
    text = _number(payload)
    try:
        return int(text)
    except ValueError:
        raise _Mismatch(ErrorCode.TYPE_MISMATCH, f"{text!r} is not an integer") from None


def _float(name: str, payload: Payload | None) -> float:
    text = _number(payload)
    try:
        return float(text)
    except ValueError:
        raise _Mismatch(ErrorCode.PARSE_ERROR, f"{text!r} is not a number") from None


def _object(name: str, payload: Payload | None) -> ObjectValue:
    if payload is None or payload.type != "json":
        kind = "no payload" if payload is None else f"a {payload.type} payload"
        raise _Mismatch(ErrorCode.TYPE_MISMATCH, f"the variant has {kind}, not json")
    try:
        value: Any = json.loads(payload.value)
    except ValueError as exc:
        raise _Mismatch(ErrorCode.PARSE_ERROR, f"its json payload does not parse: {exc}") from None
    if not isinstance(value, Mapping | list):
        raise _Mismatch(ErrorCode.TYPE_MISMATCH, "its json payload is not an object or array")
    result: ObjectValue = value
    return result
