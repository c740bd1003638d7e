import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from kiban.platform.accounts.models import User
from tests.conftest import PASSWORD


def _run(monkeypatch: pytest.MonkeyPatch, stdin: str, *args: str) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    call_command("accounts", *args, stdout=out)
    return out.getvalue()


def test_create_staff_with_roles_and_enroll_totp(tenant_a: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    out = _run(monkeypatch, PASSWORD + "\n", "create-staff", tenant_a.code, "tanaka", "--role", "residents.clerk")
    assert "created tanaka" in out
    user = User.objects.get(username="tanaka")
    assert user.tenant_id == tenant_a.code and user.role_codes() == {"residents.clerk"}
    uri = _run(monkeypatch, "", "enroll-totp", "tanaka")
    assert uri.startswith("otpauth://totp/Kiban%3Atanaka?secret=")
    assert user.totpdevice_set.count() == 1


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("create-staff", "131016", "x", "--role", "residents.clerk"), "", "password on standard input"),
        (("create-staff", "131016", "x", "--role", "nope"), PASSWORD, "unknown role"),
        (("create-staff", "131016", "x", "--role", "platform.operator"), PASSWORD, "platform role"),
        (("create-staff", "131016", "x"), "short", "12"),  # at least 12 characters (message in Japanese)
        (("create-staff", "131041", "x"), PASSWORD, "not a provisioned tenant"),
        (("enroll-totp", "nobody"), "", "no account nobody"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_created(
    tenant_a: Any, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], stdin: str, message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        _run(monkeypatch, stdin + "\n", *args)
    assert not User.objects.filter(username="x").exists()


def test_create_operator(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    _run(monkeypatch, PASSWORD + "\n", "create-operator", "ops-yamada")
    user = User.objects.get(username="ops-yamada")
    assert user.is_operator and user.is_staff and user.role_codes() == {"platform.operator"}
