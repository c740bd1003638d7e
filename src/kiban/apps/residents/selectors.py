"""Reads of resident records. Every read of a person is audited: a person in a result list and a person
opened are distinct audit entries (the Haal Centraal BRP practice), each with the fields shown and the purpose."""

from __future__ import annotations

from datetime import date

from kiban.platform.audit.services import Event, record_many

from .models import Resident

SEARCH_LIMIT = 50


def search(kana: str, purpose: str) -> list[Resident]:
    """Residents whose family-name kana starts with ``kana``; each one listed is audited."""
    found = list(
        Resident.objects.filter(family_name_kana__startswith=kana).order_by(
            "family_name_kana", "given_name_kana", "id"
        )[:SEARCH_LIMIT]
    )
    record_many(Event("resident.listed", "resident", str(r.id), Resident.LIST_FIELDS, purpose) for r in found)
    return found


def open_resident(resident_id: int, purpose: str, as_of: date | None = None) -> Resident | None:
    """One resident, audited as opened with every personal field shown.

    With ``as_of`` (kiban.standard.contracts, "as of" queries), only if the person was registered on that date.
    Until the registry keeps attribute history (住民記録 issue), the attributes are today's.
    """
    resident = Resident.objects.filter(id=resident_id).first()
    if resident is not None and as_of is not None and not resident.registered_on(as_of):
        resident = None
    if resident is not None:
        record_many([Event("resident.read", "resident", str(resident.id), Resident.PERSONAL_FIELDS, purpose)])
    return resident
