"""``kiban events``: dead letters of a tenant, and replaying them.

kiban events dead-letters --tenant 131016
kiban events replay --tenant 131016 DELIVERY_ID [...]
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kiban.platform.audit.actor import Actor, acting_as
from kiban.platform.audit.services import record
from kiban.platform.events import selectors, types
from kiban.platform.events.envelope import envelope
from kiban.platform.events.models import Delivery, Event, Subscription
from kiban.platform.events.services import replay
from kiban.platform.tenants.context import tenant_context
from kiban.platform.tenants.models import Tenant


class Command(BaseCommand):
    help = "Operator tools for event deliveries."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        d = sub.add_parser("dead-letters", help="list a tenant's dead letters")
        d.add_argument("--tenant", required=True)
        r = sub.add_parser("replay", help="queue dead letters again")
        r.add_argument("--tenant", required=True)
        r.add_argument("delivery_ids", nargs="+", type=int)
        e = sub.add_parser("export", help="write the change feed to files (file linkage)")
        e.add_argument("--tenant", required=True)
        e.add_argument("--business", required=True, help="the receiving business; only its visible event types")
        e.add_argument("--cursor", default="", help="next_cursor of the previous export (empty: from the start)")
        e.add_argument("--out", required=True, type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["tenant"]
        if not Tenant.objects.filter(code=code).exists():
            raise CommandError(f"{code} is not a provisioned tenant")
        with acting_as(Actor("operator", "kiban events")), tenant_context(code):
            if options["action"] == "export":
                self._export(code, options["business"], options["cursor"], options["out"])
                return
            if options["action"] == "dead-letters":
                for d in Delivery.objects.filter(status=Delivery.Status.DEAD).order_by("id"):
                    event = Event.objects.get(id=d.event_id)
                    target = Subscription.objects.get(id=d.subscription_id).target
                    self.stdout.write(f"{d.id}\t{event.type}\t{event.event_id}\t{target}\t{d.attempts}\t{d.last_error}")
                return
            for delivery_id in options["delivery_ids"]:
                try:
                    replay(delivery_id)
                except (Delivery.DoesNotExist, ValueError) as exc:
                    raise CommandError(f"delivery {delivery_id}: {exc}") from exc
                self.stdout.write(f"queued {delivery_id} again")

    def _export(self, code: str, business: str, cursor: str, out: Path) -> None:
        event_types = [t.name for t in types.visible_to(business)]
        if not event_types:
            raise CommandError(f"no event types are visible to business {business!r}")
        out.mkdir(parents=True, exist_ok=True)
        path = out / f"events-{code}-{business}.jsonl"
        digest, count = hashlib.sha256(), 0
        with path.open("wb") as f:
            while True:
                try:
                    page = selectors.changes_since(cursor, event_types, 1000)
                except selectors.InvalidCursor as exc:
                    raise CommandError(str(exc)) from exc
                if not page:
                    break
                for event in page:
                    line = json.dumps(envelope(event), ensure_ascii=False, sort_keys=True).encode() + b"\n"
                    f.write(line)
                    digest.update(line)
                count += len(page)
                cursor = selectors.make_cursor(page[-1])
        record("events.exported", "event-feed", cursor, purpose=business)
        manifest = {"tenant": code, "business": business, "file": path.name, "events": count,
                    "sha256": digest.hexdigest(), "next_cursor": cursor}  # fmt: skip
        (out / f"events-{code}-{business}.manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        self.stdout.write(f"exported {count} events to {path} (next cursor {cursor or '-'})")
