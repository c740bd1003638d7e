"""Kiban's registry behind the standard registry contract (kiban.standard.contracts.ResidentRegistry), so other
businesses in the deployment read residents without importing this app."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.db import connection
from django.utils import timezone

from kiban.platform.audit.services import record
from kiban.standard.addresses import normalize_address
from kiban.standard.contracts import CertificateOutcome, PersonRecord, ProcedureOutcome, RegisteredPerson
from kiban.standard.text import search_key

from . import selectors, services
from .models import HOUSEHOLDER, Resident
from .validation import ProcedureError


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
    def identify(self, family_name: str, given_name: str, birth_date: date, address: str, purpose: str) -> list[int]:
        """Exact match on the normalized full name and date of birth among registered residents, then on the
        normalized address (kiban.standard.text.normalize_address)."""
        candidates = (
            Resident.objects.filter(selectors.current(), search_name=search_key(family_name + given_name))
            .filter(birth_date=birth_date)
            .select_related("household")
        )
        wanted = normalize_address(address)
        found = [r.id for r in candidates if normalize_address(r.household.address) == wanted]
        record("resident.identified", "resident", ",".join(map(str, found)), ["name", "birth_date", "address"], purpose)
        return found

    def record(self, resident_id: int, purpose: str) -> PersonRecord | None:
        found = selectors.open_resident(resident_id, purpose, as_of=timezone.localdate())
        if found is None or found.status != Resident.Status.REGISTERED:
            return None
        v = found.values
        return PersonRecord(
            resident_id=found.id,
            household_id=found.household_id,
            family_name=v["family_name"],
            given_name=v["given_name"],
            family_name_kana=v["family_name_kana"],
            given_name_kana=v["given_name_kana"],
            birth_date=v["birth_date"],
            sex=v["sex"],
            relationship=v["relationship"],
            address=found.address,
            building=found.building,
        )

    def resident_as_of(self, resident_id: int, on: date, purpose: str) -> RegisteredPerson | None:
        found = selectors.open_resident(resident_id, purpose, as_of=on)
        return None if found is None else _person(found.id, {**found.values, "household_id": found.household_id})

    def household_as_of(self, household_id: int, on: date, purpose: str) -> list[RegisteredPerson]:
        return [
            _person(m.id, {**m.values, "household_id": m.household_id})
            for m in selectors.household_members(household_id, purpose, on)
        ]

    def move_within(
        self,
        request_id: str,
        resident_ids: list[int],
        address: str,
        building: str,
        effective_on: date,
        notified_on: date,
    ) -> ProcedureOutcome:
        movers = list(Resident.objects.filter(id__in=resident_ids))
        household_ids = {r.household_id for r in movers}
        whole = len(household_ids) == 1 and Resident.objects.filter(
            household_id__in=household_ids, status=Resident.Status.REGISTERED
        ).count() == len(movers)
        relationships = {}
        if not whole and movers:
            ordered = sorted(movers, key=lambda r: resident_ids.index(r.id))
            relationships = {ordered[0].id: HOUSEHOLDER, **{r.id: "同居人" for r in ordered[1:]}}
        return _outcome(
            lambda: services.move_within(
                services.Notification(request_id, effective_on, notified_on),
                resident_ids=resident_ids,
                address=services.AddressData(address, building=building),
                relationships=relationships,
            )
        )

    def move_out(
        self,
        request_id: str,
        resident_ids: list[int],
        destination_address: str,
        destination_code: str,
        planned_on: date,
        notified_on: date,
    ) -> ProcedureOutcome:
        return _outcome(
            lambda: services.move_out(
                services.Notification(request_id, planned_on, notified_on),
                resident_ids=resident_ids,
                destination_address=destination_address,
                destination_code=destination_code,
            )
        )

    def issue_certificate(
        self, requester_resident_id: int, resident_ids: list[int], items: tuple[str, ...], purpose: str
    ) -> CertificateOutcome:
        from . import certificates, support

        requester = Resident.objects.filter(id=requester_resident_id).first()
        name = requester.display_name if requester is not None else ""
        request = certificates.Request(
            kind="resident_copy",
            resident_ids=resident_ids,
            requester="self" if resident_ids == [requester_resident_id] else "household",
            requester_name=name,
            purpose=purpose,
            items=items,
            layout="individual" if len(resident_ids) == 1 else "household",
            requester_resident_id=requester_resident_id,
        )
        try:
            issued = certificates.issue(request)
        except ProcedureError as exc:
            return CertificateOutcome(None, errors=tuple((e.field, e.message, e.message_en) for e in exc.errors))
        except support.Blocked as exc:
            message = "この証明書は窓口でのみ交付できます。窓口にお越しください。"
            return CertificateOutcome(None, errors=(("resident_ids", message, str(exc)),))
        return CertificateOutcome(issued.pdf, issued.certificate.issue_number, issued.certificate.verification_code)

    def population_as_of(self, on: date, purpose: str) -> Iterator[RegisteredPerson]:
        record("resident.population_read", "population", on.isoformat(), ["birth_date", "sex", "relationship"], purpose)
        entries = services.history_in_effect().filter(effective_on__lte=on)
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


def _outcome(call: Any) -> ProcedureOutcome:
    try:
        result = call()
    except ProcedureError as exc:
        return ProcedureOutcome(None, errors=tuple((e.field, e.message, e.message_en) for e in exc.errors))
    return ProcedureOutcome(result.procedure_id, flags=tuple(result.flags))
