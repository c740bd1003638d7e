"""``kiban batch``: the batch runner and direct starts (住民記録システム標準仕様書 9.1 バッチ処理).

kiban batch jobs
kiban batch run-due                                      # every minute, from a systemd timer or cron
kiban batch run JOB --tenant 131016 [--param k=v ...]    # direct start; other parameters from the previous run

Both ``run-due`` and ``run`` lower their own OS priority first (``nice``, default 10): a batch takes CPU only when
online work leaves some (docs/operations/batch.md says what else is and is not done).
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kiban.platform.batch import registry, services
from kiban.platform.batch.models import Run
from kiban.platform.tenants.context import tenant_context
from kiban.platform.tenants.models import Tenant


def parse_params(pairs: list[str]) -> dict[str, str]:
    given: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise CommandError(f"--param takes NAME=VALUE, got {pair!r}")
        given[name] = value
    return given


class Command(BaseCommand):
    help = "Batch jobs: run the due schedules and queued runs, or start a job directly."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--nice", type=int, default=10, help="added to this process's OS niceness (0: none)")
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("jobs", help="list the declared jobs and their parameters")
        due = sub.add_parser("run-due", help="run every queued run and due schedule once (for a timer, every minute)")
        due.add_argument("--tenant", action="append", help="only these tenants (default: every active one)")
        run = sub.add_parser("run", help="start a job for one tenant now")
        run.add_argument("job")
        run.add_argument("--tenant", required=True)
        run.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "jobs":
            for job in registry.all_jobs():
                params = ", ".join(f"{p.name}={p.default}" for p in job.params)
                self.stdout.write(f"{job.name}\t{job.title_ja} ({job.title_en})\t{params}")
            return
        if options["nice"]:
            os.nice(options["nice"])
        if options["action"] == "run-due":
            for run in services.run_due(tenants=options["tenant"]):
                self._report(run)
            return
        code = options["tenant"]
        if not Tenant.objects.filter(code=code, active=True).exists():
            raise CommandError(f"{code} is not an active tenant")
        try:
            job = registry.get(options["job"])
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        with tenant_context(code):
            given = services.previous_parameters(job)
        given.update(parse_params(options["param"]))
        try:
            run = services.start_direct(code, job.name, given)
        except registry.ParameterError as exc:
            raise CommandError(f"bad parameters, nothing run: {exc}") from None
        self._report(run)
        if run.status == Run.Status.FAILED:
            raise CommandError(f"run {run.id} ended abnormally: {run.error_code}")

    def _report(self, run: Run) -> None:
        changed = f" changed: {', '.join(run.changed_parameters)}" if run.changed_parameters else ""
        result = run.summary if run.status == Run.Status.SUCCEEDED else run.error_code
        self.stdout.write(
            f"{run.tenant_id}\t{run.job}\trun {run.id}\t{run.status}\t{run.duration_ms} ms\t{result}{changed}"
        )
