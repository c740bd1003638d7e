"""Database routing: on PostgreSQL, schema changes run only as the owner role (alias ``owner``).

The application's own alias ``default`` connects as a role that owns no table, so PostgreSQL's row-level
security applies to every query it makes. On the embedded SQLite default there is only ``default``.

A unit of work that runs on another alias (the standard import on ``import``, see kiban.platform.tenants.grants)
enters :func:`routed_to`: the models it reads and writes through the ORM (its own and the platform's, e.g. the
tenant's data keys and audit chain) then use that alias's connection and transaction instead of ``default``.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings

_routed: contextvars.ContextVar[str | None] = contextvars.ContextVar("kiban_routed_alias", default=None)


def migration_alias() -> str:
    return "owner" if "owner" in settings.DATABASES else "default"


@contextmanager
def routed_to(alias: str) -> Iterator[str]:
    """Send this context's ORM reads and writes to ``alias`` (nested use restores the outer one on exit)."""
    token = _routed.set(alias)
    try:
        yield alias
    finally:
        _routed.reset(token)


class OwnerMigratesRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return _routed.get()

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return _routed.get()

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == migration_alias()
