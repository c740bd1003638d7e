"""`make demo` sets up the sample municipality and prints working accounts."""

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from kiban.apps.residents.models import Resident
from kiban.demo.provision import DEMO_PASSWORD, DEMO_TENANT, totp_now
from kiban.platform.tenants.context import tenant_context
from tests.conftest import ON_POSTGRES


@pytest.mark.django_db(databases=["default", "owner"] if ON_POSTGRES else ["default"])
def test_demo_provisions_tenant_accounts_and_residents_and_is_rerunnable(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo", "--no-serve")
    out = capsys.readouterr().out
    assert "chiyoda.clerk" in out and "operator" in out and "http://127.0.0.1:8000/login/" in out
    assert "citizen1" in out and "/portal/" in out
    call_command("demo", "--no-serve")  # a second run changes nothing
    with tenant_context(DEMO_TENANT):
        assert Resident.objects.count() == 3000
    client = Client()
    response = client.post(
        "/login/", {"username": "chiyoda.clerk", "password": DEMO_PASSWORD, "otp_token": totp_now("chiyoda.clerk")}
    )
    assert response.status_code == 302
    page = client.get("/staff/residents/", {"kana": "サ", "purpose": "demo"})
    assert page.status_code == 200 and "サトウ" in page.content.decode()


def test_demo_code_is_refused_for_accounts_that_are_not_demo_accounts(db: None) -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("demo-code", "someone-real")


def test_openapi_document_is_published(db: None) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc: dict[str, Any] = response.json()
    assert doc["openapi"].startswith("3.1")
    assert "/api/v1/tenants/{code}/residents/{resident_id}" in doc["paths"]
