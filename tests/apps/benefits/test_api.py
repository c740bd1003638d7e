"""The benefits API end to end: shipped definition, prepare, prefilled list (constant queries), apply, pay, file,
progress."""

from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kiban.platform.payments import zengin

from .test_benefits import town  # noqa: F401 (fixture)

PAYER = {"requester_code": "1310160002", "requester_name_kana": "ﾁﾖﾀﾞｸ", "bank_code": "0001", "branch_code": "001",
         "account_type": "1", "account_number": "1111111"}  # fmt: skip


def test_the_2020_benefit_through_the_api(town: dict[str, Any], client_token: Any) -> None:  # noqa: F811
    tenant = town["tenant"]
    token = client_token(tenant, businesses=["benefits"], scopes="benefits:read benefits:write")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    base = f"/api/v1/tenants/{tenant.code}/benefits"
    created = client.post(
        f"{base}/shipped", {"definition": "special_fixed_sum_2020", "payer": PAYER}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    code = created.json()["code"]
    prepared = client.post(f"{base}/{code}/prepare")
    assert prepared.json() == {"households": 2, "persons": 5, "amount": 500_000}

    with CaptureQueriesContext(connection) as ctx:
        listed = client.get(f"{base}/{code}/applications", {"payee_id": town["family"][0]})
    (form,) = listed.json()
    assert (form["household_id"], form["eligible_count"], form["amount"], form["status"]) == (
        town["family_hh"], 4, 400_000, "prefilled",
    )  # fmt: skip
    with CaptureQueriesContext(connection) as all_ctx:
        assert len(client.get(f"{base}/{code}/applications").json()) == 2
    assert len(all_ctx.captured_queries) == len(ctx.captured_queries)

    bank = {"bank_code": "0001", "branch_code": "001", "account_type": "1", "account_number": "7654321",
            "holder_kana": "ヤマダ タロウ"}  # fmt: skip
    form_of = {"benefit": code, "household_id": town["family_hh"], "bank": bank}
    applied = client.post(f"{base}/applications/apply", form_of | {"applied_on": "2020-05-20"},
                          content_type="application/json")  # fmt: skip
    assert applied.status_code == 200 and applied.json()["status"] == "applied"
    late = client.post(f"{base}/applications/apply", form_of | {"applied_on": "2020-09-20"},
                       content_type="application/json")  # fmt: skip
    assert late.status_code == 422 and late["Content-Type"] == "application/problem+json"

    run = client.post(f"{base}/payment-runs", {"benefit": code, "transfer_date": "2020-05-29"},
                      content_type="application/json")  # fmt: skip
    assert client.post(f"{base}/payment-runs", {"benefit": "no-such", "transfer_date": "2020-05-29"},
                       content_type="application/json").status_code == 404  # fmt: skip
    assert run.status_code == 201 and run.json()["total"] == 400_000, run.content
    file = client.get(f"{base}/{code}/payment-runs/{run.json()['id']}/file")
    assert [r["データ区分"] for r in zengin.read(file.content)] == ["1", "2", "8", "9"]
    progress = client.get(f"{base}/{code}/progress").json()
    assert (progress["paid_households"], progress["paid_amount"], progress["not_applied_households"]) == (1, 400_000, 1)
