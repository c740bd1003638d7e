"""``kiban setup``: create the database (PostgreSQL), apply migrations as the owner role, grant the app role."""

from __future__ import annotations

from typing import Any

import psycopg
import psycopg.conninfo
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from psycopg import sql

from kiban.platform.tenants.routers import migration_alias


def ensure_database(owner: Any) -> bool:
    """Create the PostgreSQL database named in DATABASE_URL if it does not exist; True if created."""
    keys = {"host": "HOST", "port": "PORT", "user": "USER", "password": "PASSWORD"}
    conninfo = psycopg.conninfo.make_conninfo(
        dbname="postgres", **{key: str(owner[setting]) for key, setting in keys.items() if owner.get(setting)}
    )
    with psycopg.connect(conninfo, autocommit=True) as conn:
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
        engine = str(settings.DATABASES[alias]["ENGINE"]).rsplit(".", 1)[-1]
        self.stdout.write(f"database ready ({engine})")
