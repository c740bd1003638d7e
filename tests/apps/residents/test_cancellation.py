"""異動の取消し (住民記録システム標準仕様書 4.6.0.1, j980): a procedure undone by a new one on top of the history."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from kiban.apps.residents import selectors, services
from kiban.apps.residents.models import Household, Resident, ResidentHistory
from kiban.apps.residents.validation import ProcedureError
from kiban.platform.tenants.context import tenant_context

from .test_procedures import D, chiyoda, codes, counts, family, n, person  # noqa: F401 (chiyoda is a fixture)

in_chiyoda = pytest.mark.usefixtures("chiyoda")


@in_chiyoda
def test_a_move_out_undone_brings_the_household_back_as_it_was() -> None:
    household_id, (head, wife, *_) = family()
    out = services.move_out(
        n(D(2024, 3, 31), D(2024, 3, 20)),
        resident_ids=[head],
        destination_address="大阪市",
        new_householder_id=wife,
        relationships={wife: "世帯主", _[0]: "子", _[1]: "子"},
    )
    assert Resident.objects.get(id=wife).relationship == "世帯主"
    before = counts()
    undone = services.cancel(n(D(2024, 4, 2)), procedure_id=out.procedure_id, reason="届出人の申出（転出取りやめ）")
    assert undone.kind == "異動の取消し（増）" and set(undone.resident_ids) == {head, wife, *_}
    r = Resident.objects.get(id=head)
    assert (
        r.status == "registered"
        and r.removed_on is None
        and r.relationship == "世帯主"
        and r.household_id == household_id
    )
    assert Resident.objects.get(id=wife).relationship == "妻"
    assert counts()[2] == before[2] + 4  # history grows: nothing deleted
    assert [h.kind for h in ResidentHistory.objects.filter(resident_id=head).order_by("seq")] == [
        "国内転入",
        "国内転出",
        "異動の取消し（増）",
    ]
    assert [s.number for s in selectors.records_of(head)] == [1]  # the same 住民票 comes back
    # the undone move-out stays in the history but never took effect: as of any day the person was here
    assert selectors.open_resident(head, "x", as_of=D(2024, 4, 1)).status == "registered"


@in_chiyoda
def test_a_move_in_undone_removes_the_record_and_a_move_within_returns_to_the_old_address() -> None:
    household_id, ids = family()
    moved = services.move_within(n(D(2023, 5, 1)), resident_ids=ids, address=services.AddressData("千代田区二番町2番"))
    services.cancel(n(D(2023, 5, 2)), procedure_id=moved.procedure_id, reason="誤入力")
    h = Household.objects.get(id=household_id)
    assert (h.address, h.building) == ("東京都千代田区九段南1丁目2番1号", "九段ハイツ101")
    assert Resident.objects.get(id=ids[0]).moved_in_on == D(2020, 4, 1)

    newcomer = services.move_in(
        n(D(2024, 1, 10)),
        address=services.AddressData("千代田区三番町3番"),
        previous_address="横浜市",
        persons=[person("三郎")],
    )
    undone = services.cancel(n(D(2024, 1, 11)), procedure_id=newcomer.procedure_id, reason="二重入力")
    r = Resident.objects.get(id=newcomer.resident_ids[0])
    assert undone.kind == "異動の取消し（減）" and r.status == "removed" and r.removal_reason == "異動の取消し（減）"


def _children_back(procedure_id: int, son: int, younger: int) -> None:
    """The children did not move with the household (2023-05-01): undone for them on 2023-06-02, a new household."""
    services.cancel(
        n(D(2023, 6, 2)),
        procedure_id=procedure_id,
        resident_ids=[son, younger],
        relationships={son: "世帯主", younger: "弟"},
        reason="子は転居していなかった",
    )


@in_chiyoda
def test_a_household_that_moved_returns_and_a_part_forms_a_new_household_at_the_old_address() -> None:
    household_id, (head, wife, son, younger) = family()
    moved = services.move_within(
        n(D(2023, 5, 1)), resident_ids=[head, wife, son, younger], address=services.AddressData("千代田区二番町2番")
    )
    services.change_householder(
        n(D(2023, 6, 1)),
        household_id=household_id,
        relationships={wife: "世帯主", head: "夫", son: "子", younger: "子"},
    )
    with pytest.raises(ProcedureError) as err:  # every member has a later change now
        services.cancel(n(D(2023, 6, 2)), procedure_id=moved.procedure_id, reason="誤入力")
    assert codes(err) == {"later_change"}

    household_id, (head, wife, son, younger) = family()
    moved = services.move_within(
        n(D(2023, 5, 1)), resident_ids=[head, wife, son, younger], address=services.AddressData("千代田区二番町2番")
    )
    with pytest.raises(ProcedureError) as err:  # the children alone would be a household without householder
        services.cancel(n(D(2023, 6, 2)), procedure_id=moved.procedure_id, resident_ids=[son, younger], reason="誤入力")
    assert codes(err) == {"householder_missing"}
    _children_back(moved.procedure_id, son, younger)
    kids = Resident.objects.get(id=son).household
    assert (
        kids.id != household_id
        and kids.address == "東京都千代田区九段南1丁目2番1号"
        and kids.building == "九段ハイツ101"
    )
    assert Household.objects.get(id=household_id).address == "千代田区二番町2番"  # the parents stay
    services.cancel(n(D(2023, 6, 3)), procedure_id=moved.procedure_id, resident_ids=[head, wife], reason="誤入力")
    assert Resident.objects.get(id=head).household.address == "東京都千代田区九段南1丁目2番1号"


@in_chiyoda
def test_cancellation_failures_write_nothing() -> None:
    _, (head, wife, *_) = family()
    out = services.move_out(n(D(2024, 3, 31), D(2024, 3, 20)), resident_ids=[wife], destination_address="大阪市")
    before = counts()
    cases = [
        ({"procedure_id": 999999, "reason": "x"}, {"not_found"}),
        ({"procedure_id": out.procedure_id, "reason": " "}, {"required"}),
        ({"procedure_id": out.procedure_id, "reason": "x", "resident_ids": [head]}, {"not_in_procedure"}),
        ({"procedure_id": out.procedure_id, "reason": "x", "resident_ids": []}, {"required"}),
    ]
    for kwargs, expected in cases:
        with pytest.raises(ProcedureError) as err:
            services.cancel(n(D(2024, 4, 1)), **kwargs)
        assert codes(err) == expected, kwargs
    with pytest.raises(ProcedureError) as err:
        services.cancel(n(D(2099, 1, 1)), procedure_id=out.procedure_id, reason="x")
    assert codes(err) == {"future_date"}
    assert counts() == before
    undo = services.cancel(n(D(2024, 4, 1)), procedure_id=out.procedure_id, reason="x")
    with pytest.raises(ProcedureError) as err:
        services.cancel(n(D(2024, 4, 1)), procedure_id=undo.procedure_id, reason="x")
    assert codes(err) == {"is_cancellation"}


def test_the_api_undoes_a_procedure(tenant_a: Any, client_token: Any) -> None:
    from django.test import Client

    with tenant_context(tenant_a.code):
        _, (head, *_) = family()
        out = services.move_out(
            n(D(2024, 3, 31), D(2024, 3, 20)),
            resident_ids=[head],
            destination_address="大阪市",
            new_householder_id=_[0],
            relationships={_[0]: "世帯主", _[1]: "子", _[2]: "子"},
        )
    token = client_token(tenant_a, businesses=["residents"], scopes="residents:read residents:write")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/v1/tenants/{tenant_a.code}/procedures/cancel"
    body = {
        "request_id": "undo-1",
        "effective_on": "2024-04-02",
        "notified_on": "2024-04-02",
        "procedure_id": out.procedure_id,
        "reason": "",
    }
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 422 and refused.json()["errors"][0]["code"] == "required"
    assert (
        client.post(url, body | {"procedure_id": 10**9, "reason": "x"}, content_type="application/json").status_code
        == 404
    )
    done = client.post(url, body | {"reason": "転出取りやめ"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["kind"] == "異動の取消し（増）"
    again = client.post(url, body | {"reason": "転出取りやめ"}, content_type="application/json")
    assert again.json()["replayed"] is True  # a retry is answered, not done twice
    with tenant_context(tenant_a.code):
        assert Resident.objects.get(id=head).status == "registered"


def test_until_the_planned_date_a_person_moving_out_is_still_on_the_register(tenant_a: Any) -> None:
    """標準仕様書 1.1.5 (j50): 消除 on the planned date; until then a 現存者 — found by search and by the standard
    contract — and no other procedure may be entered for them before the move-out is cancelled."""
    import datetime

    from django.utils import timezone

    from kiban.apps.residents.contract import KibanRegistry

    today = timezone.localdate()
    with tenant_context(tenant_a.code):
        _, (_head, wife, *_kids) = family(today - datetime.timedelta(days=400))
        r = Resident.objects.get(id=wife)
        out = services.move_out(
            n(today + datetime.timedelta(days=10), today), resident_ids=[wife], destination_address="大阪市"
        )
        found = selectors.search(selectors.SearchCriteria(kana="ヤマダ", birth_date=r.birth_date), "x")
        assert [p.id for p in found] == [wife]
        registry = KibanRegistry()
        assert registry.record(wife, "x") is not None
        assert registry.identify(r.family_name, r.given_name, r.birth_date, r.household.address, "x") == [wife]
        with pytest.raises(ProcedureError) as err:
            services.move_within(
                n(today),
                resident_ids=[wife],
                address=services.AddressData("千代田区5番"),
                relationships={wife: "世帯主"},
            )
        assert codes(err) == {"moving_out"} and "転出予定" in err.value.errors[0].message
        services.cancel(n(today), procedure_id=out.procedure_id, reason="転出取りやめ")
        assert Resident.objects.get(id=wife).is_registered
        services.move_out(
            n(today - datetime.timedelta(days=1), today), resident_ids=[wife], destination_address="大阪市"
        )
        assert selectors.search(selectors.SearchCriteria(kana="ヤマダ", birth_date=r.birth_date), "x") == []
        assert registry.record(wife, "x") is None


def test_the_api_issues_and_reissues_the_moving_out_certificate(tenant_a: Any, client_token: Any) -> None:
    """転出証明書 (標準仕様書 4.1.3.0.3) by the API: once per 転出, then only 再交付; not for other procedures."""
    with tenant_context(tenant_a.code):
        _, (head, *rest) = family()
        out = services.move_out(
            n(D(2024, 3, 31), D(2024, 3, 20)), resident_ids=[head, *rest], destination_address="大阪市"
        )
        moved = services.move_within(
            n(D(2023, 1, 1)), resident_ids=[p for p in family()[1]], address=services.AddressData("千代田区7番")
        )
    token = client_token(tenant_a, businesses=["residents"], scopes="residents:read residents:write")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    base = f"/api/v1/tenants/{tenant_a.code}"
    first = client.post(f"{base}/procedures/{out.procedure_id}/move-out-certificate")
    assert first.status_code == 200 and first.content.startswith(b"%PDF") and first["X-Verification-Code"]
    again = client.post(f"{base}/procedures/{out.procedure_id}/move-out-certificate")
    assert again.status_code == 422  # once: a lost one is reissued
    assert client.post(f"{base}/procedures/{moved.procedure_id}/move-out-certificate").status_code == 422
    with tenant_context(tenant_a.code):
        from kiban.apps.residents.models import MoveOutCertificate

        issued = MoveOutCertificate.objects.get(procedure_id=out.procedure_id)
    reissued = client.post(f"{base}/move-out-certificates/{issued.id}/reissue")
    assert reissued.status_code == 200 and reissued["X-Issue-Number"] != first["X-Issue-Number"]
    assert client.post(f"{base}/move-out-certificates/999999/reissue").status_code == 404


def test_a_person_moving_out_gets_a_resident_copy_until_the_planned_date(tenant_a: Any) -> None:
    """標準仕様書 1.1.5 (j50): until the planned date a 住民票の写し (without 消除 items), not a 除票の写し."""
    import datetime

    from django.utils import timezone

    from kiban.apps.residents import certificates

    from .printing.pdftext import text

    today = timezone.localdate()
    with tenant_context(tenant_a.code):
        _, (_head, wife, *_kids) = family(today - datetime.timedelta(days=400))
        services.move_out(
            n(today + datetime.timedelta(days=10), today), resident_ids=[wife], destination_address="大阪市"
        )
        request = {
            "resident_ids": [wife],
            "requester": "self",
            "requester_name": "山田　花子",
            "purpose": "年金",
            "requester_resident_id": wife,
            "layout": "individual",
            "items": ("history",),
        }
        issued = certificates.issue(certificates.Request(kind="resident_copy", **request))
        printed = text(issued.pdf)
        assert "住民票の写し" in printed and "消除" not in printed
        with pytest.raises(ProcedureError) as err:
            certificates.issue(certificates.Request(kind="removed_copy", **request))
        assert codes(err) == {"wrong_status"}


@in_chiyoda
def test_as_of_reads_put_the_persons_who_came_back_in_their_new_household() -> None:
    """A cancellation that forms a new household at the former address (4.6.0.1) is a change of its own: from its
    date on, the population of a day (the benefits' base date) groups them in that household with the 続柄 given
    then; before it, the undone move never took effect. A cancellation that only puts a person back adds nothing."""
    from kiban.apps.residents.contract import KibanRegistry

    household_id, (head, wife, son, younger) = family()
    moved = services.move_within(
        n(D(2023, 5, 1)), resident_ids=[head, wife, son, younger], address=services.AddressData("千代田区二番町2番")
    )
    _children_back(moved.procedure_id, son, younger)
    kids = Resident.objects.get(id=son).household_id
    assert kids != household_id

    def population(on: datetime.date) -> dict[int, tuple[int, str]]:
        people = KibanRegistry().population_as_of(on, "test")
        return {p.resident_id: (p.household_id, p.relationship) for p in people}

    before = {head: (household_id, "世帯主"), wife: (household_id, "妻"), son: (household_id, "子"),
              younger: (household_id, "子")}  # fmt: skip
    assert population(D(2023, 5, 15)) == before
    after = {head: (household_id, "世帯主"), wife: (household_id, "妻"), son: (kids, "世帯主"), younger: (kids, "弟")}
    assert population(D(2023, 6, 2)) == after
    assert population(D(2024, 1, 1)) == after
    in_effect = services.history_in_effect(son)
    assert [e.kind for e in in_effect.order_by("seq")] == ["国内転入", "異動の取消し（修正）"]
    services.cancel(n(D(2023, 6, 3)), procedure_id=moved.procedure_id, resident_ids=[head, wife], reason="誤入力")
    assert population(D(2024, 1, 1)) == after  # the parents only put back: the same as before the move
    assert [e.kind for e in services.history_in_effect(head).order_by("seq")] == ["国内転入"]
