"""The role the standard import's COPY runs as (kiban.platform.tenants.grants): it bypasses row-level security,
so it may hold nothing but INSERT into the tenant of the transaction's context."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.postgres]


def _as_copy_role(sql: str, code: str = "") -> Any:
    """``sql`` on the import's connection as the import's copy role (with the tenant setting ``code``, if given)."""
    from django.conf import settings
    from django.db import connections, transaction

    from kiban.platform.tenants.context import TENANT_SETTING

    with transaction.atomic(using="import"), connections["import"].cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [TENANT_SETTING, code])
        cursor.execute(f'SET LOCAL ROLE "{settings.IMPORT_COPY_DB_ROLE}"')
        cursor.execute(sql)
        return cursor.rowcount


HOUSEHOLD = (
    "INSERT INTO residents_household (id, postal_code, address, district, building, established_on) "
    "VALUES (7001, '1000001', '千代田一丁目1番', '千代田', '', '2020-01-01')"
)


def test_the_import_copy_role_writes_only_into_the_tenant_of_the_context_and_reads_nothing(committed_db: None) -> None:
    """The role the import's COPY runs as bypasses row-level security (PostgreSQL allows COPY FROM only so), and so
    holds nothing but INSERT on the columns other than tenant_id, which takes the tenant setting as its default."""
    from django.db import ProgrammingError, connections
    from django.db.utils import IntegrityError

    from kiban.platform.tenants.context import tenant_context
    from kiban.platform.tenants.services import provision
    from tests.conftest import CODE_A, CODE_B

    provision(CODE_A)
    provision(CODE_B)

    with pytest.raises(ProgrammingError, match="permission denied"):
        _as_copy_role("SELECT count(*) FROM residents_household", CODE_A)
    with pytest.raises(ProgrammingError, match="permission denied"):
        _as_copy_role("UPDATE residents_household SET address = '' WHERE id = 1", CODE_A)
    with pytest.raises(ProgrammingError, match="permission denied"):
        _as_copy_role(HOUSEHOLD.replace("(id,", "(tenant_id, id,").replace("(7001,", f"('{CODE_B}', 7001,"), CODE_A)
    with pytest.raises(IntegrityError, match="tenant_id"):
        _as_copy_role(HOUSEHOLD)  # an empty tenant setting (as a nested tenant context leaves): no tenant
    assert _as_copy_role(HOUSEHOLD, CODE_A) == 1

    def seen(code: str) -> int:
        with tenant_context(code, using="import"), connections["import"].cursor() as cursor:
            cursor.execute("SELECT count(*) FROM residents_household WHERE id = 7001")
            return int(cursor.fetchone()[0])

    assert (seen(CODE_A), seen(CODE_B)) == (1, 0)


def test_a_bypassing_role_the_application_or_the_import_can_reach_is_refused_unless_it_only_inserts(
    committed_db: None,
) -> None:
    """kiban.E006: the application may reach no BYPASSRLS role; the import's copy role may do nothing but insert
    into tenant tables without naming the tenant."""
    from django.conf import settings
    from django.db import connections

    from kiban.platform.tenants.checks import role_problems
    from kiban.platform.tenants.grants import TENANT_DEFAULT

    role = settings.IMPORT_COPY_DB_ROLE

    def granted(grant: str, revoke: str) -> tuple[list[str], list[str]]:
        with connections["owner"].cursor() as cursor:
            cursor.execute(grant)
        try:
            return [m.msg for m in role_problems("default")], [m.msg for m in role_problems("import")]
        finally:
            with connections["owner"].cursor() as cursor:
                cursor.execute(revoke)

    app, imp = granted(f'GRANT "{role}" TO "{settings.APP_DB_USER}"', f'REVOKE "{role}" FROM "{settings.APP_DB_USER}"')
    assert len(app) == 1 and f"may SET ROLE to {role}, which has BYPASSRLS" in app[0] and imp == []
    app, imp = granted(
        f'GRANT SELECT ON residents_resident TO "{role}"', f'REVOKE SELECT ON residents_resident FROM "{role}"'
    )
    assert app == [] and len(imp) == 1 and "may read or change residents_resident" in imp[0]
    app, imp = granted(
        f'GRANT INSERT (tenant_id) ON residents_household TO "{role}"',
        f'REVOKE INSERT (tenant_id) ON residents_household FROM "{role}"',
    )
    assert app == [] and len(imp) == 1 and "may write residents_household.tenant_id" in imp[0]
    app, imp = granted(
        "ALTER TABLE residents_household ALTER COLUMN tenant_id DROP DEFAULT",
        f"ALTER TABLE residents_household ALTER COLUMN tenant_id SET DEFAULT {TENANT_DEFAULT}",
    )
    assert app == [] and len(imp) == 1 and "does not fill tenant_id from the tenant setting" in imp[0]
    assert role_problems("default") == [] and role_problems("import") == []
