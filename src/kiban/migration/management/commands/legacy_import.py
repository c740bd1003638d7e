"""kiban legacy_import --tenant CODE --layout YAML --gaiji CSV FILE [--dry-run] [--review-out DIR]

Loads a fixed-width resident file of a pre-standard system into the tenant's registry. Records that cannot be
loaded as they are (an unmapped 外字, a byte sequence that is not CP932, an unknown code, a household without exactly
one 世帯主, a check of the registry failing) go to the review queue with their household: ``review.csv``,
``not-migrated.csv`` (除票) and ``report.txt`` in the review directory. Rerunning the same file loads nothing twice.
See docs/migration/legacy.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kiban.migration.legacy import GaijiMapError, LayoutError, import_file, load_gaiji_map, load_layout


class Command(BaseCommand):
    help = "Import a legacy fixed-width CP932 resident file (layout YAML + 外字 map); unmappable records go to review."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the legacy file (fixed-width, CP932)")
        parser.add_argument("--tenant", required=True, help="6-digit local government code of the tenant")
        parser.add_argument("--layout", required=True, help="layout YAML (docs/migration/layouts/)")
        parser.add_argument("--gaiji", required=True, help="the municipality's 外字 map (CSV)")
        parser.add_argument(
            "--dry-run", action="store_true", help="read, map and check only; write nothing to the database"
        )
        parser.add_argument(
            "--review-out", help="directory for review.csv, not-migrated.csv and report.txt (default: FILE.review/)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from kiban.platform.tenants.models import Tenant

        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        code = options["tenant"]
        if not Tenant.objects.filter(code=code).exists():
            raise CommandError(f"tenant {code} is not provisioned")
        try:
            layout = load_layout(options["layout"])
            gaiji = load_gaiji_map(options["gaiji"])
        except (LayoutError, GaijiMapError) as exc:
            raise CommandError(str(exc)) from exc
        review_out = Path(options["review_out"]) if options["review_out"] else path.with_name(path.name + ".review")
        report = import_file(path, layout, gaiji, code, dry_run=options["dry_run"], review_out=review_out)
        self.stdout.write(report.summary())
        self.stdout.write(f"review queue: {review_out / 'review.csv'}")
        if report.refused:
            raise CommandError("the load was refused; nothing was written (see above)")
