"""The event envelope as delivered (push) and as read from the change feed (pull): the same JSON both ways."""

from __future__ import annotations

from typing import Any

from .models import Event


def envelope(event: Event) -> dict[str, Any]:
    return {
        "id": str(event.event_id),
        "type": event.type,
        "tenant": event.tenant_id,
        "subject": event.subject,
        "occurred_at": event.occurred_at.isoformat(),
        "data": event.data,
    }
