"""転入通知未着 (標準仕様書 4.1.3.1.4 j710, 4.1.3.1.3 j700): who moved out and whose 転入通知 has not come is listed,
with the 転入通知未着照会書 to the destination; a 転入通知 received on paper is recorded like one received over the
network, and the person leaves the list."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kiban.apps.residents import move_in_notices, services
from kiban.apps.residents.models import Procedure, Resident
from kiban.apps.residents.permissions import CLERK
from kiban.apps.residents.validation import ProcedureError
from kiban.platform.audit.models import AuditEntry
from kiban.platform.tenants.context import tenant_context
from tests.apps.residents.printing.pdftext import text
from tests.conftest import sign_in

from .test_certificates import certified_household, no_certifier

PAGE = "/staff/residents/move-in-notices/"
OSAKA = "271004"  # 大阪市 (not a tenant here: no transfer over the platform)


def _ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.fixture
def moved(tenant_a: Any) -> list[int]:
    """山田 太郎 and 花子: 太郎 moved out to 大阪市 20 days ago; 花子 stays."""
    ids = certified_household(tenant_a)
    with tenant_context(tenant_a.code):
        services.move_out(services.Notification("mo-away", _ago(20), _ago(20)), resident_ids=ids[:1],
                          destination_address="大阪府大阪市北区中之島1丁目3番20号", destination_code=OSAKA,
                          relationships={ids[1]: "世帯主"})  # fmt: skip
    return ids


def _listed(tenant: Any, **kw: Any) -> list[int]:
    with tenant_context(tenant.code):
        return [r.resident_id for r in move_in_notices.awaiting("確認", **kw)]


def test_listed_until_the_notice_comes_and_inquired_of(tenant_a: Any, moved: list[int]) -> None:
    taro = moved[0]
    assert _listed(tenant_a) == [taro]
    assert _listed(tenant_a, days=30) == []  # not yet 30 days
    with tenant_context(tenant_a.code):
        (row,) = move_in_notices.awaiting("確認")
        assert (row.destination_municipality, row.reason) == ("大阪府大阪市", "国内転出")
        flat = "".join(text(move_in_notices.inquiry_letter(taro, "転入通知の照会")).split())
        assert AuditEntry.objects.filter(action="residents.move_in_notice.inquiry", object_id=str(taro)).exists()
        assert AuditEntry.objects.filter(action="resident.listed", object_id=str(taro), purpose="確認").exists()
    for item in (
        "転入通知未着照会書",
        "大阪府大阪市長様",
        "山田太郎",
        "大阪府大阪市北区中之島1丁目3番20号",
        "照会します",
    ):
        assert item in flat, item
    # The 転入通知 comes on paper: moved in there 18 days ago, after the planned date (which stays the removal date).
    with tenant_context(tenant_a.code):
        move_in_notices.receive_on_paper(taro, _ago(18), "転入通知の受理")
        assert AuditEntry.objects.filter(action="residents.move_in_notice.received", purpose="転入通知の受理").exists()
        assert Resident.objects.get(id=taro).removed_on == _ago(20)  # the earlier of the two stays
        assert Procedure.objects.filter(flags__icontains="move_out_confirmed").count() == 1
    assert _listed(tenant_a) == []


def test_a_notice_over_the_network_ends_the_wait_too(tenant_a: Any, moved: list[int]) -> None:
    taro = moved[0]
    with tenant_context(tenant_a.code):
        code = Resident.objects.get(id=taro).resident_code
        data = {"moved_in_on": _ago(19).isoformat(), "resident_codes": [code], "from_tenant": OSAKA}
        services.confirm_move_out({"id": "evt-1", "data": data})
    assert _listed(tenant_a) == []


def test_removals_by_authority_are_listed_on_request(tenant_a: Any, make_resident: Any) -> None:
    person = make_resident(tenant_a, "サトウ")
    with tenant_context(tenant_a.code):
        services.remove_by_authority(services.Notification("ex-1", _ago(40), _ago(40)), resident_ids=[person.id],
                                     reason="実態調査")  # fmt: skip
    assert _listed(tenant_a) == []
    assert _listed(tenant_a, removed_by_authority=True) == [person.id]


def test_refusals_write_nothing(tenant_a: Any, moved: list[int]) -> None:
    taro, hanako = moved
    with tenant_context(tenant_a.code):
        before = Procedure.objects.count()
        for resident_id, day, field in ((taro, _ago(-1), "moved_in_on"), (hanako, _ago(1), "resident_id"),
                                        (999_999, _ago(1), "resident_id")):  # fmt: skip
            with pytest.raises(ProcedureError) as err:
                move_in_notices.receive_on_paper(resident_id, day, "確認")
            assert {e.field for e in err.value.errors} == {field}
        with pytest.raises(ProcedureError):
            move_in_notices.inquiry_letter(hanako, "確認")  # she did not move out
        assert Procedure.objects.count() == before
    no_certifier(tenant_a)
    with tenant_context(tenant_a.code), pytest.raises(ProcedureError) as err:
        move_in_notices.inquiry_letter(taro, "確認")
    assert {e.field for e in err.value.errors} == {"certifier"}


def test_the_counter_page(
    clerk: Client, supervisor: Client, tenant_a: Any, tenant_b: Any, make_staff: Any, moved: list[int]
) -> None:
    taro = moved[0]
    assert "利用目的" in clerk.get(PAGE).content.decode()  # the purpose first
    listed = clerk.get(PAGE, {"purpose": "未着の確認"}).content.decode()
    assert "山田" in listed and f"/move-in-notices/{taro}/inquiry/" in listed and 'name="moved_in_on"' not in listed
    pdf = clerk.get(f"{PAGE}{taro}/inquiry/", {"purpose": "照会"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert clerk.post(PAGE, {"purpose": "受理", "resident_id": taro, "moved_in_on": "R6.4.1"}).status_code == 403
    assert 'name="moved_in_on"' in supervisor.get(PAGE, {"purpose": "未着の確認"}).content.decode()
    refused = supervisor.post(PAGE, {"purpose": "受理", "resident_id": taro, "moved_in_on": "いつか"})
    assert refused.status_code == 400 and 'id="errors"' in refused.content.decode()
    other = sign_in(make_staff(tenant_b, "clerk-b", [CLERK.code]))
    assert "山田" not in other.get(PAGE, {"purpose": "確認"}).content.decode()
    assert other.get(f"{PAGE}{taro}/inquiry/", {"purpose": "照会"}).status_code == 404
    done = supervisor.post(PAGE, {"purpose": "受理", "resident_id": taro, "moved_in_on": _ago(18).isoformat()})
    assert done.status_code == 302
    assert 'id="none"' in supervisor.get(done["Location"]).content.decode()
