"""EUC機能 (標準仕様書 10.1, j1360): conditions on the register's items (by the wizard or written directly), the number
or the persons, on screen, as CSV (UTF-8, or Shift_JIS with 〓 for what it lacks), XML or labels; 住民 and 除票;
every person output audited; supervisors only; bad conditions refused with nothing read."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.test import Client

from kiban.apps.residents import euc, services
from kiban.apps.residents.validation import ProcedureError
from kiban.platform.audit.models import AuditEntry
from kiban.platform.tenants.context import tenant_context

D = datetime.date
PAGE = "/staff/residents/euc/"
BASE = D(2026, 4, 1)


@pytest.fixture
def town(tenant_a: Any, make_resident: Any) -> dict[str, int]:
    """Four persons: 青木 65 on the base day, 馬場 64 (one day short), 千葉 a foreign resident with a name CP932 lacks,
    and 土井, who died (a 除票)."""
    people = {
        "aoki": make_resident(tenant_a, "アオキ", family_name="青木", birth_date=D(1961, 4, 1)),
        "baba": make_resident(tenant_a, "ババ", family_name="馬場", birth_date=D(1961, 4, 2), sex="1",
                              address="東京都千代田区九段南1丁目2番1号"),
        "chiba": make_resident(tenant_a, "チバ", family_name="𠮷田", birth_date=D(1990, 1, 1), kind="foreign",
                               nationality="840", residence_status="留学", residence_card_number="AB12345678CD",
                               domicile=""),
        "doi": make_resident(tenant_a, "ドイ", family_name="土井", birth_date=D(1940, 1, 1)),
    }  # fmt: skip
    with tenant_context(tenant_a.code):
        services.death(services.Notification("euc-death", D(2025, 1, 1), D(2025, 1, 2)), resident_id=people["doi"].id)
    return {k: v.id for k, v in people.items()}


def _ids(query: euc.Query) -> list[int]:
    return sorted(euc.queryset(query).values_list("id", flat=True))


def test_conditions_by_the_wizard_and_written_directly(tenant_a: Any, town: dict[str, int]) -> None:
    with tenant_context(tenant_a.code):
        aged = euc.Query(((euc.Condition("age", ">=", "65"),),), base_date=BASE)
        assert _ids(aged) == [town["aoki"]]  # 馬場 turns 65 a day later; 土井 is a 除票
        assert _ids(euc.Query(aged.groups, "all", BASE)) == sorted([town["aoki"], town["doi"]])
        assert _ids(euc.Query(aged.groups, "removed", BASE)) == [town["doi"]]
        written = euc.parse("年齢 >= 65 & 性別 = 女 | 住所 ~ 九段南")
        assert _ids(euc.Query(written, base_date=BASE)) == sorted([town["aoki"], town["baba"]])
        assert _ids(euc.Query(euc.parse("住民区分 = 外国人"))) == [town["chiba"]]
        assert _ids(euc.Query(euc.parse("生年月日 < S40.1.1"))) == [town["aoki"], town["baba"]]
        assert _ids(euc.Query(euc.parse("年齢 = 64"), base_date=BASE)) == [town["baba"]]
        assert euc.count(aged, "高齢者数の把握", "年齢 >= 65") == 1
        assert AuditEntry.objects.filter(action="resident.euc.counted").count() == 1
        assert not AuditEntry.objects.filter(action="resident.listed").exists()  # a count reads no person


def test_bad_conditions_are_refused_and_nothing_read(tenant_a: Any, town: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        euc.parse("身長 > 170")
    with pytest.raises(ValueError):
        euc.parse("年齢 >>= 3")
    with tenant_context(tenant_a.code):
        for condition in (euc.Condition("age", ">=", "六十五"), euc.Condition("birth_date", "=", "いつか"),
                          euc.Condition("address", "?", "x"), euc.Condition("individual_number", "=", "1"),
                          euc.Condition("birth_date", "~", "S40")):  # fmt: skip
            with pytest.raises(ProcedureError):
                euc.rows(euc.Query(((condition,),)), ["family_name"], "確認")
        with pytest.raises(ProcedureError):
            euc.rows(euc.Query(()), ["family_name"], "確認")
        with pytest.raises(ProcedureError):
            euc.rows(euc.Query(euc.parse("年齢 >= 0")), ["individual_number"], "確認")  # no 個人番号
        assert not AuditEntry.objects.filter(action="resident.listed").exists()


def test_outputs(tenant_a: Any, town: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    items = ["family_name", "given_name", "birth_date", "age"]
    with tenant_context(tenant_a.code):
        drawn = euc.rows(euc.Query(euc.parse("住民状態 = 住民"), base_date=BASE), items, "名簿作成")
        assert sorted(d["family_name"] for d in drawn) == sorted(["𠮷田", "青木", "馬場"])
        assert {d["family_name"]: d["age"] for d in drawn}["青木"] == 65
        listed = set(AuditEntry.objects.filter(action="resident.listed", purpose="名簿作成")
                     .values_list("object_id", flat=True))  # fmt: skip
        assert listed == {str(town["aoki"]), str(town["baba"]), str(town["chiba"])}
        utf8, replaced = euc.to_csv(drawn, items)
        assert utf8.startswith("\ufeff".encode()) and replaced == 0
        assert "氏,名,生年月日,年齢" in utf8.decode("utf-8-sig") and "𠮷田" in utf8.decode("utf-8-sig")
        sjis, replaced = euc.to_csv(drawn, items, "cp932")
        assert replaced == 1 and "〓田" in sjis.decode("cp932")  # 𠮷 is not in CP932
        root = ET.fromstring(euc.to_xml(drawn, items))
        assert len(root.findall("住民")) == 3 and root.find("住民/age") is not None
        monkeypatch.setattr(euc, "MAX_ROWS", 2)
        with pytest.raises(ProcedureError) as err:
            euc.rows(euc.Query(euc.parse("住民状態 = 住民")), items, "名簿作成")
        assert {e.code for e in err.value.errors} == {"too_many"}


def test_the_page_is_for_supervisors(clerk: Client, supervisor: Client, tenant_a: Any, town: dict[str, int]) -> None:
    assert clerk.get(PAGE).status_code == 403
    assert supervisor.get(PAGE).status_code == 200
    counted = supervisor.post(PAGE, {"purpose": "確認", "population": "current", "base_date": "R8.4.1",
                                     "item_0": "age", "op_0": ">=", "value_0": "65", "output": "count"})  # fmt: skip
    assert counted.status_code == 200 and 'id="count">1<' in counted.content.decode()
    listed = supervisor.post(PAGE, {"purpose": "確認", "population": "current", "expression": "住所 ~ 九段南",
                                    "items": ["family_name", "birth_date"], "output": "list"})  # fmt: skip
    assert "馬場" in listed.content.decode() and "昭和36年4月2日" in listed.content.decode()  # dates in 和暦
    csv = supervisor.post(PAGE, {"purpose": "確認", "population": "all", "expression": "年齢 >= 0",
                                 "items": ["family_name"], "output": "csv_sjis"})  # fmt: skip
    assert csv["Content-Disposition"].startswith("attachment") and csv["X-Replaced-Characters"] == "1"
    assert csv["Cache-Control"] == "no-store"
    labels = supervisor.post(PAGE, {"purpose": "案内送付", "expression": "住民区分 = 日本人", "output": "labels"})
    assert labels["Content-Type"] == "application/pdf" and labels.content.startswith(b"%PDF")
    refused = supervisor.post(PAGE, {"purpose": "", "expression": "年齢 >= 65", "output": "count"})
    assert refused.status_code == 400 and "利用目的" in refused.content.decode()
    unreadable = supervisor.post(PAGE, {"purpose": "確認", "expression": "年齢 >=", "output": "count"})
    assert unreadable.status_code == 400 and "条件式を読めません" in unreadable.content.decode()
