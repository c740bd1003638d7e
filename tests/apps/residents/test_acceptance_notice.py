"""住民異動届受理通知 (標準仕様書 4.1.0.3, j580): the 届出人 of a notification is recorded with it, and the letter
saying the notification was accepted — 届出日, 異動事由, 届出人, 異動者 and nothing else of it — goes to the 届出人 at
the address before the change (to the mover at the new address when there is none before), printed at any time later."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from kiban.apps.residents import acceptance, services
from kiban.apps.residents.models import Procedure, Resident
from kiban.apps.residents.permissions import CLERK
from kiban.apps.residents.validation import PersonData, ProcedureError
from kiban.platform.audit.models import AuditEntry
from kiban.platform.tenants.context import tenant_context
from tests.apps.residents.counter_helpers import _register, _state
from tests.apps.residents.printing.pdftext import text
from tests.conftest import sign_in

from .test_certificates import no_certifier, register_mayor

D = datetime.date
HOME = "東京都千代田区九段南1丁目2番1号"
NEW = "東京都千代田区二番町2番"


APRIL = D(2024, 4, 1)


def _n(request_id: str, day: D = APRIL, **kw: Any) -> services.Notification:
    return services.Notification(request_id, day, day, **kw)


@pytest.fixture
def family(tenant_a: Any) -> list[int]:
    """太郎 (世帯主) and 花子 (妻), moved in from abroad in 2020; the mayor certifies."""
    register_mayor(tenant_a)
    names = (("太郎", "タロウ", "1", "世帯主"), ("花子", "ハナコ", "2", "妻"))
    people = [PersonData(family_name="山田", given_name=given, family_name_kana="ヤマダ", given_name_kana=kana,
                         birth_date=D(1980, 5, 5), sex=sex, relationship=rel)
              for given, kana, sex, rel in names]  # fmt: skip
    with tenant_context(tenant_a.code):
        services.move_in(_n("acc-in", D(2020, 4, 1)), address=services.AddressData(HOME, building="九段ハイツ101"),
                         origin="abroad", persons=people)  # fmt: skip
        return [Resident.objects.get(given_name=g).id for g in ("太郎", "花子")]


def test_a_move_notified_by_another_goes_to_the_notifier_at_the_address_left(tenant_a: Any, family: list[int]) -> None:
    with tenant_context(tenant_a.code):
        moved = services.move_within(_n("acc-1", notifier="鈴木　一郎"), resident_ids=family,
                                     address=services.AddressData(NEW))  # fmt: skip
        procedure = Procedure.objects.get(id=moved.procedure_id)
        assert procedure.payload["notifier"] == "鈴木　一郎"
        printed = text(acceptance.notice(procedure.id, "受理通知の送付"))
        assert AuditEntry.objects.filter(action="residents.acceptance_notice.printed",
                                         object_id=str(procedure.id), purpose="受理通知の送付").exists()  # fmt: skip
    flat = "".join(printed.split())
    for item in ("住民異動届受理通知書", "令和6年4月1日", "転居", "鈴木一郎様", "山田太郎", "受理しました",
                 "九段南1丁目2番1号九段ハイツ101"):  # fmt: skip
        assert item in flat, item
    assert "二番町" not in flat and "山田花子" in flat  # sent to the address left; both movers named


def test_a_move_in_from_abroad_goes_to_the_mover_at_the_new_address(tenant_a: Any, family: list[int]) -> None:
    with tenant_context(tenant_a.code):
        procedure = Procedure.objects.get(request_id="acc-in")
        flat = "".join(text(acceptance.notice(procedure.id, "確認")).split())
    assert "山田太郎様" in flat and "九段南1丁目2番1号" in flat and "山田太郎（異動者本人）" in flat
    assert "山田太郎、山田花子" in flat  # every mover named


def test_a_domestic_move_in_goes_to_the_address_before(tenant_a: Any) -> None:
    from kiban.standard.numbers import make_resident_code

    register_mayor(tenant_a)
    person = PersonData(family_name="佐藤", given_name="次郎", family_name_kana="サトウ", given_name_kana="ジロウ",
                        birth_date=D(1990, 1, 2), sex="1", relationship="世帯主",
                        resident_code=make_resident_code("1234567890"))  # fmt: skip
    with tenant_context(tenant_a.code):
        result = services.move_in(_n("acc-dom", notifier="佐藤　花子"), address=services.AddressData(NEW),
                                  origin="domestic", previous_address="大阪府大阪市北区中之島1丁目3番20号",
                                  persons=[person])  # fmt: skip
        flat = "".join(text(acceptance.notice(result.procedure_id, "確認")).split())
    assert "佐藤花子様" in flat and "大阪府大阪市北区中之島1丁目3番20号" in flat and "二番町" not in flat


def test_refusals(tenant_a: Any, family: list[int]) -> None:
    hanako = family[1]
    with tenant_context(tenant_a.code):
        before = Procedure.objects.count()
        for n, call in (
            (_n("acc-bad-1", notifier="鈴木　一郎"), lambda n: services.death(n, resident_id=hanako)),
            (_n("acc-bad-2", notifier="鈴木　一郎", by_authority=True),
             lambda n: services.move_within(n, resident_ids=family, address=services.AddressData(NEW))),
            (_n("acc-bad-3", notifier="長" * 65),
             lambda n: services.move_within(n, resident_ids=family, address=services.AddressData(NEW))),
        ):  # fmt: skip
            with pytest.raises(ProcedureError) as err:
                call(n)
            assert {e.field for e in err.value.errors} == {"notifier"}
        assert Procedure.objects.count() == before  # nothing written
        # No letter for an authority action or a procedure that is no notification.
        by_authority = services.move_within(_n("acc-auth", by_authority=True), resident_ids=family,
                                            address=services.AddressData(NEW))  # fmt: skip
        died = services.death(_n("acc-death"), resident_id=hanako)
        for procedure_id in (by_authority.procedure_id, died.procedure_id, 999_999):
            with pytest.raises(ProcedureError) as err:
                acceptance.notice(procedure_id, "確認")
            assert {e.code for e in err.value.errors} == {"not_found"}
    no_certifier(tenant_a)
    with tenant_context(tenant_a.code), pytest.raises(ProcedureError) as err:
        acceptance.notice(Procedure.objects.get(request_id="acc-in").id, "確認")
    assert {e.field for e in err.value.errors} == {"certifier"}


def test_at_the_counter_entered_registered_and_printed_later(
    clerk: Client, supervisor: Client, tenant_a: Any, tenant_b: Any, make_staff: Any, family: list[int]
) -> None:
    taro, hanako = family
    url = "/staff/residents/procedures/move-within/"
    with tenant_context(tenant_a.code):
        household = Resident.objects.get(id=taro).household_id
    start = clerk.get(url, {"household": household})
    assert 'name="notifier"' in start.content.decode() and '<datalist id="notifier-examples">' in start.content.decode()
    data = {"effective_on": "R6.4.1", "notified_on": "R6.4.1", "address": NEW, "resident_ids": [taro, hanako],
            "notifier": "鈴木　一郎"}  # fmt: skip
    confirm = clerk.post(url, {"state": _state(start), "action": "next", **data})
    assert "鈴木　一郎" in confirm.content.decode()
    assert clerk.post(url, {"state": _state(confirm), "action": "record"}).status_code == 302
    results = _register(supervisor).content.decode()
    with tenant_context(tenant_a.code):
        procedure = Procedure.objects.get(kind="転居")
    link = f"/staff/residents/recorded/{procedure.id}/acceptance-notice/"
    assert link in results and procedure.payload["notifier"] == "鈴木　一郎"
    # Later, from the record: a history row of the move offers it, the move-in's too; not the death's.
    record = clerk.get(f"/staff/residents/{taro}/", {"purpose": "確認"}).content.decode()
    assert f'href="{link}?purpose=' in record
    assert clerk.get(link).status_code == 200 and "利用目的" in clerk.get(link).content.decode()  # the purpose first
    pdf = clerk.get(link, {"purpose": "受理通知の送付"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "鈴木一郎様" in "".join(text(pdf.content).split())
    other = sign_in(make_staff(tenant_b, "clerk-b", [CLERK.code]))
    assert other.get(link, {"purpose": "確認"}).status_code == 404  # another municipality's procedure


def test_the_api_records_the_notifier(tenant_a: Any, family: list[int], client_token: Any) -> None:
    token = client_token(tenant_a, businesses=["residents"], scopes="residents:read residents:write")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/v1/tenants/{tenant_a.code}/procedures/move-within"
    body = {"request_id": "acc-api-1", "effective_on": "2024-04-01", "notified_on": "2024-04-01",
            "resident_ids": family, "address": {"address": NEW},
            "notifier": "鈴木　一郎", "by_authority": True}  # fmt: skip
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "notifier"
    done = client.post(url, body | {"request_id": "acc-api-2", "by_authority": False}, content_type="application/json")
    assert done.status_code == 200, done.content.decode()
    with tenant_context(tenant_a.code):
        assert Procedure.objects.get(request_id="acc-api-2").payload["notifier"] == "鈴木　一郎"
