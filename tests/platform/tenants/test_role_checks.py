"""``kiban check --deploy`` refuses database roles that row-level security does not bind."""

from __future__ import annotations

import pytest

from kiban.platform.tenants.checks import role_problems

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(databases=["default", "owner", "import"])]


def test_the_application_and_import_roles_set_up_by_kiban_pass() -> None:
    assert role_problems("default") == []
    assert role_problems("import") == []


def test_a_superuser_owning_the_tables_is_refused_with_both_reasons() -> None:
    """The owner alias (a superuser here, the migrations' role) is what a misconfigured KIBAN_APP_DB_USER would be."""
    ids = sorted(message.id for message in role_problems("owner"))
    assert ids == ["kiban.E003", "kiban.E004"]
    assert all(message.is_serious() for message in role_problems("owner"))


def test_check_deploy_runs_the_role_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.checks import run_checks

    from kiban.platform.tenants import checks

    def found() -> set[str]:
        return {m.id for m in run_checks(include_deployment_checks=True) if m.id and m.id.startswith("kiban.E00")}

    assert not found() & {"kiban.E003", "kiban.E004"}
    monkeypatch.setattr(checks, "ROLE_ALIASES", ("default", "owner"))  # as if the application connected as the owner
    assert found() >= {"kiban.E003", "kiban.E004"}
