"""Moving between municipalities without re-entry: A's move-out data become B's move-in (ワンストップ)."""

import datetime
from typing import Any

import pytest

from kiban.apps.residents import services
from kiban.apps.residents.models import Resident, ResidentHistory
from kiban.apps.residents.validation import ProcedureError
from kiban.platform.events.dispatcher import Dispatcher
from kiban.platform.events.models import ChannelMessage, Event
from kiban.platform.events.services import hand_over
from kiban.platform.tenants.context import tenant_context

D = datetime.date


def test_the_move_in_at_b_comes_from_the_move_out_at_a(tenant_a: Any, tenant_b: Any, make_resident: Any) -> None:
    person = make_resident(tenant_a, domicile="東京都千代田区千代田1番", domicile_head="山田　花子")
    with tenant_context(tenant_a.code):
        services.move_out(services.Notification("out-a", D(2026, 3, 1), D(2026, 2, 20)), resident_ids=[person.id],
                          destination_address="東京都新宿区西新宿2丁目8番1号", destination_code=tenant_b.code)  # fmt: skip
        code = Resident.objects.get(id=person.id).resident_code
        hand_over(ChannelMessage.objects.get())  # what the dispatcher does, in the sender's context
    with tenant_context(tenant_b.code):
        (notice,) = services.move_out_notices()
        with pytest.raises(ProcedureError) as err:
            services.move_in_from_notice(services.Notification("in-b0", D(2026, 3, 1), D(2026, 3, 2)),
                                         notice_id="00000000-0000-0000-0000-000000000000",
                                         address=services.AddressData("東京都新宿区西新宿2丁目8番1号"))  # fmt: skip
        assert err.value.errors[0].code == "not_found"
        result = services.move_in_from_notice(
            services.Notification("in-b", D(2026, 3, 1), D(2026, 3, 2)), notice_id=str(notice.event_id),
            address=services.AddressData("東京都新宿区西新宿2丁目8番1号"),
        )  # fmt: skip
        moved = Resident.objects.get(id=result.resident_ids[0])
        assert (moved.resident_code, moved.family_name, moved.domicile_head) == (code, "山田", "山田　花子")
        assert moved.previous_address == "東京都千代田区千代田1番1号"
        assert services.move_out_notices() == []
        with pytest.raises(ProcedureError) as err:
            services.move_in_from_notice(services.Notification("in-b2", D(2026, 3, 1), D(2026, 3, 2)),
                                         notice_id=str(notice.event_id), address=services.AddressData("新宿区"))  # fmt: skip
        assert err.value.errors[0].code == "used"
        hand_over(ChannelMessage.objects.get())
    with tenant_context(tenant_a.code):
        (confirmation,) = Event.objects.filter(type="residents.transfer.move_in_notice")
        assert confirmation.data["resident_codes"] == [code]
    Dispatcher().run_once()  # A's registry consumes the 転入通知 through its standard subscription
    with tenant_context(tenant_a.code):
        origin = Resident.objects.get(id=person.id)
        assert origin.removed_on == D(2026, 3, 1)  # moved in there on the planned date: unchanged
        last = ResidentHistory.objects.filter(resident_id=person.id).order_by("-seq").first()
        assert last is not None and last.procedure.flags == ["move_out_confirmed"]
        assert last.procedure.payload["confirmed"] == {"moved_in_on": "2026-03-01", "destination": tenant_b.code}
