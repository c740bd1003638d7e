"""Platform operators administer tenants, apps and metrics and cannot read resident data (UI, API, admin)."""

from typing import Any

from django.contrib import admin
from django.test import Client

from tests.conftest import sign_in


def test_operators_use_the_admin_for_tenants(tenant_a: Any, make_operator: Any) -> None:
    client = sign_in(make_operator())
    response = client.get("/admin/")
    assert response.status_code == 200
    assert client.get("/admin/tenants/tenant/").status_code == 200
    assert client.get("/api/v1/platform/tenants").json()[0]["code"] == tenant_a.code


def test_no_tenant_owned_model_is_in_the_admin() -> None:
    from kiban.platform.tenants.models import TenantOwned

    registered = [m for m in admin.site._registry if issubclass(m, TenantOwned)]
    assert registered == []


def test_operators_cannot_read_residents_through_ui_api_or_admin(
    tenant_a: Any, make_operator: Any, make_resident: Any
) -> None:
    resident = make_resident(tenant_a)
    client = sign_in(make_operator())
    assert client.get("/staff/residents/", {"kana": "ヤ", "purpose": "x"}).status_code == 403
    assert client.get(f"/staff/residents/{resident.id}/", {"purpose": "x"}).status_code == 403
    api = client.get(f"/api/v1/tenants/{tenant_a.code}/residents/{resident.id}", {"purpose": "x"})
    assert api.status_code == 404
    assert client.get(f"/api/v1/tenants/{tenant_a.code}/residents", {"kana": "ヤ", "purpose": "x"}).status_code == 404
    assert client.get(f"/admin/residents/resident/{resident.id}/change/").status_code == 404
    assert client.get("/admin/residents/resident/").status_code == 404
    assert client.get(f"/api/v1/tenants/{tenant_a.code}/audit/entries").status_code == 404


def test_municipal_staff_cannot_use_the_admin_or_the_tenant_list(tenant_a: Any, make_staff: Any) -> None:
    client = sign_in(make_staff(tenant_a, "clerk", ["residents.clerk", "platform.tenant_admin"]))
    assert client.get("/admin/").status_code == 302  # to the admin's sign-in: not an operator
    assert client.get("/api/v1/platform/tenants").status_code == 403


def test_the_admin_requires_a_verified_second_factor(make_operator: Any) -> None:
    operator = make_operator()
    client = Client()
    client.force_login(operator)  # password session without OTP verification
    assert client.get("/admin/").status_code == 302
