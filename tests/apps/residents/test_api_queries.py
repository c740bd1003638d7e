"""List endpoints make a constant number of queries, whatever the size of the result (no N+1)."""

from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def _queries(client: Client, path: str, params: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, params)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def test_resident_search_query_count_does_not_grow_with_results(
    tenant_a: Any, client_token: Any, make_resident: Any
) -> None:
    token = client_token(tenant_a, businesses=["residents", "audit"], scopes="residents:read audit:read")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    path = f"/api/v1/tenants/{tenant_a.code}/residents"
    make_resident(tenant_a, "ヤマダ")
    _queries(client, path, {"kana": "ヤマ", "purpose": "x"})  # warm-up: the month's usage counter is created once
    one = _queries(client, path, {"kana": "ヤマ", "purpose": "x"})
    for i in range(30):
        make_resident(tenant_a, "ヤマモト", given_name=f"{i}")
    many = _queries(client, path, {"kana": "ヤマ", "purpose": "x"})
    assert one == many
    entries = f"/api/v1/tenants/{tenant_a.code}/audit/entries"
    assert _queries(client, entries, {"limit": "1"}) == _queries(client, entries, {"limit": "200"})
