"""The tenant context: which municipality the current unit of work acts for.

The context is set only from an authenticated principal (see ``kiban.platform.api.auth`` and
``kiban.platform.web.middleware``), never from a client-supplied parameter alone. Entering it opens a database
transaction and, on PostgreSQL, sets the transaction-local setting ``kiban.tenant_id`` that the row-level
security policies read (``set_config(..., is_local => true)``), so the setting cannot outlive the transaction
and leak to the next request on a pooled connection.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections, transaction

TENANT_SETTING = "kiban.tenant_id"

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("kiban_tenant", default=None)


class TenantContextMissing(RuntimeError):
    """Tenant data was read or written with no tenant context: a programming error, never a user's."""


def current_tenant_id() -> str:
    """The code of the tenant the current unit of work acts for; raises if there is none."""
    code = _current.get()
    if code is None:
        raise TenantContextMissing(
            "tenant data accessed without a tenant context; enter kiban.platform.tenants.context.tenant_context()"
        )
    return code


def current_tenant_id_or_none() -> str | None:
    return _current.get()


def _set_db_setting(alias: str, value: str) -> None:
    connection = connections[alias]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [TENANT_SETTING, value])


@contextmanager
def tenant_context(tenant_id: str, *, using: str = "default") -> Iterator[str]:
    """Act for ``tenant_id`` inside one transaction (nested use opens a savepoint and restores on exit)."""
    previous = _current.get()
    token = _current.set(tenant_id)
    nested = connections[using].in_atomic_block
    try:
        with transaction.atomic(using=using):
            _set_db_setting(using, tenant_id)
            try:
                yield tenant_id
            finally:
                # Inside an outer transaction the setting would outlive this block: put back what was there
                # (an empty setting matches no tenant). Outermost, it ends with the transaction anyway.
                if nested and not connections[using].needs_rollback:
                    _set_db_setting(using, previous or "")
    finally:
        _current.reset(token)
