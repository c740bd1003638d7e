"""The change feed: events of the current tenant since a cursor, in a stable order (pull linkage)."""

from __future__ import annotations

from django.db import connection
from django.db.models import Q

from .models import Event


class InvalidCursor(ValueError):
    pass


def parse_cursor(cursor: str) -> tuple[int, int]:
    if not cursor:
        return (-1, 0)
    try:
        txid, _, event_id = cursor.partition(".")
        return int(txid), int(event_id)
    except ValueError:
        raise InvalidCursor(f"malformed cursor {cursor!r}: use the next_cursor of the previous page") from None


def make_cursor(event: Event) -> str:
    return f"{event.txid}.{event.id}"


def _settled_before() -> int | None:
    """On PostgreSQL, the oldest transaction still running: events of older transactions are final, so a cursor
    never passes an event that commits later. (SQLite has one writer at a time: ids are in commit order.)"""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        return int(cursor.fetchone()[0])


def changes_since(cursor: str, event_types: list[str], limit: int) -> list[Event]:
    txid, event_id = parse_cursor(cursor)
    events = Event.objects.filter(type__in=event_types).filter(Q(txid__gt=txid) | Q(txid=txid, id__gt=event_id))
    settled = _settled_before()
    if settled is not None:
        events = events.filter(txid__lt=settled)
    return list(events.order_by("txid", "id")[:limit])
