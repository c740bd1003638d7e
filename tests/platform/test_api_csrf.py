"""Session-authenticated API writes need the CSRF token (bearer-token clients do not)."""

from typing import Any

from django.test import Client

from tests.conftest import PASSWORD, totp_code


def test_a_session_write_without_csrf_token_is_refused(tenant_a: Any, make_staff: Any) -> None:
    user = make_staff(tenant_a, "admin", ["platform.tenant_admin"])
    client = Client(enforce_csrf_checks=True)
    login_page = client.get("/login/")
    token = login_page.cookies["csrftoken"].value
    response = client.post(
        "/login/",
        {"username": "admin", "password": PASSWORD, "otp_token": totp_code(user), "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    body = {"business": "residents", "event_type": "residents.resident.changed", "url": "https://vendor.example/x"}
    url = f"/api/v1/tenants/{tenant_a.code}/subscriptions"
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 401
    accepted = client.post(
        url, body, content_type="application/json", HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value
    )
    assert accepted.status_code == 201, accepted.content
