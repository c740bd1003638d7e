from collections.abc import Iterator
from typing import Any

import pytest

from kiban.platform.events import handlers, types

CHANGED = "residents.resident.changed"
CARD = "residents.foreign_resident.card_changed"


@pytest.fixture(autouse=True)
def event_types() -> None:
    types.register(
        types.EventType(CHANGED, frozenset({"residents", "child_allowance", "resident_tax"})),
        types.EventType(CARD, frozenset({"residents"})),  # residence card numbers: not for child allowance
    )


class Received(list[dict[str, Any]]):
    handler: Any = None


@pytest.fixture
def received() -> Iterator[Received]:
    """An in-process subscriber that records what it receives (and fails while ``fail`` is set)."""
    got = Received()

    def handler(envelope: dict[str, Any]) -> None:
        if getattr(handler, "fail", False):
            raise RuntimeError("subscriber is down")
        got.append(envelope)

    handlers.register("test.recorder", handler)
    got.handler = handler
    yield got
    handlers.unregister("test.recorder")
