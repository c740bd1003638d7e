"""``kiban setup``: create the database (PostgreSQL), apply migrations as the owner role, grant the app role."""

from __future__ import annotations

from typing import Any

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from psycopg import sql

from kiban.platform.tenants.routers import migration_alias


def ensure_database(owner: dict[str, Any]) -> bool:
    """Create the PostgreSQL database named in DATABASE_URL if it does not exist; True if created."""
    params = {"host": owner["HOST"] or None, "port": owner["PORT"] or None, "user": owner["USER"] or None,
              "password": owner["PASSWORD"] or None, "dbname": "postgres"}  # fmt: skip
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [owner["NAME"]]).fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(owner["NAME"])))
        return True


class Command(BaseCommand):
    help = "Prepare the database: create it (PostgreSQL), migrate as the owner role, grant the application role."

    def handle(self, *args: Any, **options: Any) -> None:
        alias = migration_alias()
        if alias == "owner" and ensure_database(settings.DATABASES["owner"]):
            self.stdout.write(f"created database {settings.DATABASES['owner']['NAME']}")
        call_command(
            "migrate",
            database=alias,
            interactive=False,
            verbosity=options["verbosity"] - 1 if options["verbosity"] else 0,
        )
        self.stdout.write(f"database ready ({settings.DATABASES[alias]['ENGINE'].rsplit('.', 1)[-1]})")
