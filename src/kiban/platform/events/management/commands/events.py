"""``kiban events``: dead letters of a tenant, and replaying them.

kiban events dead-letters --tenant 131016
kiban events replay --tenant 131016 DELIVERY_ID [...]
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kiban.platform.audit.actor import Actor, acting_as
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

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["tenant"]
        if not Tenant.objects.filter(code=code).exists():
            raise CommandError(f"{code} is not a provisioned tenant")
        with acting_as(Actor("operator", "kiban events")), tenant_context(code):
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
