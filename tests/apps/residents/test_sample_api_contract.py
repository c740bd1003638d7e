"""The contract of the 無作為抽出 API (標準仕様書 9.6, j1330): its JSON rows and their OpenAPI schema, item by item, in
order. ``api.SampleRowOut`` is declared from ``extracts.Row``; this pins what clients see."""

from __future__ import annotations

from typing import Any

from django.test import Client

from kiban.urls import api

ITEMS = ["resident_id", "name", "kana", "birth_date", "sex", "postal_code", "address", "district"]


def test_a_drawn_resident_is_answered_with_the_items_of_the_row(
    tenant_a: Any, make_resident: Any, client_token: Any
) -> None:
    person = make_resident(tenant_a)
    token = client_token(tenant_a, businesses=["residents"], scopes="residents:read residents:write")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    answer = client.post(f"/api/v1/tenants/{tenant_a.code}/extracts/sample", {"count": 1, "purpose": "調査"},
                         content_type="application/json")  # fmt: skip
    assert answer.status_code == 200, answer.content
    (row,) = answer.json()
    assert list(row) == ITEMS
    assert row == {"resident_id": person.id, "name": "山田　花子", "kana": "ヤマダ　ハナコ", "birth_date": "1980-04-02",
                   "sex": "女", "postal_code": "", "address": "東京都千代田区千代田1番1号", "district": ""}  # fmt: skip


def test_the_openapi_schema_of_a_drawn_resident(db: None) -> None:
    doc = Client().get("/api/v1/openapi.json").json()
    schema = doc["components"]["schemas"]["SampleRowOut"]
    assert schema["title"] == "SampleRowOut" and schema["type"] == "object" and "description" not in schema
    assert list(schema["properties"]) == ITEMS and schema["required"] == ITEMS
    assert schema["properties"]["birth_date"] == {"format": "date", "title": "Birth Date", "type": "string"}
    assert schema["properties"]["resident_id"] == {"title": "Resident Id", "type": "integer"}


def test_the_openapi_document_describes_both_answers_of_the_sample(db: None) -> None:
    """The 200 answer is the list of rows (JSON) or, with ``labels``, the 宛名シール (PDF): both in the one response
    object, so the JSON rows are not hidden by the PDF (a response keyed ``"200"`` beside ninja's ``200`` was)."""
    doc = Client().get("/api/v1/openapi.json").json()
    answer = doc["paths"]["/api/v1/tenants/{code}/extracts/sample"]["post"]["responses"]["200"]
    assert answer["description"]
    content = answer["content"]
    assert list(content) == ["application/json", "application/pdf"]
    rows = content["application/json"]["schema"]
    assert rows["type"] == "array" and rows["items"] == {"$ref": "#/components/schemas/SampleRowOut"}
    assert content["application/pdf"]["schema"] == {"type": "string", "format": "binary"}
    generated = api.get_openapi_schema()["paths"]["/api/v1/tenants/{code}/extracts/sample"]["post"]["responses"]
    assert list(generated) == [200]  # one response object, not a second one keyed "200"


def test_every_answer_of_the_api_is_one_response_object_with_a_description(db: None) -> None:
    """An ``openapi_extra`` keyed ``"200"`` beside ninja's ``200`` made two objects, the later one (no description,
    which OpenAPI requires) winning in the published document."""
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method, operation in operations.items():
            codes = [str(code) for code in operation["responses"]]
            assert len(codes) == len(set(codes)), (path, method, list(operation["responses"]))
    doc = Client().get("/api/v1/openapi.json").json()
    undescribed = [
        (path, method, code)
        for path, operations in doc["paths"].items()
        for method, operation in operations.items()
        for code, answer in operation["responses"].items()
        if not answer.get("description")
    ]
    assert undescribed == []
