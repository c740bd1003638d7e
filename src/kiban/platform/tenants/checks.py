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

from .grants import TENANT_DEFAULT_DEPARSED

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
    if not (superuser or bypass):  # a superuser is a member of every role; that it bypasses is said above
        problems.extend(copy_role_problems(alias))
    return problems


def copy_role_problems(alias: str) -> list[CheckMessage]:
    """What is wrong with the BYPASSRLS roles the role ``alias`` connects as may ``SET ROLE`` to.

    The application may reach none. The import may reach the import's copy role (kiban.platform.tenants.grants),
    which must hold nothing but INSERT on tenant tables' columns other than ``tenant_id``, each of those tables
    filling ``tenant_id`` from the transaction's tenant setting: then a row it writes can only land in the tenant
    of the context, and it can read nothing."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.rolname, r.rolsuper OR r.rolcanlogin OR r.rolinherit FROM pg_roles r WHERE r.rolbypassrls "
            "AND r.rolname <> current_user AND pg_has_role(current_user, r.oid, 'MEMBER')"
        )
        reachable = cursor.fetchall()
        if alias != "import" or not reachable:
            return [
                Error(
                    f"the {alias!r} connection's role may SET ROLE to {name}, which has BYPASSRLS: row-level "
                    "security would not bind it",
                    hint=f"REVOKE {name} FROM the application role", id="kiban.E006",
                )
                for name, _ in reachable
            ]  # fmt: skip
        problems: list[CheckMessage] = []
        for name, attributes in reachable:
            wrong = list(_beyond_tenant_bound_insert(cursor, name))
            if attributes:
                wrong.insert(0, "it is a superuser, can log in or inherits privileges")
            if name != settings.IMPORT_COPY_DB_ROLE:
                wrong.insert(0, f"it is not the import's copy role ({settings.IMPORT_COPY_DB_ROLE})")
            if wrong:
                problems.append(Error(
                    f"the import role may SET ROLE to {name}, which has BYPASSRLS, and {'; '.join(wrong[:5])}",
                    hint="migrate as a superuser (the migrations set the role up), or revoke it from the import role",
                    id="kiban.E006",
                ))  # fmt: skip
        return problems


def _beyond_tenant_bound_insert(cursor: Any, role: str) -> list[str]:
    """Privileges of ``role`` beyond INSERT into tenant tables without naming the tenant, described."""
    cursor.execute(
        "SELECT c.relname, has_table_privilege(%(r)s, c.oid, 'SELECT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER') "
        "OR has_any_column_privilege(%(r)s, c.oid, 'SELECT, UPDATE, REFERENCES'), "
        "t.attnum IS NOT NULL AND has_column_privilege(%(r)s, c.oid, t.attnum, 'INSERT'), "
        "t.attnum IS NULL OR NOT c.relforcerowsecurity OR pg_get_expr(d.adbin, d.adrelid) IS DISTINCT FROM %(s)s "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public' "
        "LEFT JOIN pg_attribute t ON t.attrelid = c.oid AND t.attname = 'tenant_id' "
        "LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = t.attnum "
        "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND (has_any_column_privilege(%(r)s, c.oid, 'SELECT, INSERT, "
        "UPDATE, REFERENCES') OR has_table_privilege(%(r)s, c.oid, 'DELETE, TRUNCATE, TRIGGER')) ORDER BY 1",
        {"r": role, "s": TENANT_DEFAULT_DEPARSED},
    )
    wrong: list[str] = []
    for table, reads, names_tenant, unbound in cursor.fetchall():
        if reads:
            wrong.append(f"may read or change {table}")
        elif names_tenant:
            wrong.append(f"may write {table}.tenant_id")
        elif unbound:
            wrong.append(f"may insert into {table}, which does not fill tenant_id from the tenant setting")
    return wrong


@register(Tags.security, deploy=True)
def database_roles(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if "owner" not in settings.DATABASES:  # the embedded SQLite default: one connection, no roles
        return []
    messages: list[CheckMessage] = []
    for alias in ROLE_ALIASES:
        if alias in settings.DATABASES:
            messages.extend(role_problems(alias))
    return messages
