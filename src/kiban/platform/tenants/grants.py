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
"""

from __future__ import annotations

import logging
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.models.signals import post_migrate
from django.dispatch import receiver

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
        _grant_replication_role(cursor, settings.IMPORT_DB_USER)


def _grant_replication_role(cursor: Any, role: str) -> None:
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    (superuser,) = cursor.fetchone()
    if not superuser:
        logger.warning(
            "%s may not set session_replication_role (only a superuser can grant it): the standard import will "
            "check foreign keys row by row, which is slower but equally correct",
            role,
        )
        return
    cursor.execute(f'GRANT SET ON PARAMETER session_replication_role TO "{role}"')


@receiver(post_migrate)
def _grant_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    if sender.label == "tenants" and using == migration_alias():
        apply_grants(using)
