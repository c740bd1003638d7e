"""Reads of resident records. Every read of a person is audited: a person in a result list and a person
opened are distinct audit entries (the Haal Centraal BRP practice), each with the fields shown and the purpose."""

from __future__ import annotations

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


def open_resident(resident_id: int, purpose: str) -> Resident | None:
    """One resident, audited as opened with every personal field shown."""
    resident = Resident.objects.filter(id=resident_id).first()
    if resident is not None:
        record_many([Event("resident.read", "resident", str(resident.id), Resident.PERSONAL_FIELDS, purpose)])
    return resident
