"""The tenant context: which municipality the current unit of work acts for.

The context is set only from an authenticated principal (see ``kiban.platform.api.auth`` and
``kiban.platform.web.middleware``), never from a client-supplied parameter alone. Entering it opens a database
transaction and, on PostgreSQL, sets the transaction-local setting ``kiban.tenant_id`` that the row-level
security policies read (``set_config(..., is_local => true)``), so the setting cannot outlive the transaction
and leak to the next request on a pooled connection.

A transaction that acts for one tenant only can say so when it starts (``sole=True``): on PostgreSQL it then holds a
shared advisory lock in ``SOLE_LOCK_SPACE`` keyed by the tenant's code, taken before the transaction has a
transaction id. The change feeds of the other tenants need not wait for it (``kiban.platform.events.selectors``),
so a long import or batch for one municipality does not hold back the others' feeds. Such a transaction may not
enter another tenant's context (``SoleTenantViolation``).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections, transaction

TENANT_SETTING = "kiban.tenant_id"
# The first key of the sole-tenant advisory locks (the second is the tenant's code, six digits): any fixed int4 that no
# other advisory lock of the platform uses (the events' per-subject locks use one bigint key, a different space).
SOLE_LOCK_SPACE = 0x4B42_0001

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("kiban_tenant", default=None)


class TenantContextMissing(RuntimeError):
    """Tenant data was read or written with no tenant context: a programming error, never a user's."""


class SoleTenantViolation(RuntimeError):
    """A transaction declared to act for one tenant only tried to act for another: a programming error."""


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


def _declare_sole(alias: str, tenant_id: str) -> bool:
    """Set the tenant and take the sole-tenant lock, in one round trip, if the transaction has no transaction id
    yet (a transaction that has written already may have written for anyone: it stays an ordinary one). True if
    the transaction is now sole."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config(%s, %s, true), CASE WHEN pg_current_xact_id_if_assigned() IS NULL "
            "THEN pg_try_advisory_xact_lock_shared(%s, %s) ELSE false END",
            [TENANT_SETTING, tenant_id, SOLE_LOCK_SPACE, int(tenant_id)],
        )
        return bool(cursor.fetchone()[1])


@contextmanager
def tenant_context(tenant_id: str, *, using: str = "default", sole: bool = False) -> Iterator[str]:
    """Act for ``tenant_id`` inside one transaction (nested use opens a savepoint and restores on exit).

    ``sole=True`` declares that the transaction acts for this tenant only, until it ends: other tenants' change
    feeds then do not wait for it. It takes effect only where the context starts the transaction; inside an outer
    transaction it is ignored (that transaction may already have written for another tenant)."""
    connection = connections[using]
    holder = getattr(connection, "kiban_sole_tenant", None)
    if holder is not None and holder != tenant_id:
        raise SoleTenantViolation(
            f"this transaction declared it acts for tenant {holder} only; it cannot act for {tenant_id}"
        )
    previous = _current.get()
    token = _current.set(tenant_id)
    nested = connection.in_atomic_block
    declared = False
    try:
        with transaction.atomic(using=using):
            if sole and not nested:
                declared = _declare_sole(using, tenant_id)
                if declared:
                    connection.kiban_sole_tenant = tenant_id  # type: ignore[attr-defined]
            else:
                _set_db_setting(using, tenant_id)
            yield tenant_id
            # Inside an outer transaction the setting would outlive this block: put back what was there (an empty
            # setting matches no tenant). Outermost, it ends with the transaction anyway. When the block raised, its
            # savepoint is rolled back, and the setting with it (a statement here would fail in an aborted
            # transaction, 25P02, and hide the block's own error).
            if nested and not connection.needs_rollback:
                _set_db_setting(using, previous or "")
    finally:
        if declared:
            connection.kiban_sole_tenant = None  # type: ignore[attr-defined]
        _current.reset(token)
