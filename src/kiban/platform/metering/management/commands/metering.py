"""``kiban metering``: month-end storage snapshots and the cost allocation report.

kiban metering snapshot --month 2026-11              # stored rows and bytes of every tenant
kiban metering allocate --month 2026-11 --cost 12000000 [--rule rule.json] [--out report.csv]
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kiban.platform.audit.actor import Actor, acting_as
from kiban.platform.metering.report import to_csv
from kiban.platform.metering.services import Rule, allocate, snapshot_storage
from kiban.platform.tenants.models import Tenant


def _month(value: str) -> date:
    try:
        year, month = value.split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        raise CommandError(f"month must be YYYY-MM, got {value!r}") from None


class Command(BaseCommand):
    help = "Usage metering and cost allocation (費用按分)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        s = sub.add_parser("snapshot")
        s.add_argument("--month", required=True)
        a = sub.add_parser("allocate")
        a.add_argument("--month", required=True)
        a.add_argument("--cost", required=True, type=int, help="the month's platform cost in yen")
        a.add_argument("--rule", type=Path, help="JSON rule (default: settings.KIBAN_COST_RULE)")
        a.add_argument("--out", type=Path, help="CSV file (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        month = _month(options["month"])
        if options["action"] == "snapshot":
            with acting_as(Actor("system", "metering")):
                for code in Tenant.objects.filter(active=True).values_list("code", flat=True):
                    rows, size = snapshot_storage(code, month)
                    self.stdout.write(f"{code}\t{rows} rows\t{size} bytes")
            return
        try:
            text = options["rule"].read_text() if options["rule"] else settings.KIBAN_COST_RULE
            rule = Rule.from_dict(json.loads(text))
            report = to_csv(allocate(options["cost"], month, rule), month, options["cost"], rule)
        except (ValueError, KeyError, OSError) as exc:
            raise CommandError(f"cannot allocate: {exc}") from exc
        if options["out"]:
            options["out"].write_text(report, encoding="utf-8")
        else:
            self.stdout.write(report, ending="")
