"""Loading many households at once (sample data, synthetic populations, data migration), as one procedure.

Per-person procedures cost a few round trips each; a load of thousands of households writes households, residents
and their first history entries with multi-row INSERTs in one transaction, recorded as one ``Procedure`` (kind
``職権記載`` with the load's note) and one audit entry. No per-person events are published: a load is not a
notification, and subscribers learn of it from the feed's bulk marker event instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from kiban.platform.audit.actor import actor_label
from kiban.platform.audit.services import record
from kiban.platform.metering import services as metering
from kiban.platform.tenants.context import current_tenant_id
from kiban.standard.codes import ChangeReason
from kiban.standard.text import normalize_kana_input

from .models import Household, Procedure, Resident, ResidentHistory
from .services import set_individual_number
from .validation import PersonData, Problems, check_person


@dataclass
class LoadPerson:
    person: PersonData
    became_resident_on: date
    moved_in_on: date
    previous_address: str = ""


@dataclass
class LoadHousehold:
    address: str
    members: list[LoadPerson]
    postal_code: str = ""
    district: str = ""
    building: str = ""
    established_on: date | None = None
    extra: dict[str, str] = field(default_factory=dict)


def load(households: Iterable[LoadHousehold], *, request_id: str, note: str, validate: bool = True) -> int:
    """Record the given households in the current tenant; returns the number of residents recorded."""
    today = timezone.localdate()
    items = list(households)
    if validate:
        problems = Problems()
        for i, h in enumerate(items):
            if sum(1 for m in h.members if m.person.relationship == "世帯主") != 1:
                problems.add(
                    f"households.{i}", "householder", "世帯主は1世帯に1人です。", "One householder per household."
                )
            for j, m in enumerate(h.members):
                check_person(problems, f"households.{i}.members.{j}", m.person, None)
        problems.raise_if_any()
    with transaction.atomic():
        procedure = Procedure(
            kind=ChangeReason.ENTRY_EX_OFFICIO,
            request_id=request_id,
            effective_on=today,
            notified_on=today,
            flags=["bulk_load"],
            actor=actor_label(),
            payload={"note": note},
        )
        procedure.save()
        rows = [
            Household(
                address=h.address,
                postal_code=h.postal_code,
                district=h.district,
                building=h.building,
                established_on=h.established_on or min(m.moved_in_on for m in h.members),
            )
            for h in items
        ]
        Household.objects.bulk_create(rows, batch_size=2000)
        residents: list[Resident] = []
        for household, h in zip(rows, items, strict=True):
            for m in h.members:
                p = m.person
                r = Resident(
                    household=household,
                    relationship=p.relationship,
                    kind=p.kind,
                    family_name=p.family_name,
                    given_name=p.given_name,
                    family_name_kana=normalize_kana_input(p.family_name_kana),
                    given_name_kana=normalize_kana_input(p.given_name_kana),
                    birth_date=p.birth_date,
                    sex=p.sex,
                    domicile=p.domicile,
                    domicile_head=p.domicile_head,
                    nationality=p.nationality,
                    residence_status=p.residence_status,
                    period_of_stay_until=p.period_of_stay_until,
                    residence_card_number=p.residence_card_number,
                    alias=p.alias,
                    alias_kana=p.alias_kana,
                    resident_code=p.resident_code,
                    became_resident_on=m.became_resident_on,
                    moved_in_on=m.moved_in_on,
                    previous_address=m.previous_address,
                    version=1,
                )
                r.refresh_search_keys()
                if p.individual_number:
                    set_individual_number(r, p.individual_number)
                residents.append(r)
        Resident.objects.bulk_create(residents, batch_size=2000)
        by_id = {h.id: h for h in rows}
        ResidentHistory.objects.bulk_create(
            [
                ResidentHistory(
                    resident_id=r.id,
                    procedure=procedure,
                    seq=1,
                    kind=ChangeReason.ENTRY_EX_OFFICIO,
                    effective_on=r.moved_in_on or today,
                    notified_on=today,
                    address=by_id[r.household_id].address,
                    building=by_id[r.household_id].building,
                    snapshot=r.snapshot(),
                )
                for r in residents
            ],
            batch_size=2000,
        )
        record("residents.bulk_load", "procedure", str(procedure.id), purpose=note)
        metering.add(current_tenant_id(), "procedures")
    return len(residents)
