"""The inter-municipality channel: the only path from one tenant to another, audited at both ends."""

from typing import Any

import pytest

from kiban.platform.audit.models import AuditEntry
from kiban.platform.events.dispatcher import Dispatcher
from kiban.platform.events.models import ChannelMessage, Event
from kiban.platform.events.services import InvalidChannelMessage, send_to_tenant, subscribe
from kiban.platform.tenants.context import tenant_context

from .conftest import CHANGED


def test_a_message_from_a_arrives_in_b_once_and_is_audited_at_both_ends(
    tenant_a: Any, tenant_b: Any, received: Any
) -> None:
    with tenant_context(tenant_b.code):
        subscribe(CHANGED, business="residents", handler="test.recorder")
    with tenant_context(tenant_a.code):
        message = send_to_tenant(tenant_b.code, CHANGED, "resident/9", {"planned_move_in": "2026-12-01"})
    Dispatcher().run_once()
    Dispatcher().run_once()
    with tenant_context(tenant_b.code):
        (event,) = Event.objects.all()
        assert event.event_id == message.message_id
        assert event.data == {"planned_move_in": "2026-12-01", "from_tenant": tenant_a.code}
        assert AuditEntry.objects.filter(action="channel.received", object_id=str(message.message_id)).count() == 1
    with tenant_context(tenant_a.code):
        assert ChannelMessage.objects.get().delivered_at is not None
        assert AuditEntry.objects.filter(action="channel.sent").count() == 1
        assert not Event.objects.exists()  # nothing of it lands in A's own outbox
    assert [e["data"]["from_tenant"] for e in received] == [tenant_a.code]
    assert received[0]["tenant"] == tenant_b.code


def test_a_repeated_hand_over_does_not_duplicate(tenant_a: Any, tenant_b: Any) -> None:
    from kiban.platform.events.services import hand_over

    with tenant_context(tenant_a.code):
        message = send_to_tenant(tenant_b.code, CHANGED, "resident/9", {})
        hand_over(message)
        hand_over(message)  # as after a crash between the hand-over and its commit
    with tenant_context(tenant_b.code):
        assert Event.objects.count() == 1


@pytest.mark.parametrize(("to", "message"), [("131016", "to itself"), ("011002", "not a tenant")])
def test_bad_destinations_are_refused_and_nothing_is_written(tenant_a: Any, to: str, message: str) -> None:
    with tenant_context(tenant_a.code):
        with pytest.raises(InvalidChannelMessage, match=message):
            send_to_tenant(to, CHANGED, "resident/1", {})
        assert not ChannelMessage.objects.exists()
