"""``kiban tenants``: operator commands for municipalities (tenants).

kiban tenants provision 131016          # one municipality
kiban tenants provision --all           # all 1,741 in the catalog
kiban tenants list
kiban tenants catalog --prefecture 13   # what could be provisioned
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kiban.platform.tenants.catalog import (
    InvalidLocalGovernmentCode,
    UnknownMunicipality,
    municipalities,
)
from kiban.platform.tenants.models import Tenant
from kiban.platform.tenants.services import AlreadyProvisioned, provision, provision_many


class Command(BaseCommand):
    help = "Manage tenants (municipalities): provision, list, show the catalog."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("provision", help="create tenants from the catalog")
        p.add_argument("codes", nargs="*", help="6-digit local government codes (with check digit)")
        p.add_argument("--all", action="store_true", help="every municipality in the catalog")
        sub.add_parser("list", help="list provisioned tenants")
        c = sub.add_parser("catalog", help="list the catalog")
        c.add_argument("--prefecture", help="2-digit prefecture code, e.g. 13")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "provision":
            self._provision(options["codes"], options["all"])
        elif action == "list":
            for t in Tenant.objects.all():
                self.stdout.write(f"{t.code}\t{t.prefecture}{t.name}\t{t.get_kind_display()}")
        elif action == "catalog":
            for m in municipalities().values():
                if options["prefecture"] in (None, m.prefecture_code):
                    self.stdout.write(f"{m.code}\t{m.prefecture}{m.name}\t{m.kana}\t{m.kind.label_ja}\t{m.population}")

    def _provision(self, codes: list[str], everything: bool) -> None:
        if everything == bool(codes):
            raise CommandError("give one or more codes, or --all")
        started = time.perf_counter()
        try:
            if everything:
                created = provision_many(municipalities())
                self.stdout.write(f"provisioned {created} tenants ({len(municipalities())} in the catalog)")
            else:
                for code in codes:
                    tenant = provision(code)
                    self.stdout.write(f"provisioned {tenant}")
        except (InvalidLocalGovernmentCode, UnknownMunicipality, AlreadyProvisioned) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"in {time.perf_counter() - started:.3f} s")
