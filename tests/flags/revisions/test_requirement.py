"""The requirement rides in the feature JSON; Unleash's own SDK reads such a document unharmed."""

from __future__ import annotations

from typing import Any

from UnleashClient import UnleashClient
from UnleashClient.utils import InstanceAllowType

from flags import FlagClient, Layer, dump_feature, parse_feature
from flags.backends.unleash import DocumentCache
from flags.revisions import required_revision, with_required_revision

PLAIN: dict[str, Any] = {
    "name": "new_checkout",
    "enabled": True,
    "strategies": [{"name": "default"}],
}


def test_setting_and_removing_keeps_the_rest_of_the_definition() -> None:
    other = {**PLAIN, "migsafe": {"owner": "payments"}}
    required = with_required_revision(other, "gate2")
    assert required["migsafe"] == {"owner": "payments", "requiresRevision": "gate2"}
    assert with_required_revision(required, None) == other
    assert "migsafe" not in with_required_revision(with_required_revision(PLAIN, "x"), None)


def test_the_requirement_survives_parsing_and_dumping() -> None:
    feature = parse_feature(with_required_revision(PLAIN, "gate2"))
    assert required_revision(feature) == "gate2"
    assert dump_feature(feature)["migsafe"] == {"requiresRevision": "gate2"}


def test_a_malformed_requirement_fails_closed() -> None:
    document = {
        "features": [
            {**PLAIN, "name": "number", "migsafe": {"requiresRevision": 42}},
            {**PLAIN, "name": "list", "migsafe": ["gate2"]},
            {**PLAIN, "name": "empty", "migsafe": {"requiresRevision": ""}},
            {**PLAIN, "name": "other_settings", "migsafe": {"owner": "payments"}},
        ]
    }
    client = FlagClient.from_features(document, heads=["gate2"])
    assert [client.is_enabled(n) for n in ("number", "list", "empty")] == [False] * 3
    assert client.explain("number").layer is Layer.REVISION_GATE
    assert client.is_enabled("other_settings") is True


def test_unleash_client_reads_a_document_with_a_requirement_and_ignores_it() -> None:
    document = {"version": 2, "features": [with_required_revision(PLAIN, "gate2")]}
    sdk = UnleashClient(
        url="http://127.0.0.1:9/api",
        app_name="migsafe-test-requirement",
        disable_metrics=True,
        disable_registration=True,
        refresh_interval=3600,
        cache=DocumentCache(lambda _revision, _document: None, bootstrap=document),
        multiple_instance_mode=InstanceAllowType.SILENTLY_ALLOW,
    )
    sdk.initialize_client(fetch_toggles=False)
    try:
        assert sdk.is_enabled("new_checkout", {"userId": "1"}) is True
    finally:
        sdk.destroy()
