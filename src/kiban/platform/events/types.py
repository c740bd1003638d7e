"""Event types and which businesses may see them (least data: a business subscribes only to what it needs)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EventType:
    name: str  # "<business>.<entity>.<what happened>", e.g. "residents.resident.moved_in"
    visible_to: frozenset[str]  # businesses that may subscribe to it or read it from the feed
    description: str = ""


_types: dict[str, EventType] = {}


def register(*event_types: EventType) -> None:
    for t in event_types:
        _types[t.name] = t


def get(name: str) -> EventType:
    try:
        return _types[name]
    except KeyError:
        raise LookupError(f"unknown event type {name!r}") from None


def visible_to(business: str) -> list[EventType]:
    return sorted((t for t in _types.values() if business in t.visible_to), key=lambda t: t.name)
