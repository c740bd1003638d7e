"""The registry's records in the standard's own schemas (kiban.standard.schemas: Resident, ChangeRecord), which
is what another vendor's system or the portal reads through the API — the same shape whoever built the registry.

Addresses are stored as the text the notification gave; the standard ``Address`` splits them: the prefecture and
municipality come from the tenant when the text starts with them, and the rest goes to ``town`` (町字 and 番地 are
not split further: the Address Base Registry's 町字ID is not kept yet).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from kiban.platform.tenants.context import current_tenant_id
from kiban.platform.tenants.models import Tenant
from kiban.standard import codes, schemas

from .models import HOUSEHOLDER, Household, Resident, ResidentHistory


def _address(text: str, building: str, postal_code: str, tenant: Tenant) -> schemas.Address:
    rest = text
    for prefix in (f"{tenant.prefecture}{tenant.name}", tenant.name):
        if rest.startswith(prefix):
            rest = rest[len(prefix) :]
            break
    return schemas.Address.model_validate(
        {
            "postal_code": postal_code or None,
            "local_government_code": tenant.code,
            "prefecture": tenant.prefecture,
            "municipality": tenant.name,
            "town": rest or None,
            "building": building or None,
        }
    )


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def resident_record(values: dict[str, Any], resident_id: int, address: str, building: str) -> schemas.Resident:
    """A standard ``Resident`` from a record's values (the current row's or a history snapshot's)."""
    tenant = Tenant.objects.get(code=current_tenant_id())
    household = Household.objects.filter(id=values["household_id"]).first()
    householder = Resident.objects.filter(household_id=values["household_id"], relationship=HOUSEHOLDER).first()
    foreign = values["kind"] == Resident.Kind.FOREIGN
    status = values.get("residence_status") or ""
    categories = {c.value for c in codes.ForeignResidentCategory}
    data: dict[str, Any] = {
        "resident_type": codes.ResidentType.FOREIGN if foreign else codes.ResidentType.JAPANESE,
        "addressee_number": str(resident_id),
        "household_number": f"{values['household_id']:010d}",
        "resident_record_code": values.get("resident_code") or None,
        "name": f"{values['family_name']}　{values['given_name']}",
        "name_kana": f"{values['family_name_kana']}　{values['given_name_kana']}",
        "birth_date": _date(values["birth_date"]),
        "sex": values["sex"],
        "householder_name": householder.display_name
        if householder
        else f"{values['family_name']}　{values['given_name']}",
        "relationship": values["relationship"],
        "address": _address(address, building, household.postal_code if household else "", tenant),
        "address_set_on": _date(values.get("moved_in_on")),
    }
    if foreign:
        data |= {
            "alias": values.get("alias") or None,
            "became_foreign_resident_on": _date(values.get("became_resident_on")),
            "nationality": values.get("nationality") or None,
            "foreign_resident_category": status
            if status in categories
            else codes.ForeignResidentCategory.MID_TO_LONG_TERM,
            "residence_status": None if status in categories else (status or None),
            "period_of_stay_expires_on": _date(values.get("period_of_stay_until")),
            "residence_card_number": values.get("residence_card_number") or None,
        }
    else:
        data |= {
            "former_surname": values.get("former_surname") or None,
            "permanent_domicile": values.get("domicile") or None,
            "head_of_family_register": values.get("domicile_head") or None,
            "became_resident_on": _date(values.get("became_resident_on")),
        }
    return schemas.Resident.model_validate(data)


def change_records(entries: Iterable[ResidentHistory]) -> list[schemas.ChangeRecord]:
    """History entries of one 住民票 (``selectors.history``) as the standard's ChangeRecords (異動履歴), oldest
    first."""
    records = []
    for entry in entries:
        reason = codes.ChangeReason(entry.kind)
        kinds = codes.REASON_KINDS[reason]
        kind = (
            next(iter(kinds))
            if len(kinds) == 1
            else (
                codes.ChangeKind.REMOVAL
                if entry.snapshot.get("status") == Resident.Status.REMOVED
                else codes.ChangeKind.ENTRY
            )
        )
        records.append(
            schemas.ChangeRecord.model_validate(
                {
                    "history_number": entry.seq,
                    "kind": kind,
                    "reason": reason,
                    "effective_on": entry.effective_on,
                    "processed_on": entry.procedure.recorded_at.date(),
                    "notified_on": entry.notified_on if reason in codes.NOTIFIED_REASONS else None,
                    "resident": resident_record(entry.snapshot, entry.resident_id, entry.address, entry.building),
                }
            )
        )
    return records
