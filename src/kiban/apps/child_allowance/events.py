"""What child allowance consumes: the registry's ``residents.resident.changed`` through the standard subscription.

The dispatcher calls :func:`on_resident_changed` with the event envelope, in the event's tenant context and in
the delivery's transaction (kiban.platform.events.dispatcher), so the rows written here and the "delivered"
mark commit together; a redelivered event finds its prompt or revision by event id and does nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from kiban.standard.codes import ChangeReason

from . import services

HANDLER_NAME = "child_allowance.resident_changed"
LEAVING = {ChangeReason.MOVE_OUT_DOMESTIC.value, ChangeReason.MOVE_OUT_ABROAD.value, ChangeReason.DEATH.value}


def on_resident_changed(envelope: dict[str, Any]) -> None:
    data = envelope["data"]
    reason = data.get("reason")
    event_id = uuid.UUID(envelope["id"])
    resident_id = int(data["resident_id"])
    household_id = int(data["household_id"])
    on = dt.date.fromisoformat(data["effective_on"])
    if reason == ChangeReason.BIRTH.value:
        services.on_birth(event_id, resident_id, household_id, on)
    elif reason in LEAVING and data.get("status") == "removed":
        services.on_left(event_id, resident_id, household_id, on, reason)
