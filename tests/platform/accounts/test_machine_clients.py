"""Machine clients: OAuth 2.0 client credentials, scoped per tenant (ClientGrant) and per business (scope)."""

from typing import Any

from django.test import Client


def _get(token: str, path: str, **params: str) -> Any:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}").get(path, params)


def test_a_client_reads_residents_of_the_municipality_that_chose_it(
    tenant_a: Any, tenant_b: Any, client_token: Any, make_resident: Any
) -> None:
    resident = make_resident(tenant_a, "ヤマダ")
    token = client_token(tenant_a, businesses=["residents"], scopes="residents:read")
    response = _get(token, f"/api/v1/tenants/{tenant_a.code}/residents", kana="ヤマ", purpose="児童手当の認定")
    assert response.status_code == 200
    assert [r["id"] for r in response.json()] == [resident.id]
    response = _get(token, f"/api/v1/tenants/{tenant_b.code}/residents", kana="ヤマ", purpose="x")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_a_client_without_the_scope_is_forbidden(tenant_a: Any, client_token: Any) -> None:
    token = client_token(tenant_a, businesses=["residents", "audit"], scopes="audit:read")
    response = _get(token, f"/api/v1/tenants/{tenant_a.code}/residents", kana="ヤ", purpose="x")
    assert response.status_code == 403
    assert response.json()["title"] == "Forbidden"


def test_a_scope_for_a_business_the_municipality_did_not_grant_gives_nothing(tenant_a: Any, client_token: Any) -> None:
    token = client_token(tenant_a, businesses=["audit"], scopes="residents:read audit:read")
    assert _get(token, f"/api/v1/tenants/{tenant_a.code}/residents", kana="ヤ", purpose="x").status_code == 404


def test_missing_or_bad_tokens_are_401_problems(tenant_a: Any) -> None:
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer not-a-token"}, {"HTTP_AUTHORIZATION": "Basic Zm9vOmJhcg=="}):
        response = Client(**headers).get(f"/api/v1/tenants/{tenant_a.code}/residents", {"kana": "ヤ", "purpose": "x"})
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"


def test_wrong_client_secret_gets_no_token(tenant_a: Any) -> None:
    import base64

    basic = base64.b64encode(b"nobody:nothing").decode()
    response = Client().post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}")
    assert response.status_code == 401


def test_invalid_query_parameters_are_422_problems_naming_the_field(tenant_a: Any, client_token: Any) -> None:
    token = client_token(tenant_a, businesses=["residents"], scopes="residents:read")
    response = _get(token, f"/api/v1/tenants/{tenant_a.code}/residents", kana="ヤ")  # no purpose
    assert response.status_code == 422
    body = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert any("purpose" in e["loc"] for e in body["errors"])


def test_self_service_client_registration_is_not_mounted() -> None:
    assert Client().get("/o/applications/").status_code == 404
