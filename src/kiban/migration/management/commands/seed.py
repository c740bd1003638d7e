"""``kiban seed``: synthetic populations, written as standard exchange files and loaded with ``kiban import``'s
code (COPY), so seeding is fast and tests the importer.

    kiban seed --tenant 131016 --residents 10000 --seed 1
    kiban seed --prefecture 13 --scale 0.01        # all 62 Tokyo municipalities at 1% of their population
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kiban.migration.exchange import ImportRefused, LoadFailed, import_tenant
from kiban.migration.exchange.seed import write_population
from kiban.migration.synthetic import generate, municipality_sizes
from kiban.platform.audit.actor import Actor, acting_as
from kiban.platform.tenants.models import Tenant
from kiban.platform.tenants.services import provision


class Command(BaseCommand):
    help = "Create synthetic residents (households, history) for one tenant or every municipality of a prefecture."

    def add_arguments(self, parser: CommandParser) -> None:
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--tenant", help="6-digit local government code")
        target.add_argument("--prefecture", help="prefecture code (13) or name (東京都): every municipality")
        parser.add_argument("--residents", type=int, help="number of residents (with --tenant)")
        parser.add_argument("--scale", type=float, default=1.0, help="share of the real population (--prefecture)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same population)")
        parser.add_argument("--keep", type=Path, help="also keep the exchange files in this directory")

    def handle(self, *args: Any, **options: Any) -> None:
        seed = options["seed"]
        if options["tenant"]:
            if not options["residents"]:
                raise CommandError("--tenant needs --residents N")
            plan = [(options["tenant"], options["residents"])]
        else:
            try:
                plan = municipality_sizes(options["prefecture"], options["scale"])
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        total = sum(n for _, n in plan)
        progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            disable=not sys.stderr.isatty(), transient=False,
        )  # fmt: skip
        with progress, acting_as(Actor("system", "seed")):
            overall = progress.add_task("residents", total=total)
            for code, residents in plan:
                self._seed_one(code, residents, seed, options["keep"], progress, overall)
        self.stdout.write(f"seeded {total:,} residents in {len(plan)} municipality(ies)")

    def _seed_one(
        self, code: str, residents: int, seed: int, keep: Path | None, progress: Progress, overall: Any
    ) -> None:
        try:
            households = generate(code, residents, seed)
        except (ValueError, LookupError) as exc:
            raise CommandError(f"{code}: {exc}") from exc
        if not Tenant.objects.filter(code=code).exists():
            provision(code)
        task = progress.add_task(f"{code} writing", total=residents)

        def advance(members: int) -> None:
            progress.advance(task, members)

        with tempfile.TemporaryDirectory(prefix=f"kiban-seed-{code}-") as tmp:
            out = (keep / code) if keep else Path(tmp)
            files = write_population(code, households, out, seed, on_household=advance)
            progress.update(task, description=f"{code} loading")
            try:
                result = import_tenant(code, out)
            except (ImportRefused, LoadFailed) as exc:
                raise CommandError(f"{code}: {exc}") from exc
            if not result.report.ok:
                raise CommandError(f"{code}: the generated files do not validate:\n{result.report.text()}")
        progress.update(task, description=f"{code} done")
        progress.advance(overall, files.residents)
        self.stdout.write(f"{code}: {files.residents:,} residents loaded in {result.seconds:.1f} s")
