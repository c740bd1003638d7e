"""The child allowance API: recognize, list (constant query count), notices, payment run and its file, refusals as
application/problem+json."""

import datetime
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kiban.platform.payments import zengin

from .conftest import VALID_BANK

D = datetime.date


def _client(tenant: Any, client_token: Any) -> Client:
    token = client_token(tenant, businesses=["child_allowance"], scopes="child_allowance:read child_allowance:write")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _recognize(client: Client, tenant: Any, parent: int, children: list[int]) -> Any:
    return client.post(
        f"/api/v1/tenants/{tenant.code}/child-allowance/recognitions",
        {"recipient_id": parent, "children": [{"resident_id": c} for c in children], "applied_on": "2024-10-15",
         "bank": VALID_BANK},
        content_type="application/json",
    )  # fmt: skip


def test_recognize_list_notice_pay_and_download(subscribed: Any, family: Any, client_token: Any) -> None:
    tenant, client = subscribed, _client(subscribed, client_token)
    parent, child = family(D(2023, 3, 3))
    response = _recognize(client, tenant, parent, [child])
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["first_month"], body["revisions"][0]["monthly_total"]) == ("2024-11-01", 15_000)

    pdf = client.get(
        f"/api/v1/tenants/{tenant.code}/child-allowance/recognitions/{body['id']}/notices/{body['revisions'][0]['id']}.pdf"
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf["Content-Type"] == "application/pdf"

    run = client.post(f"/api/v1/tenants/{tenant.code}/child-allowance/payment-runs", {"payment_date": "2024-12-10"},
                      content_type="application/json")  # fmt: skip
    assert run.status_code == 201, run.content
    assert (run.json()["months"], run.json()["total"]) == (["2024-10", "2024-11"], 15_000)  # from November only
    again = client.post(f"/api/v1/tenants/{tenant.code}/child-allowance/payment-runs", {"payment_date": "2024-12-10"},
                        content_type="application/json")  # fmt: skip
    assert (again.status_code, again.json()["count"]) == (200, 0)
    file = client.get(f"/api/v1/tenants/{tenant.code}/child-allowance/payment-runs/{run.json()['id']}/file")
    assert file.status_code == 200
    assert [r["データ区分"] for r in zengin.read(file.content)] == ["1", "2", "8", "9"]


def test_refusals_are_problem_documents(subscribed: Any, family: Any, client_token: Any) -> None:
    tenant, client = subscribed, _client(subscribed, client_token)
    parent, child = family(D(2023, 3, 3))
    assert _recognize(client, tenant, parent, [child]).status_code == 201
    twice = _recognize(client, tenant, parent, [child])
    assert twice.status_code == 422 and twice["Content-Type"] == "application/problem+json"
    assert {e["code"] for e in twice.json()["errors"]} >= {"already_recognized"}
    odd = client.post(f"/api/v1/tenants/{tenant.code}/child-allowance/payment-runs", {"payment_date": "2025-01-10"},
                      content_type="application/json")  # fmt: skip
    assert odd.status_code == 422 and odd.json()["errors"][0]["code"] == "not_payment_month"


def test_listing_recognitions_makes_a_constant_number_of_queries(
    subscribed: Any, family: Any, client_token: Any
) -> None:
    tenant, client = subscribed, _client(subscribed, client_token)
    path = f"/api/v1/tenants/{tenant.code}/child-allowance/recognitions"

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    parent, child = family(D(2023, 3, 3))
    _recognize(client, tenant, parent, [child])
    count()  # warm-up (the month's usage counter)
    one = count()
    for year in range(2014, 2020):
        p, c = family(D(year, 5, 5))
        assert _recognize(client, tenant, p, [c]).status_code == 201
    assert count() == one
