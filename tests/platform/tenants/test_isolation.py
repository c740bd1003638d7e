"""Isolation of tenants' data: in the application (scoped managers) and in PostgreSQL (row-level security)."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction

from kiban.apps.residents.models import Resident
from kiban.platform.tenants.context import TenantContextMissing, tenant_context
from kiban.platform.tenants.models import TenantOwned

TENANT_MODELS = [m for m in apps.get_models() if issubclass(m, TenantOwned)]


def test_there_are_tenant_models_to_check() -> None:
    assert {m.__name__ for m in TENANT_MODELS} >= {"Resident", "AuditEntry", "AuditChainHead"}


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m._meta.label)
def test_reading_tenant_data_without_a_tenant_context_raises(db: None, model: Any) -> None:
    with pytest.raises(TenantContextMissing):
        list(model.objects.all())
    with pytest.raises(TenantContextMissing):
        model._base_manager.count()


def test_scoped_reads_see_only_the_current_tenant(tenant_a: Any, tenant_b: Any, make_resident: Any) -> None:
    a = make_resident(tenant_a, "アオキ")
    b = make_resident(tenant_b, "ベップ")
    with tenant_context(tenant_a.code):
        assert list(Resident.objects.values_list("id", flat=True)) == [a.id]
        assert not Resident.objects.filter(id=b.id).exists()
    with tenant_context(tenant_b.code):
        assert list(Resident.objects.values_list("id", flat=True)) == [b.id]


def test_writing_another_tenants_row_is_refused(tenant_a: Any, tenant_b: Any, make_resident: Any) -> None:
    b = make_resident(tenant_b)
    with tenant_context(tenant_a.code), pytest.raises(PermissionError, match="tenant 131041"):
        b.save()


def test_bulk_writes_of_another_tenants_rows_are_refused(tenant_a: Any, tenant_b: Any) -> None:
    import datetime

    row = Resident(tenant_id=tenant_b.code, family_name="x", given_name="x", family_name_kana="x",
                   given_name_kana="x", birth_date=datetime.date(2000, 1, 1), sex="1", household_id=1)  # fmt: skip
    with tenant_context(tenant_a.code):
        with pytest.raises(PermissionError, match="tenant 131041"):
            Resident.objects.bulk_create([row])
        assert Resident.objects.count() == 0


def test_nested_contexts_restore_the_outer_tenant(tenant_a: Any, tenant_b: Any, make_resident: Any) -> None:
    a = make_resident(tenant_a)
    with tenant_context(tenant_a.code):
        with tenant_context(tenant_b.code):
            assert not Resident.objects.filter(id=a.id).exists()
        assert Resident.objects.filter(id=a.id).exists()
        if connection.vendor == "postgresql":
            with connection.cursor() as c:
                c.execute("SELECT current_setting('kiban.tenant_id', true)")
                assert c.fetchone() == (tenant_a.code,)


# --- PostgreSQL: the database enforces it too ---------------------------------------------------------------


def _rows(sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as c:
        c.execute(sql, params or [])
        return c.fetchall() if c.description else []


@pytest.mark.postgres
def test_the_app_connects_as_a_role_that_cannot_bypass_rls(db: None) -> None:
    (row,) = _rows("SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    assert row == (settings.APP_DB_USER, False, False)
    owners = _rows("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
    assert (settings.APP_DB_USER,) not in owners


@pytest.mark.postgres
@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m._meta.label)
def test_every_tenant_table_has_forced_rls_and_tenant_in_every_key(db: None, model: Any) -> None:
    table = model._meta.db_table
    ((enabled, forced),) = _rows("SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = %s", [table])
    assert enabled and forced
    policies = _rows("SELECT qual, with_check FROM pg_policies WHERE tablename = %s", [table])
    assert len(policies) == 1 and all("kiban.tenant_id" in p for p in policies[0])
    keys = _rows(
        """SELECT i.relname, array(SELECT a.attname FROM pg_attribute a
                                   WHERE a.attrelid = ix.indrelid AND a.attnum = ANY(ix.indkey))
           FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid
           WHERE ix.indrelid = %s::regclass AND (ix.indisunique OR ix.indisprimary)""",
        [table],
    )
    assert keys, f"{table} has no primary key"
    for name, columns in keys:
        assert "tenant_id" in columns, f"{table}: key {name} {columns} does not include tenant_id"


@pytest.mark.postgres
def test_every_foreign_key_into_a_tenant_table_carries_the_tenant(db: None) -> None:
    tenant_tables = [m._meta.db_table for m in TENANT_MODELS]
    fks = _rows(
        """SELECT conrelid::regclass::text, conname,
                  array(SELECT attname FROM pg_attribute WHERE attrelid = confrelid AND attnum = ANY(confkey))
           FROM pg_constraint WHERE contype = 'f' AND confrelid::regclass::text = ANY(%s)""",
        [tenant_tables],
    )
    for table, name, columns in fks:
        assert "tenant_id" in columns, f"{table}.{name} references a tenant table without tenant_id"


@pytest.mark.postgres
def test_no_tenant_table_keeps_an_index_another_one_covers_with_the_tenant(db: None) -> None:
    """An index on (x, …) beside one on (tenant_id, x, …) only costs: every query carries the tenant (row-level
    security), and every insert pays each index (a million residents' import)."""
    indexes = _rows(
        """SELECT indrelid::regclass::text, indexrelid::regclass::text,
                  array(SELECT a.attname::text FROM unnest(indkey::int2[]) WITH ORDINALITY k(n, o)
                        JOIN pg_attribute a ON a.attrelid = indrelid AND a.attnum = k.n ORDER BY k.o),
                  indisunique, indpred IS NOT NULL
           FROM pg_index WHERE indrelid::regclass::text = ANY(%s)""",
        [[m._meta.db_table for m in TENANT_MODELS]],
    )
    redundant = [
        f"{table}.{name} {columns}"
        for table, name, columns, unique, partial in indexes
        if not unique and not partial and "tenant_id" not in columns
        for other_table, _, other, _, other_partial in indexes
        if other_table == table and not other_partial and other[: len(columns) + 1] == ["tenant_id", *columns]
    ]
    assert redundant == [], "\n".join(redundant)


@pytest.mark.postgres
def test_without_a_tenant_setting_queries_return_no_rows(tenant_a: Any, make_resident: Any) -> None:
    make_resident(tenant_a)
    assert _rows("SELECT count(*) FROM residents_resident") == [(0,)]
    assert _rows("SELECT count(*) FROM audit_auditentry") == [(0,)]


@pytest.mark.postgres
def test_with_tenant_a_set_tenant_bs_rows_are_invisible_and_unwritable(
    tenant_a: Any, tenant_b: Any, make_resident: Any
) -> None:
    a = make_resident(tenant_a)
    b = make_resident(tenant_b)
    with tenant_context(tenant_a.code):
        assert _rows("SELECT id FROM residents_resident") == [(a.id,)]
        assert _rows("UPDATE residents_resident SET family_name = 'x' WHERE id = %s RETURNING id", [b.id]) == []
        assert _rows("DELETE FROM residents_resident WHERE id = %s RETURNING id", [b.id]) == []
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            _rows(
                """INSERT INTO residents_household (tenant_id, postal_code, address, district, building, established_on)
                   VALUES (%s, '', 'x', '', '', '2000-01-01')""",
                [tenant_b.code],
            )
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            _rows("UPDATE residents_resident SET tenant_id = %s WHERE id = %s", [tenant_b.code, a.id])
    with tenant_context(tenant_b.code):
        assert _rows("SELECT family_name FROM residents_resident WHERE id = %s", [b.id]) == [("山田",)]


@pytest.mark.postgres
def test_the_tenant_setting_does_not_outlive_its_transaction(committed_db: None) -> None:
    from kiban.platform.tenants.services import provision

    provision("131016")
    with tenant_context("131016"):
        pass
    assert _rows("SELECT coalesce(current_setting('kiban.tenant_id', true), '')") == [("",)]


@pytest.mark.postgres
def test_the_owner_connection_is_not_used_by_application_code() -> None:
    assert connections["default"].settings_dict["USER"] == settings.APP_DB_USER
    assert connections["owner"].settings_dict["USER"] != settings.APP_DB_USER


@pytest.mark.django_db
def test_every_append_only_table_refuses_update_and_delete_by_trigger() -> None:
    """The registry's and the audit trail's second line behind the missing grants, on both databases; a migration
    that rebuilds a table (SQLite's AlterField does) must not lose them. (The data keys, events and portal steps are
    append-only by grants alone.)"""
    from kiban.platform.tenants.grants import append_only_tables

    if connection.vendor == "sqlite":
        rows = _rows("SELECT tbl_name, upper(sql) FROM sqlite_master WHERE type = 'trigger'")
        guarded = {op: {t for t, sql in rows if f"BEFORE {op} ON" in sql} for op in ("UPDATE", "DELETE")}
    else:
        rows = _rows("SELECT tgrelid::regclass::text, tgtype FROM pg_trigger WHERE NOT tgisinternal")
        guarded = {op: {t for t, kind in rows if kind & bit} for op, bit in (("UPDATE", 16), ("DELETE", 8))}
    tables = [t for t in append_only_tables() if t.startswith(("residents_", "audit_"))]
    assert len(tables) >= 7
    assert [t for t in tables if t not in guarded["UPDATE"] or t not in guarded["DELETE"]] == []
