"""A plausible past for a synthetic household: the changes (異動) that led to its current record.

Derived from the household itself (births, 転入 and 転居 dates it already carries) plus a few former members
who are no longer residents: a spouse of an elderly person living alone who died, a grown child who moved out.
Notification dates follow the legal time limits: 出生届 within 14 days (戸籍法 49条), 死亡届 within 7 days
(戸籍法 86条), 転入届・転居届 within 14 days of moving (住民基本台帳法 22条・23条), 転出届 before moving (24条).
"""

from __future__ import annotations

import random
import zlib
from datetime import date, timedelta

from .generator import _seed_state
from .model import FEMALE, HOUSEHOLDER, MALE, PastEvent, SyntheticHousehold


def generate_history(household: SyntheticHousehold, seed: int, base_date: date = date(2026, 1, 1)) -> list[PastEvent]:
    """Events in chronological order (by effective date), none before the birth of the person it concerns.

    Deterministic: the same household and seed give the same events, whatever else was generated before.
    """
    key = zlib.crc32(household.address.encode())
    rng = random.Random(_seed_state(seed, household.household_no, key, 0x48))  # noqa: S311 (synthetic data)
    events: list[PastEvent] = []
    for person in household.members:
        if person.became_resident_on == person.birth_date:
            events.append(_event(person.person_no, "birth", person.birth_date, rng.randint(1, 14), "出生"))
        else:
            origin = "国外から入国" if person.foreign and person.became_resident_on == person.moved_in_on else "転入"
            where = f"（前住所: {person.previous_address}）" if person.became_resident_on == person.moved_in_on else ""
            events.append(
                _event(
                    person.person_no,
                    "move_in",
                    person.became_resident_on,
                    rng.randint(0, 14),
                    f"{origin}{where if person.previous_address else ''}",
                )
            )
        if person.moved_in_on > person.became_resident_on:
            where = f"（前住所: {person.previous_address}）" if person.previous_address else ""
            events.append(
                _event(person.person_no, "move_within", person.moved_in_on, rng.randint(0, 14), f"転居{where}")
            )

    head = household.householder
    today = base_date.toordinal() - 1
    since = head.moved_in_on.toordinal()
    if (
        len(household.members) == 1
        and head.birth_date.year <= base_date.year - 70
        and today > since
        and rng.random() < 0.5
    ):
        # A widowed person living alone: the spouse died at this address.
        sex = FEMALE if head.sex == MALE else MALE
        relation = "妻" if sex == FEMALE else "夫"
        born = head.birth_date - timedelta(days=rng.randint(-1500, 2500))
        died = date.fromordinal(rng.randint(max(since, born.toordinal() + 1), today))
        detail = f"死亡: 元世帯員 {head.family_name}\u3000（{relation}）生年月日 {born.isoformat()} 性別 {sex}"
        events.append(_event(0, "death", died, rng.randint(0, 7), detail))
    parents = [p for p in household.members if p.relationship in (HOUSEHOLDER, "妻", "夫")]
    if len(parents) == 2 and min(p.birth_date for p in parents).year <= base_date.year - 50 and rng.random() < 0.4:
        # A grown child who moved out: born when the younger parent was 25–35, left at 18–30.
        younger = max(p.birth_date for p in parents)
        born = younger + timedelta(days=rng.randint(25 * 365, 35 * 365))
        left = born + timedelta(days=rng.randint(18 * 365, 30 * 365))
        if since < left.toordinal() < today:
            sex = MALE if rng.random() < 0.5 else FEMALE
            detail = f"転出: 元世帯員 {head.family_name}\u3000（子）生年月日 {born.isoformat()} 性別 {sex}"
            events.append(PastEvent(0, "move_out", left, left - timedelta(days=rng.randint(0, 14)), detail))
    events.sort(key=lambda e: (e.effective_on, e.person_no))
    return events


def _event(person_no: int, kind: str, effective_on: date, delay_days: int, detail: str) -> PastEvent:
    return PastEvent(person_no, kind, effective_on, effective_on + timedelta(days=delay_days), detail)
