import pytest
from django.core.management import CommandError, call_command

from kiban.platform.tenants.models import Tenant
from tests.conftest import CODE_A


def test_provision_creates_the_tenant_from_the_catalog(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("tenants", "provision", CODE_A)
    tenant = Tenant.objects.get(code=CODE_A)
    assert (tenant.prefecture, tenant.name, tenant.kind) == ("東京都", "千代田区", "special_ward")
    assert "provisioned 131016 東京都千代田区" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("131017", "check digit is 7, expected 6"),
        ("13101", "6 ASCII digits"),
        ("131997", "not one of the 1741 municipalities"),  # well-formed (check digit 7) but no such town
    ],
)
def test_bad_codes_are_refused_with_the_reason_and_nothing_is_written(db: None, code: str, reason: str) -> None:
    with pytest.raises(CommandError, match=reason):
        call_command("tenants", "provision", code)
    assert Tenant.objects.count() == 0


def test_a_second_provisioning_is_refused(db: None) -> None:
    call_command("tenants", "provision", CODE_A)
    with pytest.raises(CommandError, match="already a tenant"):
        call_command("tenants", "provision", CODE_A)
    assert Tenant.objects.count() == 1


def test_one_bad_code_in_a_list_after_good_ones_keeps_the_good_ones_and_names_the_bad(db: None) -> None:
    with pytest.raises(CommandError, match="131017"):
        call_command("tenants", "provision", CODE_A, "131017")
    assert list(Tenant.objects.values_list("code", flat=True)) == [CODE_A]


@pytest.mark.slow
def test_provisioning_all_1741_works(db: None) -> None:
    call_command("tenants", "provision", "--all")
    assert Tenant.objects.count() == 1741
    assert Tenant.objects.filter(kind="special_ward").count() == 23
    call_command("tenants", "provision", "--all")  # idempotent for the whole catalog
    assert Tenant.objects.count() == 1741
