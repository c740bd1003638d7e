"""旧氏 (住民基本台帳法施行令30条の13以下; 標準仕様書 1.1.7 j70): recorded, changed and deleted on request, kept in the
history, shown by the API, printed on certificates, and carried in the standard export."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kiban.apps.residents import certificates, selectors, services
from kiban.apps.residents.models import Resident, ResidentHistory
from kiban.apps.residents.validation import ProcedureError
from kiban.platform.tenants.context import tenant_context

from .test_certificates import _printed, _request
from .test_procedures import D, chiyoda, codes, counts, n, person  # noqa: F401 (chiyoda is a fixture)

in_chiyoda = pytest.mark.usefixtures("chiyoda")


def _someone() -> int:
    result = services.move_in(
        n(D(2020, 4, 1)),
        address=services.AddressData("千代田区1番"),
        previous_address="横浜市",
        persons=[
            person(
                "花子",
                family_name="佐藤",
                given_name_kana="ハナコ",
                sex="2",
                former_surname="山田",
                former_surname_kana="ヤマダ",
            )
        ],
    )
    return result.resident_ids[0]


@in_chiyoda
def test_a_former_surname_is_recorded_changed_and_deleted_with_history() -> None:
    rid = _someone()  # entered on the move-in
    assert (Resident.objects.get(id=rid).former_surname, Resident.objects.get(id=rid).former_surname_kana) == (
        "山田",
        "ヤマダ",
    )
    changed = services.record_former_surname(
        n(D(2024, 1, 10)), resident_id=rid, former_surname="鈴木", former_surname_kana="すずき"
    )
    assert changed.kind == "旧氏の変更" and Resident.objects.get(id=rid).former_surname_kana == "スズキ"
    deleted = services.record_former_surname(n(D(2024, 2, 1)), resident_id=rid, former_surname="")
    assert deleted.kind == "旧氏の削除" and Resident.objects.get(id=rid).former_surname == ""
    added = services.record_former_surname(
        n(D(2024, 3, 1)), resident_id=rid, former_surname="山田", former_surname_kana="ヤマダ"
    )
    assert added.kind == "旧氏の記載"
    kinds = [h.kind for h in ResidentHistory.objects.filter(resident_id=rid).order_by("seq")]
    assert kinds == ["国内転入", "旧氏の変更", "旧氏の削除", "旧氏の記載"]
    assert selectors.open_resident(rid, "x", as_of=D(2024, 1, 31)).former_surname == "鈴木"


@in_chiyoda
def test_former_surname_refusals_write_nothing() -> None:
    rid = _someone()
    foreign = services.move_in(
        n(D(2020, 4, 1)),
        address=services.AddressData("千代田区2番"),
        origin="abroad",
        persons=[
            person(
                "ミン",
                family_name="グエン",
                kind="foreign",
                domicile="",
                domicile_head="",
                nationality="704",
                residence_status="永住者",
                resident_code="",
            )
        ],
    ).resident_ids[0]
    before = counts()
    for kwargs, expected in [
        ({"resident_id": rid, "former_surname": "山田", "former_surname_kana": "ヤマダ"}, {"unchanged"}),
        ({"resident_id": rid, "former_surname": "田中", "former_surname_kana": "Tanaka"}, {"not_katakana"}),
        ({"resident_id": foreign, "former_surname": "田中", "former_surname_kana": "タナカ"}, {"not_japanese"}),
    ]:
        with pytest.raises(ProcedureError) as err:
            services.record_former_surname(n(D(2024, 1, 10)), **kwargs)  # type: ignore[arg-type]
        assert codes(err) == expected
    with pytest.raises(ProcedureError) as err:
        services.move_in(
            n(D(2021, 1, 1)),
            address=services.AddressData("千代田区3番"),
            previous_address="横浜市",
            persons=[person("一", former_surname="田中", former_surname_kana="")],
        )
    assert codes(err) == {"not_katakana"}
    assert counts() == before


def test_the_api_and_the_certificate_show_the_former_surname(tenant_a: Any, client_token: Any) -> None:
    with tenant_context(tenant_a.code):
        rid = _someone()
        printed = _printed(certificates.issue(_request([rid], layout="individual")).pdf)
    assert "旧氏" in printed and "山田" in printed
    token = client_token(tenant_a, businesses=["residents"], scopes="residents:read residents:write")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    base = f"/api/v1/tenants/{tenant_a.code}"
    assert client.get(f"{base}/residents/{rid}", {"purpose": "x"}).json()["former_surname"] == "山田"
    standard = client.get(f"{base}/residents/{rid}/standard", {"purpose": "x"}).json()
    assert standard["former_surname"] == "山田"  # kiban.standard.schemas.Resident.former_surname
    body = {
        "request_id": "fs-1",
        "effective_on": "2024-01-10",
        "notified_on": "2024-01-10",
        "resident_id": rid,
        "former_surname": "",
        "former_surname_kana": "",
    }
    done = client.post(f"{base}/procedures/former-surname", body, content_type="application/json")
    assert done.status_code == 200 and done.json()["kind"] == "旧氏の削除"


@in_chiyoda
def test_a_return_from_abroad_keeps_the_former_surname_recorded_when_leaving() -> None:
    """標準仕様書 1.1.7 (j70): 国外転出, then the first 国外からの転入 to the same municipality."""
    rid = _someone()
    code = Resident.objects.get(id=rid).resident_code
    services.move_out(
        n(D(2022, 3, 31), D(2022, 3, 20)), resident_ids=[rid], destination_address="アメリカ合衆国", abroad=True
    )
    back = services.move_in(
        n(D(2024, 4, 1)),
        address=services.AddressData("千代田区5番"),
        origin="abroad",
        persons=[person("花子", family_name="佐藤", given_name_kana="ハナコ", sex="2", resident_code=code)],
    )
    r = Resident.objects.get(id=back.resident_ids[0])
    assert r.id == rid and (r.former_surname, r.former_surname_kana) == ("山田", "ヤマダ")


def test_the_counter_record_shows_the_former_surname(tenant_a: Any, make_staff: Any) -> None:
    from tests.conftest import sign_in

    with tenant_context(tenant_a.code):
        rid = _someone()
    clerk = sign_in(make_staff(tenant_a, "fs.clerk", ["residents.clerk"]))
    page = clerk.get(f"/staff/residents/{rid}/", {"purpose": "窓口での確認"}).content.decode()
    assert "旧氏" in page and "山田（ヤマダ）" in page


@in_chiyoda
def test_a_newcomer_matching_a_removed_record_is_flagged_as_possibly_returning() -> None:
    """標準仕様書 4.1.1.2 (j600): 氏名・性別・生年月日 match a 除票 → an alert (flag), the procedure is not refused."""
    rid = _someone()
    services.move_out(n(D(2022, 3, 31), D(2022, 3, 20)), resident_ids=[rid], destination_address="大阪市")
    again = services.move_in(
        n(D(2024, 4, 1)),
        address=services.AddressData("千代田区6番"),
        previous_address="大阪市",
        persons=[person("花子", family_name="佐藤", given_name_kana="ハナコ", sex="2")],
    )
    assert again.flags == ["same_as_removed_record"] and again.resident_ids != [rid]
    other = services.move_in(
        n(D(2024, 4, 1)),
        address=services.AddressData("千代田区7番"),
        previous_address="大阪市",
        persons=[person("次郎")],
    )
    assert other.flags == []


def test_the_counter_wizard_records_a_former_surname_through_provisional_entry(tenant_a: Any, make_staff: Any) -> None:
    import re

    from kiban.apps.residents.models import ProvisionalEntry
    from tests.conftest import sign_in

    with tenant_context(tenant_a.code):
        rid = _someone()
    boss = sign_in(make_staff(tenant_a, "fs.boss", ["residents.supervisor"]))
    url = "/staff/residents/procedures/former-surname/"

    def state_of(page: Any) -> str:
        return re.search(r'name="state" value="([^"]+)"', page.content.decode()).group(1)  # type: ignore[union-attr]

    def enter(kana: str) -> Any:
        start = boss.get(url, {"resident": rid})
        assert start.status_code == 200 and 'value="山田"' in start.content.decode()  # the recorded one, to change
        data = {
            "effective_on": "2024-01-10",
            "notified_on": "2024-01-10",
            "former_surname": "鈴木",
            "former_surname_kana": kana,
        }
        confirm = boss.post(url, {"state": state_of(start), "action": "next", **data})
        assert confirm.status_code == 200
        return boss.post(url, {"state": state_of(confirm), "action": "record"})

    refused = enter("suzuki")  # the service's checks run at 仮登録 (and are rolled back)
    assert refused.status_code != 302 and "カタカナ" in refused.content.decode()
    with tenant_context(tenant_a.code):
        assert ProvisionalEntry.objects.count() == 0
    assert enter("スズキ").status_code == 302
    with tenant_context(tenant_a.code):
        assert Resident.objects.get(id=rid).former_surname == "山田"  # 仮登録: not yet in the register
    registered = boss.post("/staff/residents/provisional/", {"action": "register-all", "shown_branch": ""})
    assert registered.status_code == 302
    with tenant_context(tenant_a.code):
        assert Resident.objects.get(id=rid).former_surname == "鈴木"
