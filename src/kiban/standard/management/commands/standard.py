"""``kiban standard schema --out DIR``: write the standard's JSON Schemas (one file per model)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kiban.standard.schema_files import write_schemas


class Command(BaseCommand):
    help = "Tools for the standard as code."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        schema = actions.add_parser("schema", help="write the JSON Schemas, one file per model")
        schema.add_argument("--out", type=Path, required=True, help="directory, e.g. docs/standard")

    def handle(self, *args: Any, **options: Any) -> None:
        for path in write_schemas(options["out"]):
            self.stdout.write(str(path))
