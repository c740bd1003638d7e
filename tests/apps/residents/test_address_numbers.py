"""住居表示・地番のマスタ (標準仕様書 1.3.2, j240): by town of the 住所辞書, the 住居表示・地番 (特殊地番 included)
and 区画整理 numbers listed in numeric order; kept by supervisors, read at the counter; bad input refused, nothing
written. The register's extracts list addresses by number too (2番 before 10番)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kiban.apps.residents import address_numbers, extracts
from kiban.apps.residents.models import AddressEntry, AddressNumber, Household
from kiban.apps.residents.validation import ProcedureError
from kiban.platform.tenants.context import tenant_context

PAGE = "/staff/residents/address-numbers/"
TOWN = "13101001000"


@pytest.fixture
def town(tenant_a: Any) -> str:
    with tenant_context(tenant_a.code):
        AddressEntry.objects.create(code=TOWN, prefecture="東京都", city="千代田区", town="九段南一丁目",
                                    town_kana="クダンミナミ", source="staff")  # fmt: skip
    return TOWN


def test_numbers_kept_in_numeric_order_and_refused_without_writing(tenant_a: Any, town: str) -> None:
    with tenant_context(tenant_a.code):
        for label in ("10番1号", "2番1号", "2番10号", "2番2号"):
            address_numbers.save(town_code=town, kind="housing", label=label)
        address_numbers.save(town_code=town, kind="lot", label="無番地", special=True)
        address_numbers.save(town_code=town, kind="readjustment", label="12街区3画地")
        housing = [n.label for n in address_numbers.of_town(town) if n.kind == "housing"]
        assert housing == ["2番1号", "2番2号", "2番10号", "10番1号"]
        cases: list[tuple[dict[str, Any], str]] = [
            ({"town_code": "13101999000", "kind": "housing", "label": "1番1号"}, "not_found"),
            ({"town_code": town, "kind": "castle", "label": "1番1号"}, "invalid"),
            ({"town_code": town, "kind": "lot", "label": ""}, "invalid"),
            ({"town_code": town, "kind": "lot", "label": "番外地"}, "no_number"),  # no digits: mark it special
            ({"town_code": town, "kind": "housing", "label": "無番地", "special": True}, "lot_only"),
            ({"town_code": town, "kind": "housing", "label": "2番1号"}, "duplicate"),
        ]
        for values, code in cases:
            with pytest.raises(ProcedureError) as err:
                address_numbers.save(**values)
            assert code in {e.code for e in err.value.errors}, values
        first = AddressNumber.objects.get(label="2番1号")
        with pytest.raises(ProcedureError):
            address_numbers.retire(first.id, timezone.localdate() + datetime.timedelta(days=1))
        address_numbers.retire(first.id, timezone.localdate())
        assert [n.label for n in address_numbers.of_town(town, in_force_only=True)][:1] == ["2番2号"]
        assert AddressNumber.objects.count() == 6


def test_the_counter_reads_supervisors_keep(clerk: Client, supervisor: Client, tenant_a: Any, town: str) -> None:
    assert supervisor.post(PAGE, {"town": town, "kind": "housing", "label": "3番4号"}).status_code == 302
    shown = clerk.get(PAGE, {"town": town}).content.decode()
    assert "3番4号" in shown and "3-4" in shown and 'id="new-number"' not in shown  # clerks read only
    assert clerk.post(PAGE, {"town": town, "kind": "housing", "label": "5番6号"}).status_code == 403
    refused = supervisor.post(PAGE, {"town": town, "kind": "housing", "label": "3番4号"})
    assert refused.status_code == 400 and "登録済み" in refused.content.decode()


def test_extracts_list_addresses_by_number(tenant_a: Any, make_resident: Any) -> None:
    ten, two = "東京都千代田区九段南1丁目10番1号", "東京都千代田区九段南1丁目2番1号"
    make_resident(tenant_a, "ヤマダ", address=ten)
    make_resident(tenant_a, "サトウ", address=two)
    with tenant_context(tenant_a.code):
        Household.objects.update(district="九段南")
        listed = extracts.inspection_copy(["九段南"], "閲覧用写しの作成")
    assert [r.address for r in listed] == [two, ten]  # as text, 「10番」 would come first
