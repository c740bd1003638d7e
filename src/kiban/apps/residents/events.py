"""Events the resident registry publishes (the data linkage other businesses rely on).

Payloads carry the minimum: identifiers and what changed; details are fetched through the audited API.
Residence card changes of foreign residents are visible only to the registry itself (a child allowance system
has no need of residence card numbers).
"""

from kiban.platform.events.types import EventType, register
from kiban.standard.businesses import Business

ALL_BUSINESSES = frozenset(b.value for b in Business)

RESIDENT_CHANGED = EventType(
    "residents.resident.changed", ALL_BUSINESSES, "a notification (異動) changed a resident's record"
)
RESIDENCE_CARD_CHANGED = EventType(
    "residents.foreign_resident.card_changed",
    frozenset({Business.RESIDENTS.value}),
    "a foreign resident's residence card (在留カード) details changed",
)


def register_event_types() -> None:
    register(RESIDENT_CHANGED, RESIDENCE_CARD_CHANGED)
