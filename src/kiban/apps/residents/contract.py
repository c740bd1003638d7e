"""Kiban's registry behind the standard registry contract (kiban.standard.contracts.ResidentRegistry), so other
businesses in the deployment read residents without importing this app."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.db import connection

from kiban.platform.audit.services import record
from kiban.standard.contracts import RegisteredPerson

from . import selectors
from .models import ResidentHistory


def _person(resident_id: int, values: Any) -> RegisteredPerson:
    birth = values["birth_date"]
    return RegisteredPerson(
        resident_id=resident_id,
        household_id=int(values["household_id"]),
        relationship=values["relationship"],
        birth_date=birth if isinstance(birth, date) else date.fromisoformat(birth),
        sex=values["sex"],
        kind=values["kind"],
    )


def _registered(values: Any, on: date) -> bool:
    removed_on = values.get("removed_on")
    if values.get("status") != "removed":
        return True
    return removed_on is not None and str(removed_on) > on.isoformat()


class KibanRegistry:
    def resident_as_of(self, resident_id: int, on: date, purpose: str) -> RegisteredPerson | None:
        found = selectors.open_resident(resident_id, purpose, as_of=on)
        return None if found is None else _person(found.id, {**found.values, "household_id": found.household_id})

    def household_as_of(self, household_id: int, on: date, purpose: str) -> list[RegisteredPerson]:
        return [
            _person(m.id, {**m.values, "household_id": m.household_id})
            for m in selectors.household_members(household_id, purpose, on)
        ]

    def population_as_of(self, on: date, purpose: str) -> Iterator[RegisteredPerson]:
        record("resident.population_read", "population", on.isoformat(), ["birth_date", "sex", "relationship"], purpose)
        entries = ResidentHistory.objects.filter(effective_on__lte=on)
        if connection.vendor == "postgresql":
            rows = entries.order_by("resident_id", "-effective_on", "-seq").distinct("resident_id")
            for resident_id, snapshot in rows.values_list("resident_id", "snapshot").iterator(chunk_size=10000):
                if _registered(snapshot, on):
                    yield _person(resident_id, snapshot)
            return
        last = None
        for resident_id, snapshot in (
            entries.order_by("resident_id", "-effective_on", "-seq")
            .values_list("resident_id", "snapshot")
            .iterator(chunk_size=10000)
        ):
            if resident_id != last and _registered(snapshot, on):
                yield _person(resident_id, snapshot)
            last = resident_id
