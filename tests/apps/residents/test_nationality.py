"""帰化・国籍取得・国籍喪失 (住民記録システム標準仕様書 4.5.3–4.5.5, j930–j950): one 住民票 removed, one of the other
kind recorded, items taken over, in one procedure."""

from __future__ import annotations

from typing import Any

import pytest

from kiban.apps.residents import selectors, services
from kiban.apps.residents.models import Resident, ResidentHistory
from kiban.apps.residents.validation import PersonData, ProcedureError

from .test_procedures import D, chiyoda, codes, counts, n, person  # noqa: F401 (chiyoda is a fixture)

in_chiyoda = pytest.mark.usefixtures("chiyoda")


def foreigner() -> int:
    result = services.move_in(
        n(D(2015, 4, 1)),
        address=services.AddressData("東京都千代田区神田1番", building="神田荘2号"),
        origin="abroad",
        persons=[
            person(
                "ミン",
                family_name="グエン",
                family_name_kana="グエン",
                given_name_kana="ミン",
                kind="foreign",
                domicile="",
                domicile_head="",
                nationality="704",
                residence_status="永住者",
                residence_card_number="AB12345678CD",
                alias="中村",
                alias_kana="ナカムラ",
                individual_number="123456789018",
                resident_code="",
            )
        ],
    )
    return result.resident_ids[0]


def japanese_name(**kw: object) -> PersonData:
    values = {
        "family_name": "中村",
        "given_name": "明",
        "family_name_kana": "ナカムラ",
        "given_name_kana": "アキラ",
        "birth_date": D(1900, 1, 1),
        "sex": "9",
        "domicile": "東京都千代田区神田1番",
        "domicile_head": "中村　明",
    }
    return PersonData(**(values | kw))  # type: ignore[arg-type]


@in_chiyoda
def test_naturalization_removes_the_foreign_record_and_records_a_japanese_one() -> None:
    rid = foreigner()
    before = Resident.objects.get(id=rid)
    result = services.change_nationality(
        n(D(2024, 6, 1), D(2024, 6, 3)), resident_id=rid, cause="naturalization", person=japanese_name()
    )
    r = Resident.objects.get(id=rid)
    assert result.kind == "職権記載（帰化等）" and r.kind == "japanese" and r.status == "registered"
    assert (r.family_name, r.given_name, r.domicile) == ("中村", "明", "東京都千代田区神田1番")
    # taken over: birth date, sex, 続柄, address, dates, 住民票コード, 個人番号; foreign items gone
    assert (r.birth_date, r.sex, r.relationship, r.household_id) == (
        before.birth_date,
        before.sex,
        "世帯主",
        before.household_id,
    )
    assert (r.became_resident_on, r.moved_in_on, r.resident_code) == (
        D(2015, 4, 1),
        D(2015, 4, 1),
        before.resident_code,
    )
    assert r.individual_number_digest == before.individual_number_digest and r.individual_number_cipher is not None
    assert (r.nationality, r.residence_status, r.residence_card_number, r.alias, r.period_of_stay_until) == (
        "",
        "",
        "",
        "",
        None,
    )
    entries = list(ResidentHistory.objects.filter(resident_id=rid).order_by("seq"))
    assert [(e.kind, e.snapshot["status"], e.snapshot["kind"]) for e in entries] == [
        ("国外転入等", "registered", "foreign"),
        ("職権消除（帰化等）", "removed", "foreign"),
        ("職権記載（帰化等）", "registered", "japanese"),
    ]
    assert entries[1].procedure_id == entries[2].procedure_id and r.version == 3
    assert [(s.number, s.removed_on) for s in selectors.records_of(rid)] == [(1, D(2024, 6, 1)), (2, None)]
    # undone as one procedure: back to the foreign record
    services.cancel(n(D(2024, 6, 4)), procedure_id=result.procedure_id, reason="誤入力")
    r = Resident.objects.get(id=rid)
    assert (r.kind, r.family_name, r.nationality, r.alias) == ("foreign", "グエン", "704", "中村")


@in_chiyoda
def test_loss_of_nationality_records_a_foreign_resident_from_the_later_date() -> None:
    household_id = services.move_in(
        n(D(2020, 4, 1)),
        address=services.AddressData("千代田区1番"),
        previous_address="横浜市",
        persons=[person("太郎")],
    ).household_ids[0]
    rid = Resident.objects.get(household_id=household_id).id
    new = PersonData(
        family_name="YAMADA",
        given_name="TARO",
        family_name_kana="ヤマダ",
        given_name_kana="タロウ",
        birth_date=D(1900, 1, 1),
        sex="1",
        nationality="840",
        residence_status="経過滞在者",
    )
    services.change_nationality(n(D(2024, 2, 1)), resident_id=rid, cause="loss", person=new)
    r = Resident.objects.get(id=rid)
    assert (r.kind, r.nationality, r.residence_status, r.domicile, r.domicile_head) == (
        "foreign",
        "840",
        "経過滞在者",
        "",
        "",
    )
    assert r.became_resident_on == D(2024, 2, 1)  # the later of the loss and the day the person became a resident
    kinds = [e.kind for e in ResidentHistory.objects.filter(resident_id=rid).order_by("seq")]
    assert kinds[-2:] == ["職権消除（国籍喪失）", "職権記載（国籍喪失）"]


@in_chiyoda
def test_nationality_changes_refuse_bad_input_and_write_nothing() -> None:
    rid = foreigner()
    before = counts()
    cases = [
        ({"cause": "marriage", "person": japanese_name()}, {"invalid"}),
        ({"cause": "naturalization", "person": japanese_name(domicile="", domicile_head="")}, {"required"}),
        ({"cause": "naturalization", "person": japanese_name(family_name_kana="Nakamura")}, {"not_katakana"}),
        ({"cause": "loss", "person": japanese_name(nationality="704", residence_status="経過滞在者")}, {"same_kind"}),
    ]
    for kwargs, expected in cases:
        with pytest.raises(ProcedureError) as err:
            services.change_nationality(n(D(2024, 6, 1)), resident_id=rid, **kwargs)  # type: ignore[arg-type]
        assert codes(err) == expected, kwargs
    with pytest.raises(ProcedureError) as err:
        services.change_nationality(n(D(2099, 6, 1)), resident_id=rid, cause="naturalization", person=japanese_name())
    assert "future_date" in codes(err)
    assert counts() == before


@in_chiyoda
def test_minor_corrections_of_a_name_and_of_an_address() -> None:
    """軽微な修正 (規則11条3項2号, 標準仕様書 4.2.3.2 j850): recorded as such; an address rewritten is not a move."""
    household_id = services.move_in(
        n(D(2020, 4, 1)),
        address=services.AddressData("千代田区神田一丁目1番地"),
        previous_address="横浜市",
        persons=[person("太郎", family_name="髙橋"), person("花子", "妻", sex="2", family_name="髙橋")],
    ).household_ids[0]
    head = Resident.objects.get(household_id=household_id, relationship="世帯主")
    fixed = services.correct(
        n(D(2024, 1, 5)),
        resident_id=head.id,
        changes={"family_name": "高橋"},
        reason="常用平易な文字への変更",
        kind="軽微な修正",
    )
    assert fixed.kind == "軽微な修正" and Resident.objects.get(id=head.id).family_name == "高橋"
    with pytest.raises(ProcedureError) as err:
        services.correct(n(D(2024, 1, 5)), resident_id=head.id, changes={"given_name": "x"}, reason="x", kind="転居")
    assert codes(err) == {"invalid"}
    before = counts()
    for kwargs, expected in [
        ({"address": services.AddressData("千代田区神田一丁目1番地"), "reason": "x"}, {"unchanged"}),
        ({"address": services.AddressData(" "), "reason": "x"}, {"required"}),
        ({"address": services.AddressData("千代田区神田一丁目1番1号"), "reason": ""}, {"required"}),
    ]:
        with pytest.raises(ProcedureError) as err:
            services.correct_address(n(D(2024, 2, 1)), household_id=household_id, **kwargs)  # type: ignore[arg-type]
        assert codes(err) == expected
    assert counts() == before
    done = services.correct_address(
        n(D(2024, 2, 1)),
        household_id=household_id,
        reason="住居表示の実施",
        address=services.AddressData("千代田区神田一丁目1番1号", "1010044"),
    )
    assert done.kind == "軽微な修正" and len(done.resident_ids) == 2
    r = Resident.objects.get(id=head.id)
    assert r.household.address == "千代田区神田一丁目1番1号" and r.moved_in_on == D(2020, 4, 1)
    assert r.previous_address == "横浜市"  # not a move


def test_the_api_records_nationality_changes_and_address_corrections(tenant_a: object, client_token: Any) -> None:
    from django.test import Client

    from kiban.platform.tenants.context import tenant_context

    with tenant_context(tenant_a.code):  # type: ignore[attr-defined]
        rid = foreigner()
        household_id = Resident.objects.get(id=rid).household_id
    token = client_token(tenant_a, businesses=["residents"], scopes="residents:read residents:write")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    base = f"/api/v1/tenants/{tenant_a.code}/procedures"  # type: ignore[attr-defined]
    note = {"effective_on": "2024-06-01", "notified_on": "2024-06-01"}
    new = {
        "family_name": "中村",
        "given_name": "明",
        "family_name_kana": "ナカムラ",
        "given_name_kana": "アキラ",
        "birth_date": "2000-01-01",
        "sex": "1",
        "domicile": "東京都千代田区神田1番",
        "domicile_head": "中村　明",
    }
    bad = client.post(
        f"{base}/nationality",
        {"request_id": "nat-0", **note, "resident_id": rid, "cause": "x", "person": new},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "cause"
    ok = client.post(
        f"{base}/nationality",
        {"request_id": "nat-1", **note, "resident_id": rid, "cause": "naturalization", "person": new},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["kind"] == "職権記載（帰化等）"
    moved = client.post(
        f"{base}/address-correction",
        {
            "request_id": "adr-1",
            **note,
            "household_id": household_id,
            "address": {"address": "東京都千代田区神田2番"},
            "reason": "住居表示の実施",
        },
        content_type="application/json",
    )
    assert moved.status_code == 200 and moved.json()["kind"] == "軽微な修正"
