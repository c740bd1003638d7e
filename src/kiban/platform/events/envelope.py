"""The event envelope as delivered (push) and as read from the change feed (pull): the same JSON both ways."""

from __future__ import annotations

from typing import Any

from .models import Event

# The envelope's version (kiban.standard.events.EventEnvelope describes it; the platform does not import the
# standard layer, and tests/platform/events/test_envelope.py checks that the two agree).
SCHEMA_VERSION = "1.0"


def envelope(event: Event) -> dict[str, Any]:
    return {
        "id": str(event.event_id),
        "type": event.type,
        "tenant": event.tenant_id,
        "subject": event.subject,
        "occurred_at": event.occurred_at.isoformat(),
        "data": event.data,
        "schema_version": SCHEMA_VERSION,
    }
