"""Database routing: on PostgreSQL, schema changes run only as the owner role (alias ``owner``).

The application's own alias ``default`` connects as a role that owns no table, so PostgreSQL's row-level
security applies to every query it makes. On the embedded SQLite default there is only ``default``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings


def migration_alias() -> str:
    return "owner" if "owner" in settings.DATABASES else "default"


class OwnerMigratesRouter:
    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == migration_alias()
