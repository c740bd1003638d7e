"""他業務照会 (住民記録システム標準仕様書 7.2.2, j1180): the latest items other businesses hold on a person, read from
each business app installed through the standard contract (``kiban.standard.contracts.inquiries``: the registry never
reads another app's tables), and which of the businesses 7.2.2 names this deployment cannot ask."""

from __future__ import annotations

from dataclasses import dataclass

from kiban.platform.audit.services import record
from kiban.standard.businesses import Business
from kiban.standard.contracts import INQUIRED_BUSINESSES, BusinessItems, inquiries

TITLES = {Business.ELECTORAL_ROLL.value: "選挙", Business.HEALTH_INSURANCE.value: "国民健康保険",
          Business.ELDERLY_MEDICAL_CARE.value: "後期高齢者医療", Business.CARE_INSURANCE.value: "介護保険",
          Business.NATIONAL_PENSION.value: "国民年金", Business.CHILD_ALLOWANCE.value: "児童手当"}  # fmt: skip


@dataclass(frozen=True)
class Inquiry:
    answered: list[BusinessItems]  # businesses holding something on the person
    nothing: list[str]  # asked, holding nothing
    not_connected: list[str]  # named by 7.2.2 but not installed here


def inquire(resident_id: int, purpose: str) -> Inquiry:
    """Asks every business installed; audited here (and by each business for its own read) with the purpose."""
    answering = inquiries()
    answered, nothing = [], []
    for business, inquiry in sorted(answering.items()):
        found = inquiry.items_of(resident_id, purpose)
        if found is None:
            nothing.append(TITLES.get(business, business))
        else:
            answered.append(found)
    record("residents.other_businesses.inquired", "resident", str(resident_id), sorted(answering), purpose)
    return Inquiry(answered, nothing, [TITLES[b] for b in INQUIRED_BUSINESSES if b not in answering])
