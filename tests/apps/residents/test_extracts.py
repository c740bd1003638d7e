"""閲覧用の一部の写し (住民基本台帳法11条; 標準仕様書 9.5, j1320) and 無作為抽出 with 宛名シール (9.6, j1330)."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from django.test import Client

from kiban.apps.residents import extracts, services, support
from kiban.apps.residents.validation import PersonData, ProcedureError
from kiban.platform.audit.models import AuditEntry
from kiban.platform.tenants.context import tenant_context

D = datetime.date


def _town(district: str, people: list[tuple[str, str, datetime.date]], request_id: str) -> list[int]:
    persons = [
        PersonData(
            family_name=family,
            given_name="一",
            family_name_kana="ヤマダ",
            given_name_kana="ハジメ",
            birth_date=born,
            sex=sex,
            relationship="世帯主" if i == 0 else "同居人",
            domicile="東京都千代田区",
        )
        for i, (family, sex, born) in enumerate(people)
    ]
    result = services.move_in(
        services.Notification(request_id, D(2020, 4, 1), D(2020, 4, 1)),
        origin="abroad",
        persons=persons,
        address=services.AddressData(f"東京都千代田区{district}1番", "1020074", district),
    )
    return result.resident_ids


@pytest.fixture
def town(tenant_a: Any) -> dict[str, list[int]]:
    with tenant_context(tenant_a.code):
        kudan = _town(
            "九段南", [("山田", "1", D(1980, 1, 1)), ("佐藤", "2", D(1990, 1, 1)), ("鈴木", "2", D(2001, 5, 5))], "a"
        )
        kanda = _town("神田", [("田中", "1", D(1970, 1, 1)), ("伊藤", "2", D(1985, 1, 1))], "b")
        support.apply(kudan[1], requested_by="本人")  # 佐藤: never on the inspection copy
    return {"九段南": kudan, "神田": kanda}


def test_the_inspection_copy_has_the_four_items_without_protected_persons(tenant_a: Any, town: Any) -> None:
    with tenant_context(tenant_a.code):
        rows = extracts.inspection_copy(["九段南"], "世論調査のための閲覧（法11条の2）")
        assert [r.resident_id for r in rows] == [town["九段南"][0], town["九段南"][2]]
        text = extracts.inspection_csv(rows)
        lines = list(csv.reader(io.StringIO(text)))
        assert lines[0] == ["氏名", "生年月日", "性別", "住所"] and len(lines) == 3
        assert "佐藤" not in text and "ヤマダ" not in text  # four items only, no kana, no protected person
        shuffled = extracts.inspection_copy(["九段南", "神田"], "x", order="random", seed=7)
        again = extracts.inspection_copy(["九段南", "神田"], "x", order="random", seed=7)
        assert [r.resident_id for r in shuffled] == [r.resident_id for r in again] and len(shuffled) == 4
        assert AuditEntry.objects.filter(action="resident.extract.inspection_copy").count() == 3
        for args, expected in [(([], "x"), {"required"}), ((["九段南"], ""), {"required"})]:
            with pytest.raises(ProcedureError) as err:
                extracts.inspection_copy(*args)
            assert {e.code for e in err.value.errors} == expected
        with pytest.raises(ProcedureError):
            extracts.inspection_copy(["九段南"], "x", order="name")


def test_a_random_sample_by_criteria_is_reproducible_and_prints_labels(tenant_a: Any, town: Any) -> None:
    with tenant_context(tenant_a.code):
        women = extracts.random_sample(extracts.SampleCriteria(count=10, sex="2", seed=1), "市民意識調査")
        assert {r.resident_id for r in women} == {town["九段南"][1], town["九段南"][2], town["神田"][1]}
        two = extracts.random_sample(extracts.SampleCriteria(count=2, seed=42), "x")
        assert len(two) == 2
        assert two == extracts.random_sample(extracts.SampleCriteria(count=2, seed=42), "x")
        born = extracts.SampleCriteria(count=5, born_from=D(1980, 1, 1), born_to=D(1989, 12, 31), districts=("神田",))
        assert [r.resident_id for r in extracts.random_sample(born, "x")] == [town["神田"][1]]
        pdf = extracts.address_labels_pdf(women)
        assert pdf.startswith(b"%PDF") and len(pdf) > 1000
        for criteria, code in [
            (extracts.SampleCriteria(count=0), "invalid"),
            (extracts.SampleCriteria(count=1, sex="3"), "invalid"),
            (extracts.SampleCriteria(count=1, kind="alien"), "invalid"),
            (extracts.SampleCriteria(count=1, born_from=D(2000, 1, 1), born_to=D(1999, 1, 1)), "before_start"),
        ]:
            with pytest.raises(ProcedureError) as err:
                extracts.random_sample(criteria, "x")
            assert {e.code for e in err.value.errors} == {code}


def test_extracts_through_the_api_are_for_supervisors(tenant_a: Any, town: Any, client_token: Any) -> None:
    token = client_token(tenant_a, businesses=["residents"], scopes="residents:read residents:write")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    base = f"/api/v1/tenants/{tenant_a.code}/extracts"
    listed = client.get(f"{base}/inspection.csv", {"districts": ["九段南", "神田"], "purpose": "閲覧"})
    assert listed.status_code == 200 and listed.content.decode().count("\r\n") == 5  # header + 4
    assert client.get(f"{base}/inspection.csv", {"purpose": "閲覧"}).status_code == 422
    sample = client.post(f"{base}/sample", {"count": 2, "purpose": "調査", "seed": 3}, content_type="application/json")
    assert sample.status_code == 200 and len(sample.json()) == 2
    labels = client.post(
        f"{base}/sample", {"count": 2, "purpose": "調査", "seed": 3, "labels": True}, content_type="application/json"
    )
    assert labels.status_code == 200 and labels["Content-Type"] == "application/pdf"
    assert (
        client.post(f"{base}/sample", {"count": 0, "purpose": "x"}, content_type="application/json").status_code == 422
    )
