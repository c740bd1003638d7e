"""Privileges of the application's database role, re-applied after every migration (PostgreSQL only).

The application connects as ``settings.APP_DB_USER``: a login role that is not a superuser, has no BYPASSRLS
and owns no table, so the row-level security of every tenant table applies to it. It may read and write
tables, except those a model declares append-only (``append_only = True`` on the model class, e.g. the audit
log), where it may only SELECT and INSERT.

The standard import connects as ``settings.IMPORT_DB_USER`` (``kiban import``, alias ``import``): a second role
with exactly the same attributes and table privileges, plus ``SET`` on the parameter ``session_replication_role``
(PostgreSQL 15+, ``GRANT SET ON PARAMETER``), which lets the import switch off the row-by-row foreign key triggers
for its own transaction and check the references once, set-based, before it commits (the way ``pg_restore
--disable-triggers`` loads). Only a superuser may grant that; where the migrating role is not one, the grant is
skipped with a warning and the import checks the references row by row, as the application role does. The web
application never connects as this role.

Row-level security refuses ``COPY FROM`` into a table it applies to, so the import would have to COPY into a
staging table and ``INSERT … SELECT`` from it: every row written twice. The import role may instead ``SET ROLE``
to ``settings.IMPORT_COPY_DB_ROLE`` for its COPY statements: a role that cannot log in, has BYPASSRLS (so COPY is
allowed) and holds nothing but INSERT on the columns of the tenant tables other than ``tenant_id``. It cannot read,
change or delete a row, and it cannot name a tenant: ``tenant_id`` takes its column default, the transaction's
tenant setting (``TENANT_DEFAULT``, the value the row-level security policy compares with; no setting, or an
empty one, gives NULL, which the column refuses). A row it writes lands in the tenant of the context, as the
policy's WITH CHECK would have it. The application role is not a member. Only a superuser may create a BYPASSRLS
role; otherwise the import keeps the staging path (slower, equally correct). ``kiban check --deploy`` refuses such a
role holding any other privilege (kiban.platform.tenants.checks).
"""

from __future__ import annotations

import logging
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from .context import TENANT_SETTING
from .routers import migration_alias

logger = logging.getLogger(__name__)


def append_only_tables() -> list[str]:
    return sorted(m._meta.db_table for m in apps.get_models() if getattr(m, "append_only", False))


def apply_grants(alias: str) -> None:
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return
    roles = [(settings.APP_DB_USER, settings.APP_DB_PASSWORD), (settings.IMPORT_DB_USER, settings.IMPORT_DB_PASSWORD)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        (database,) = cursor.fetchone()
        for role, password in roles:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE')
            if password:
                cursor.execute(f'ALTER ROLE "{role}" PASSWORD %s', [password])
            cursor.execute(f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"')
            cursor.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
            cursor.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"')
            cursor.execute(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
            for table in append_only_tables():
                cursor.execute(f'REVOKE UPDATE, DELETE, TRUNCATE ON "{table}" FROM "{role}"')
        _superuser_grants(cursor, settings.IMPORT_DB_USER, settings.IMPORT_COPY_DB_ROLE)


def _superuser_grants(cursor: Any, importer: str, copy_role: str) -> None:
    """What only a superuser may grant: SET session_replication_role to the import role, and a BYPASSRLS role."""
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    (superuser,) = cursor.fetchone()
    if not superuser:
        logger.warning(
            "%s may not set session_replication_role and %s cannot be created (only a superuser may): the standard "
            "import will check foreign keys row by row and load through staging tables, slower but equally correct",
            importer,
            copy_role,
        )
        return
    cursor.execute(f'GRANT SET ON PARAMETER session_replication_role TO "{importer}"')
    _grant_copy_role(cursor, importer, copy_role)


# A tenant table's tenant_id when an INSERT or COPY does not name it: the transaction's tenant (an empty setting, as a
# nested tenant context leaves behind, is no tenant: NULL, which the column refuses).
TENANT_DEFAULT = f"NULLIF(current_setting('{TENANT_SETTING}', true), '')"
# The same as PostgreSQL shows it (pg_get_expr), to compare with the catalog.
TENANT_DEFAULT_DEPARSED = f"NULLIF(current_setting('{TENANT_SETTING}'::text, true), ''::text)"


def tenant_tables(cursor: Any) -> list[tuple[str, list[str], str]]:
    """The tables under forced row-level security with a ``tenant_id`` column: each with its other columns and the
    default of its ``tenant_id`` (deparsed, ``""`` if none)."""
    cursor.execute(
        "SELECT c.relname, array_agg(a.attname::text ORDER BY a.attnum) FILTER (WHERE a.attname <> 'tenant_id'), "
        "coalesce(max(pg_get_expr(d.adbin, d.adrelid)) FILTER (WHERE a.attname = 'tenant_id'), '') "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public' "
        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
        "LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum "
        "WHERE c.relkind = 'r' AND c.relforcerowsecurity GROUP BY c.relname "
        "HAVING bool_or(a.attname = 'tenant_id') ORDER BY c.relname"
    )
    return [(name, list(columns), default) for name, columns, default in cursor.fetchall()]


def _grant_copy_role(cursor: Any, importer: str, role: str) -> None:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    attributes = "NOLOGIN NOSUPERUSER BYPASSRLS NOINHERIT NOCREATEDB NOCREATEROLE NOREPLICATION"
    if cursor.fetchone() is None:
        cursor.execute(f'CREATE ROLE "{role}" {attributes}')
    else:
        cursor.execute(f'ALTER ROLE "{role}" {attributes}')
    cursor.execute(f'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{role}"')  # column privileges with them
    cursor.execute(f'REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM "{role}"')
    for table, columns, default in tenant_tables(cursor):
        if default != TENANT_DEFAULT_DEPARSED:  # ALTER TABLE locks the table: only where it changes something
            cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN tenant_id SET DEFAULT {TENANT_DEFAULT}')
        listed = ", ".join(f'"{c}"' for c in columns)
        cursor.execute(f'GRANT INSERT ({listed}) ON "{table}" TO "{role}"')
    cursor.execute(f'GRANT "{role}" TO "{importer}"')


@receiver(post_migrate)
def _grant_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    if sender.label == "tenants" and using == migration_alias():
        apply_grants(using)
