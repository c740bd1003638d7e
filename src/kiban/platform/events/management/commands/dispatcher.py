"""``kiban dispatcher``: the long-running event dispatcher (``--once`` for one pass)."""

from __future__ import annotations

import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from prometheus_client import start_http_server

from kiban.platform.events.dispatcher import Dispatcher


class Command(BaseCommand):
    help = "Deliver events to subscribers (in-process handlers and signed webhooks)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one pass over every tenant with deliveries due")
        parser.add_argument("--idle-sleep", type=float, default=0.5, help="seconds to wait when nothing is due")
        parser.add_argument("--metrics-port", type=int, default=0, help="serve Prometheus metrics on this port")

    def handle(self, *args: Any, **options: Any) -> None:
        dispatcher = Dispatcher()
        if options["metrics_port"]:
            start_http_server(options["metrics_port"], addr="127.0.0.1")
        if options["once"]:
            self.stdout.write(f"delivered {dispatcher.run_once()}")
            return
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        dispatcher.run_forever(options["idle_sleep"], stop=lambda: stopping)
        self.stdout.write(f"stopped: {dispatcher.stats}")
