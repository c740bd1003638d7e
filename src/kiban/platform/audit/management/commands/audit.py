"""``kiban audit verify --tenant CODE``: check a tenant's audit chain; exit status 1 if it was tampered with."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kiban.platform.audit.actor import Actor, acting_as
from kiban.platform.audit.services import verify
from kiban.platform.tenants.codes import InvalidLocalGovernmentCode, validate_code
from kiban.platform.tenants.context import tenant_context
from kiban.platform.tenants.models import Tenant


class Command(BaseCommand):
    help = "Audit trail tools: verify a tenant's hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        v = sub.add_parser("verify", help="verify the hash chain of one tenant")
        v.add_argument("--tenant", required=True, help="6-digit local government code")

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["tenant"]
        try:
            validate_code(code)
        except InvalidLocalGovernmentCode as exc:
            raise CommandError(str(exc)) from exc
        if not Tenant.objects.filter(code=code).exists():
            raise CommandError(f"{code} is not a provisioned tenant")
        with acting_as(Actor("system", "audit-verify")), tenant_context(code):
            result = verify()
        if result.ok:
            self.stdout.write(f"OK: {result.entries} entries, chain intact")
            return
        self.stderr.write(f"TAMPERED at position {result.position}: {result.problem}: {result.detail}")
        raise SystemExit(1)
