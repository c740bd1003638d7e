"""Deployment checks of the database roles (``kiban check --deploy``, PostgreSQL only; they connect).

Tenant isolation in the database rests on the roles the application and the standard import connect as
(ARCHITECTURE.md, "Tenancy"; kiban.platform.tenants.grants): row-level security does not apply to a superuser, to
a role with BYPASSRLS, or to the owner of a table without FORCE. A deployment that points ``KIBAN_APP_DB_USER`` or
``KIBAN_IMPORT_DB_USER`` at such a role would run with no database isolation at all and nothing else would say so.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import DatabaseError, connections

ROLE_ALIASES = ("default", "import")  # the application's and the standard import's connections


def role_problems(alias: str) -> list[CheckMessage]:
    """What is wrong with the role ``alias`` connects as (empty when all is well or not on PostgreSQL)."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return []
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_user, r.rolsuper, r.rolbypassrls, "
                "(SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid AND c.relkind IN ('r', 'p')), "
                "has_parameter_privilege('session_replication_role', 'SET') "
                "FROM pg_roles r WHERE r.rolname = current_user"
            )
            role, superuser, bypass, owned, replication = cursor.fetchone()
    except DatabaseError as exc:
        return [Error(f"database alias {alias!r} cannot connect: {exc}", id="kiban.E005")]
    problems: list[CheckMessage] = []
    if superuser or bypass:
        problems.append(Error(
            f"the {alias!r} connection's role {role} is a superuser or has BYPASSRLS: row-level security does not "
            "apply to it, so nothing in the database keeps one municipality's rows from another's",
            hint="connect as the role the set-up creates (kiban setup): NOSUPERUSER NOBYPASSRLS", id="kiban.E003",
        ))  # fmt: skip
    if owned:
        problems.append(Error(
            f"the {alias!r} connection's role {role} owns {owned} table(s): an owner may switch row-level security "
            "off; the application and the import must own nothing (migrations run as the DATABASE_URL role)",
            id="kiban.E004",
        ))  # fmt: skip
    if alias == "import" and not replication and not (superuser or bypass):
        problems.append(Warning(
            f"the import role {role} may not set session_replication_role: imports check foreign keys row by row "
            "(correct, about a quarter slower at a million residents)",
            hint="as a superuser: GRANT SET ON PARAMETER session_replication_role TO " + role, id="kiban.W001",
        ))  # fmt: skip
    return problems


@register(Tags.security, deploy=True)
def database_roles(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if "owner" not in settings.DATABASES:  # the embedded SQLite default: one connection, no roles
        return []
    messages: list[CheckMessage] = []
    for alias in ROLE_ALIASES:
        if alias in settings.DATABASES:
            messages.extend(role_problems(alias))
    return messages
