"""Staff sign-in: password and TOTP, lockout, Argon2, secure cookies, least privilege."""

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from kiban.apps.residents.permissions import CLERK
from kiban.platform.accounts.models import User
from kiban.platform.accounts.services import create_staff
from tests.conftest import PASSWORD, sign_in, totp_code


def _post_login(client: Client, username: str, password: str, code: str) -> Any:
    return client.post("/login/", {"username": username, "password": password, "otp_token": code})


def test_password_and_current_code_sign_in(tenant_a: Any, make_staff: Any) -> None:
    user = make_staff(tenant_a, "clerk", [CLERK.code])
    client = Client()
    response = _post_login(client, "clerk", PASSWORD, totp_code(user))
    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_a_right_password_without_the_right_code_is_refused(tenant_a: Any, make_staff: Any) -> None:
    user = make_staff(tenant_a, "clerk", [CLERK.code])
    wrong = f"{(int(totp_code(user)) + 1) % 1_000_000:06d}"
    client = Client()
    response = _post_login(client, "clerk", PASSWORD, wrong)
    assert response.status_code == 200
    assert "確認コードが正しくありません" in response.content.decode()
    assert client.get("/staff/").status_code == 302  # still signed out


@pytest.mark.parametrize("code", ["", "12345", "abcdef"])
def test_malformed_codes_get_an_error_next_to_the_field(tenant_a: Any, make_staff: Any, code: str) -> None:
    make_staff(tenant_a, "clerk", [CLERK.code])
    response = _post_login(Client(), "clerk", PASSWORD, code)
    assert response.status_code == 200
    assert "otp_token" in response.context["form"].errors


def test_an_account_without_a_device_cannot_sign_in(tenant_a: Any) -> None:
    create_staff(tenant_a, "nodevice", PASSWORD, [CLERK.code])
    response = _post_login(Client(), "nodevice", PASSWORD, "123456")
    assert response.status_code == 200 and response.context["form"].non_field_errors()


def test_five_failures_lock_the_account_even_against_the_right_credentials(tenant_a: Any, make_staff: Any) -> None:
    user = make_staff(tenant_a, "clerk", [CLERK.code])
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _post_login(client, "clerk", "wrong-password-xyz", totp_code(user))
    response = _post_login(client, "clerk", PASSWORD, totp_code(user))
    assert response.status_code == 429
    assert client.get("/staff/").status_code == 302


def test_wrong_codes_count_towards_the_lockout(tenant_a: Any, make_staff: Any) -> None:
    user = make_staff(tenant_a, "clerk", [CLERK.code])
    client = Client()
    wrong = f"{(int(totp_code(user)) + 1) % 1_000_000:06d}"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _post_login(client, "clerk", PASSWORD, wrong)
    assert _post_login(client, "clerk", PASSWORD, totp_code(user)).status_code == 429


def test_passwords_are_hashed_with_argon2(tenant_a: Any, make_staff: Any) -> None:
    user = make_staff(tenant_a, "clerk", [])
    assert User.objects.get(pk=user.pk).password.startswith("argon2$argon2id$")


def test_weak_passwords_are_refused_and_no_account_is_created(tenant_a: Any) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        create_staff(tenant_a, "weak", "password", [])
    assert not User.objects.filter(username="weak").exists()


def test_municipal_staff_cannot_be_given_platform_roles(tenant_a: Any) -> None:
    with pytest.raises(ValueError, match="platform role"):
        create_staff(tenant_a, "sneaky", PASSWORD, ["platform.operator"])
    assert not User.objects.filter(username="sneaky").exists()


def test_unknown_roles_are_refused(tenant_a: Any) -> None:
    with pytest.raises(ValueError, match="unknown role"):
        create_staff(tenant_a, "x", PASSWORD, ["residents.god"])


def test_session_and_csrf_cookies_are_secure_by_default() -> None:
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE and settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE


def test_staff_without_a_role_are_refused_resident_records(tenant_a: Any, make_staff: Any) -> None:
    client = sign_in(make_staff(tenant_a, "norole", []))
    assert client.get("/staff/").status_code == 200
    assert client.get("/staff/residents/", {"kana": "ヤ", "purpose": "x"}).status_code == 403
    assert client.get(f"/api/v1/tenants/{tenant_a.code}/residents", {"kana": "ヤ", "purpose": "x"}).status_code == 403


def test_an_auditor_cannot_read_resident_records_and_a_clerk_cannot_read_the_audit_trail(
    tenant_a: Any, make_staff: Any
) -> None:
    auditor = sign_in(make_staff(tenant_a, "auditor", ["platform.auditor"]))
    clerk = sign_in(make_staff(tenant_a, "clerk", [CLERK.code]))
    assert auditor.get("/staff/residents/", {"kana": "ヤ", "purpose": "x"}).status_code == 403
    assert auditor.get("/staff/audit/").status_code == 200
    assert clerk.get("/staff/audit/").status_code == 403
    assert clerk.get(f"/api/v1/tenants/{tenant_a.code}/audit/entries").status_code == 403


def test_signing_out_ends_the_session(tenant_a: Any, make_staff: Any) -> None:
    client = sign_in(make_staff(tenant_a, "clerk", [CLERK.code]))
    client.post("/logout/")
    assert client.get("/staff/").status_code == 302
