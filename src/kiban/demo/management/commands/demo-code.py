"""``kiban demo-code USER``: the current TOTP code of a demo account (refused for any other account)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kiban.demo.provision import _DEMO_KEYS, totp_now


class Command(BaseCommand):
    help = "Print the current second-factor code of a demo account."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", choices=sorted(_DEMO_KEYS))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.stdout.write(totp_now(options["username"]))
        except Exception as exc:
            raise CommandError(f"no demo device for {options['username']}: run `make demo` first") from exc
