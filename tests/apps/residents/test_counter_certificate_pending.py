"""The counter's certificate wizard while a 転出 waits for its planned date (転出予定, 標準仕様書 1.1.5 j50): the person
moving out is a 現存者 until that date, so the wizard offers the household as it stands on the day — the person
leaving among the members, everyone with the 世帯主・続柄 of that day — whether it is opened on the leaving person's
page or on a staying member's. From the planned date on, the person who left is a 除票: offered alone, for a
除票の写し, and no longer among the members who stay."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kiban.apps.residents import services
from kiban.apps.residents.models import Certificate, Resident
from kiban.platform.tenants.context import tenant_context
from tests.apps.residents.counter_helpers import _errors_next_to, _state

from .test_certificates_move_out_pending import AHEAD, household_of_three, householder_moves_out

BASE = "/staff/residents"


@pytest.fixture
def household(tenant_a: Any) -> list[int]:
    """太郎 (世帯主), 花子 (妻), 一郎 (子); 太郎 moves out in ``AHEAD`` days, 花子 becomes 世帯主 from then on."""
    with tenant_context(tenant_a.code):
        ids = household_of_three()
        householder_moves_out(ids, timezone.localdate() + datetime.timedelta(days=AHEAD))
    return ids


def _wizard(client: Client, resident_id: int) -> Any:
    page = client.get(f"{BASE}/{resident_id}/certificate/")
    assert page.status_code == 200, page.content.decode()[:1000]
    return page


def offered(page: Any) -> list[str]:
    """The persons the wizard offers to name on the certificate, as labelled: 氏名（続柄）."""
    return [label for _value, label in page.context["form"].fields["resident_ids"].choices]


def initial_kind(page: Any) -> str:
    return str(page.context["form"].fields["kind"].initial)


def _issue(client: Client, resident_id: int, data: dict[str, Any]) -> Any:
    """Step 1 → confirmation → 交付; the response of the last step reached."""
    url = f"{BASE}/{resident_id}/certificate/"
    confirm = client.post(url, {"state": _state(_wizard(client, resident_id)), "action": "next", **data})
    if confirm.status_code != 200 or "交付する" not in confirm.content.decode():
        return confirm
    return client.post(url, {"state": _state(confirm), "action": "record"})


def copy_request(ids: list[int], requester_id: int, **extra: Any) -> dict[str, Any]:
    return {"kind": "resident_copy", "resident_ids": ids, "layout": "household", "items": ["householder"],
            "requester": "household", "requester_resident_id": requester_id, "requester_name": "山田　花子",
            "purpose": "相続手続", **extra}  # fmt: skip


def issued(tenant: Any) -> list[Certificate]:
    with tenant_context(tenant.code):
        return list(Certificate.objects.order_by("id"))


TODAYS_HOUSEHOLD = ["山田 太郎（世帯主）", "山田 花子（妻）", "山田 一郎（子）"]


def test_before_the_planned_date_the_leaving_person_s_page_offers_the_household_of_the_day(
    clerk: Client, tenant_a: Any, household: list[int]
) -> None:
    head, wife, son = household
    page = _wizard(clerk, head)
    assert offered(page) == TODAYS_HOUSEHOLD
    assert initial_kind(page) == Certificate.Kind.RESIDENT_COPY  # a 現存者: not a 除票
    done = _issue(clerk, head, copy_request([head, wife, son], head))
    assert done.status_code == 302, done.content.decode()[:3000]
    (certificate,) = issued(tenant_a)
    assert (certificate.kind, certificate.resident_ids) == ("resident_copy", [head, wife, son])


def test_before_the_planned_date_a_staying_member_s_page_offers_the_household_of_the_day(
    clerk: Client, tenant_a: Any, household: list[int]
) -> None:
    head, wife, son = household
    page = _wizard(clerk, wife)
    assert offered(page) == TODAYS_HOUSEHOLD  # 花子 is not 世帯主 yet, 太郎 still is
    assert initial_kind(page) == Certificate.Kind.RESIDENT_COPY
    assert _issue(clerk, wife, copy_request([head, wife, son], wife)).status_code == 302
    assert [c.resident_ids for c in issued(tenant_a)] == [[head, wife, son]]


def test_a_move_out_brought_forward_by_the_move_in_notice_has_taken_effect_in_the_wizard(
    clerk: Client, tenant_a: Any, household: list[int]
) -> None:
    """j50: the 転出 takes effect on the earlier of the planned date and the move-in date the destination reports;
    from then on 花子 is 世帯主 although the entry that says so has the planned date."""
    head, wife, _son = household
    with tenant_context(tenant_a.code):
        data = {"moved_in_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
                "from_tenant": "131041", "resident_codes": [Resident.objects.get(id=head).resident_code]}  # fmt: skip
        services.confirm_move_out({"id": "notice-1", "data": data})
    assert offered(_wizard(clerk, wife)) == ["山田 花子（世帯主）", "山田 一郎（子）"]
    leaving = _wizard(clerk, head)
    assert offered(leaving) == ["山田 太郎（世帯主）"] and initial_kind(leaving) == Certificate.Kind.REMOVED_COPY


def test_from_the_planned_date_the_person_who_left_is_offered_alone_for_a_removed_record_s_copy(
    clerk: Client, tenant_a: Any, household: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    head, wife, _son = household
    planned = timezone.localdate() + datetime.timedelta(days=AHEAD)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: planned)  # the clock at the planned date
    assert offered(_wizard(clerk, wife)) == ["山田 花子（世帯主）", "山田 一郎（子）"]
    leaving = _wizard(clerk, head)
    assert offered(leaving) == ["山田 太郎（世帯主）"]
    assert initial_kind(leaving) == Certificate.Kind.REMOVED_COPY
    refused = _issue(clerk, head, copy_request([head], head))  # a 住民票の写し of a 除票
    assert "除票の写しは消除された方" in _errors_next_to(refused, "id_resident_ids")
    removed = copy_request([head], head, kind="removed_copy", layout="individual", requester="self")
    assert _issue(clerk, head, removed).status_code == 302
    assert [(c.kind, c.resident_ids) for c in issued(tenant_a)] == [("removed_copy", [head])]
