"""方書マスタ (標準仕様書 1.3.4 方書管理, j260) and 方書入力補助 (4.0.7, j520): buildings recorded by address and
offered when that address is typed; maintained by staff at the counter; never an address found from a building."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kiban.apps.residents import buildings, services
from kiban.apps.residents.models import Building
from kiban.apps.residents.permissions import CLERK
from kiban.apps.residents.validation import ProcedureError
from kiban.platform.audit.models import AuditEntry
from kiban.platform.tenants.context import tenant_context
from tests.conftest import sign_in

ADDRESS = "東京都千代田区九段南1丁目2番1号"
PAGE = "/staff/residents/buildings/"
CANDIDATES = "/staff/residents/buildings/candidates/"


def _codes(err: pytest.ExceptionInfo[ProcedureError]) -> set[str]:
    return {e.code for e in err.value.errors}


def test_recorded_by_address_offered_there_only_and_retired(tenant_a: Any) -> None:
    with tenant_context(tenant_a.code):
        heights = buildings.save(address=ADDRESS, name="九段ハイツ", name_kana="クダンハイツ")
        urban = buildings.save(address=ADDRESS, name="アーバン九段", name_kana="アーバンクダン")
        buildings.save(address="東京都千代田区九段南1丁目2番2号", name="隣のビル")
        # The same address written with full-width digits, spaces or another dash matches; 番地 counts.
        assert buildings.candidates("東京都千代田区九段南１丁目２番１号") == ["アーバン九段", "九段ハイツ"]
        assert buildings.candidates(" 東京都千代田区 九段南1丁目2番1号 ") == ["アーバン九段", "九段ハイツ"]
        assert buildings.candidates("東京都千代田区九段南一丁目2-1") == ["アーバン九段", "九段ハイツ"]  # 一丁目, dashes
        assert buildings.candidates("東京都千代田区九段南1丁目2番") == []
        assert buildings.candidates("") == []
        # Never the other way round (4.0.7 実装しない機能): a building's name is not an address.
        assert buildings.candidates("九段ハイツ") == []
        buildings.retire(heights.id, timezone.localdate())
        assert buildings.candidates(ADDRESS) == ["アーバン九段"]  # retired: kept, no longer offered
        assert [b.name for b in buildings.at(ADDRESS)] == ["アーバン九段", "九段ハイツ"]
        corrected = buildings.save(address=ADDRESS, name="アーバン九段南", building_id=urban.id)
        assert corrected.name == "アーバン九段南" and Building.objects.count() == 3
        assert AuditEntry.objects.filter(action="residents.building.saved").count() == 4
        assert AuditEntry.objects.filter(action="residents.building.retired").count() == 1


def test_bad_input_is_refused_and_nothing_written(tenant_a: Any) -> None:
    with tenant_context(tenant_a.code):
        kept = buildings.save(address=ADDRESS, name="九段ハイツ")
        cases: list[tuple[dict[str, Any], set[str]]] = [
            ({"address": "", "name": "ビル"}, {"required"}),
            ({"address": "大阪府大阪市北区中之島1丁目3番20号", "name": "ビル"}, {"not_here"}),
            ({"address": ADDRESS, "name": "  "}, {"required"}),
            ({"address": ADDRESS, "name": "長" * 129}, {"too_long"}),
            ({"address": ADDRESS, "name": "ビル", "name_kana": "びる1"}, {"not_katakana"}),
            ({"address": "東京都千代田区九段南１丁目２番１号", "name": "九段ハイツ"}, {"duplicate"}),
            ({"address": ADDRESS, "name": "ビル", "building_id": 999_999}, {"not_found"}),
        ]
        for values, codes in cases:
            with pytest.raises(ProcedureError) as err:
                buildings.save(**values)
            assert codes <= _codes(err), (values, _codes(err))
        with pytest.raises(ProcedureError) as err:
            buildings.retire(kept.id, timezone.localdate() + datetime.timedelta(days=1))
        assert _codes(err) == {"future_date"}
        buildings.retire(kept.id, timezone.localdate())
        with pytest.raises(ProcedureError) as err:
            buildings.retire(kept.id, timezone.localdate())
        assert _codes(err) == {"retired"}
        assert list(Building.objects.values_list("name", flat=True)) == ["九段ハイツ"]


def test_the_register_s_buildings_taken_once(tenant_a: Any, make_resident: Any) -> None:
    with tenant_context(tenant_a.code):
        today = timezone.localdate()
        services.move_in(services.Notification("bld-1", today, today),
                         address=services.AddressData(ADDRESS, building="九段ハイツ101"), origin="abroad",
                         persons=[_person()])  # fmt: skip
    make_resident(tenant_a, "サトウ")  # a household without a building
    with tenant_context(tenant_a.code):
        assert buildings.take_from_register() == 1
        assert buildings.candidates(ADDRESS) == ["九段ハイツ101"]
        assert buildings.take_from_register() == 0  # nothing twice


def _person() -> Any:
    from kiban.apps.residents.validation import PersonData

    return PersonData(family_name="山田", given_name="太郎", family_name_kana="ヤマダ", given_name_kana="タロウ",
                      birth_date=datetime.date(1980, 5, 5), sex="1", relationship="世帯主")  # fmt: skip


def test_staff_maintain_it_at_the_counter(clerk: Client, supervisor: Client, tenant_a: Any) -> None:
    saved = clerk.post(PAGE, {"action": "save", "address": ADDRESS, "name": "九段ハイツ", "name_kana": "クダンハイツ"})
    assert saved.status_code == 302
    shown = clerk.get(saved["Location"]).content.decode()
    assert 'id="done"' in shown and "九段ハイツ" in shown and "クダンハイツ" in shown
    assert clerk.get(CANDIDATES, {"address": ADDRESS}).json() == {"buildings": ["九段ハイツ"]}
    refused = clerk.post(PAGE, {"action": "save", "address": ADDRESS, "name": "九段ハイツ"})
    assert refused.status_code == 400 and "登録済み" in refused.content.decode()
    assert 'value="九段ハイツ"' in refused.content.decode()  # what was typed stays in the form
    with tenant_context(tenant_a.code):
        building = Building.objects.get()
    retired = clerk.post(PAGE, {"action": "retire", "building": building.id, "on": "あした", "address": ADDRESS})
    assert retired.status_code == 400  # a date that is no date: nothing changed
    assert clerk.get(CANDIDATES, {"address": ADDRESS}).json() == {"buildings": ["九段ハイツ"]}
    assert clerk.post(PAGE, {"action": "retire", "building": building.id, "address": ADDRESS}).status_code == 302
    assert clerk.get(CANDIDATES, {"address": ADDRESS}).json() == {"buildings": []}
    assert clerk.post(PAGE, {"action": "nothing"}).status_code == 400
    # Taking the register's buildings is a supervisor's.
    assert clerk.post(PAGE, {"action": "take"}).status_code == 403
    taken = supervisor.post(PAGE, {"action": "take"})
    assert taken.status_code == 302 and "count=" in taken["Location"]


def test_another_municipality_sees_none_of_it(clerk: Client, tenant_a: Any, tenant_b: Any, make_staff: Any) -> None:
    assert clerk.post(PAGE, {"action": "save", "address": ADDRESS, "name": "九段ハイツ"}).status_code == 302
    with tenant_context(tenant_a.code):
        building = Building.objects.get()
    other = sign_in(make_staff(tenant_b, "clerk-b", [CLERK.code]))
    assert other.get(CANDIDATES, {"address": ADDRESS}).json() == {"buildings": []}
    assert "九段ハイツ" not in other.get(PAGE, {"address": ADDRESS}).content.decode()
    # Its id, posted by the other municipality's staff, names nothing there: refused, nothing changed.
    refused = other.post(PAGE, {"action": "retire", "building": building.id, "address": ADDRESS})
    assert refused.status_code == 400
    with tenant_context(tenant_a.code):
        assert Building.objects.get().retired_on is None
    assert Client().get(CANDIDATES, {"address": ADDRESS}).status_code in (302, 403)  # signed-in staff only


def test_the_wizards_offer_the_buildings_of_the_address(clerk: Client, tenant_a: Any) -> None:
    page = clerk.get("/staff/residents/procedures/move-in/").content.decode()
    assert 'list="building-candidates"' in page and '<datalist id="building-candidates">' in page
    assert f'data-building-lookup="{CANDIDATES}"' in page
