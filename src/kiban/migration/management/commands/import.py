"""``kiban import --tenant CODE DIR [--dry-run] [--mode refuse|merge|replace]``: validate, then load a directory.

(The module is named ``import``, a Python keyword: Django loads commands with ``importlib.import_module``, which
accepts it; nothing imports this module with an ``import`` statement.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kiban.migration.exchange import ImportRefused, LoadFailed, import_tenant
from kiban.migration.exchange.importer import MODES
from kiban.platform.audit.actor import Actor, acting_as
from kiban.platform.tenants.codes import InvalidLocalGovernmentCode, validate_code


class Command(BaseCommand):
    help = (
        "Import a standard exchange directory into one tenant: validate everything (errors as file:line), then load "
        "with COPY in one transaction, keeping the original ids."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="6-digit local government code of the target")
        parser.add_argument("directory", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="validate and print the report; write nothing")
        parser.add_argument(
            "--mode", default="refuse", choices=MODES,
            help="a target that already has registry data: refuse (default); merge (add the files' rows, whose ids "
            "must be new); replace (empty the registry first: only one without history, which is never deleted)",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["tenant"]
        try:
            validate_code(code)
        except InvalidLocalGovernmentCode as exc:
            raise CommandError(str(exc)) from exc
        directory: Path = options["directory"]
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a directory")

        def on_table(name: str, rows: int) -> None:
            self.stdout.write(f"  {name}: {rows:,} rows loaded")

        try:
            with acting_as(Actor("system", "exchange-import")):
                result = import_tenant(
                    code, directory, mode=options["mode"], dry_run=options["dry_run"], on_table=on_table
                )
        except (ImportRefused, LoadFailed) as exc:
            raise CommandError(str(exc)) from exc
        if not result.report.ok:
            self.stderr.write(result.report.text())
            raise CommandError("the directory does not validate; nothing was written")
        if options["dry_run"]:
            self.stdout.write(result.report.text())
            self.stdout.write("dry run: nothing was written")
            return
        total = sum(result.rows.values())
        self.stdout.write(result.audit)
        self.stdout.write(f"references between the files checked {result.references}")
        for how in ("straight", "staged"):
            names = [name for name, way in result.copied.items() if way == how]
            if names:
                self.stdout.write(f"copied {how}{' into the tables' if how == 'straight' else ''}: {', '.join(names)}")
        self.stdout.write(f"imported {total:,} rows into {code} in {result.seconds:.1f} s")
