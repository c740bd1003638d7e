"""Privileges of the application's database role, re-applied after every migration (PostgreSQL only).

The application connects as ``settings.APP_DB_USER``: a login role that is not a superuser, has no BYPASSRLS
and owns no table, so the row-level security of every tenant table applies to it. It may read and write
tables, except those a model declares append-only (``append_only = True`` on the model class, e.g. the audit
log), where it may only SELECT and INSERT.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from .routers import migration_alias


def append_only_tables() -> list[str]:
    return sorted(m._meta.db_table for m in apps.get_models() if getattr(m, "append_only", False))


def apply_grants(alias: str) -> None:
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return
    role = settings.APP_DB_USER
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE')
        if settings.APP_DB_PASSWORD:
            cursor.execute(f'ALTER ROLE "{role}" PASSWORD %s', [settings.APP_DB_PASSWORD])
        cursor.execute("SELECT current_database()")
        (database,) = cursor.fetchone()
        cursor.execute(f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"')
        cursor.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
        cursor.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"')
        cursor.execute(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
        for table in append_only_tables():
            cursor.execute(f'REVOKE UPDATE, DELETE, TRUNCATE ON "{table}" FROM "{role}"')


@receiver(post_migrate)
def _grant_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    if sender.label == "tenants" and using == migration_alias():
        apply_grants(using)
