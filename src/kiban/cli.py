"""The ``kiban`` command: Django's management commands with Kiban's settings (``kiban tenants provision``,
``kiban audit verify``, ``kiban setup``, ``kiban demo``, and Django's own)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["conformance"]:  # runs over HTTP only: no settings, no database
        from kiban.conformance.cli import main as conformance

        raise SystemExit(conformance(args[1:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiban.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kiban", *args])


if __name__ == "__main__":
    main()
