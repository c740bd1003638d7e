"""What the platform delivers and serves is a valid standard event envelope."""

from typing import Any

from kiban.platform.events import envelope as platform_envelope
from kiban.platform.events.services import publish
from kiban.platform.tenants.context import tenant_context
from kiban.standard import events as standard_events

from .conftest import CHANGED


def test_the_platform_envelope_validates_against_the_standard_model(tenant_a: Any) -> None:
    with tenant_context(tenant_a.code):
        event = publish(CHANGED, "resident/1", {"resident_id": 1})
    body = platform_envelope.envelope(event)
    parsed = standard_events.EventEnvelope.model_validate(body)
    assert str(parsed.id) == body["id"] and parsed.tenant == tenant_a.code
    assert platform_envelope.SCHEMA_VERSION == standard_events.SCHEMA_VERSION
