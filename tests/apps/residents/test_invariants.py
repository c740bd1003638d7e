"""Property: any sequence of procedures, valid or refused, keeps the register's invariants.

- every household with registered members has exactly one householder (法6条), at every date of its history;
- a refused procedure writes nothing;
- replaying a person's history gives their current record (the last snapshot equals the current row).
"""

from __future__ import annotations

import datetime
import itertools
from collections import Counter
from typing import Any

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiban.apps.residents import services
from kiban.apps.residents.models import Household, Resident, ResidentHistory
from kiban.apps.residents.validation import PersonData, ProcedureError
from kiban.platform.tenants.context import tenant_context

_ids = itertools.count(1)
RELATIONSHIPS = ["世帯主", "妻", "夫", "子", "父", "母", "同居人", "子の妻"]

operation = st.tuples(
    st.sampled_from(["move_in", "birth", "death", "move_within", "move_out", "split", "householder", "merge"]),
    st.integers(0, 50),  # which person/household
    st.integers(0, 50),  # a second choice
    st.sampled_from(RELATIONSHIPS),
)


def _person(relationship: str, birth: datetime.date) -> PersonData:
    return PersonData(family_name="試験", given_name=f"{next(_ids)}", family_name_kana="シケン", given_name_kana="タロウ",
                      birth_date=birth, sex="1", relationship=relationship)  # fmt: skip


def _apply(op: tuple[str, int, int, str], day: datetime.date) -> None:
    kind, a, b, relationship = op
    n = services.Notification(f"prop-{next(_ids)}", day, day)
    registered = list(Resident.objects.filter(status="registered").order_by("id"))
    households = sorted({r.household_id for r in registered})
    pick = registered[a % len(registered)] if registered else None
    if kind == "move_in" or pick is None:
        size = 1 + a % 3
        persons = [_person("世帯主" if i == 0 else relationship, datetime.date(1970 + i, 1, 1)) for i in range(size)]
        services.move_in(n, address=services.AddressData(f"千代田区{a}番"), persons=persons, origin="abroad")
    elif kind == "birth":
        services.birth(n, household_id=pick.household_id, person=_person(relationship, day))
    elif kind == "death":
        others = [r.id for r in registered if r.household_id == pick.household_id and r.id != pick.id]
        services.death(n, resident_id=pick.id, new_householder_id=others[b % len(others)] if others else None,
                       relationships={o: "同居人" for o in others})  # fmt: skip
    elif kind == "move_within":
        services.move_within(n, resident_ids=[pick.id], address=services.AddressData(f"千代田区{b}番"),
                             relationships={pick.id: relationship})  # fmt: skip
    elif kind == "move_out":
        services.move_out(n, resident_ids=[pick.id], destination_address="大阪市")
    elif kind == "split":
        services.split_household(n, resident_ids=[pick.id], relationships={pick.id: relationship})
    elif kind == "householder":
        members = [r.id for r in registered if r.household_id == pick.household_id]
        services.change_householder(n, household_id=pick.household_id,
                                    relationships={m: ("世帯主" if m == members[b % len(members)] else relationship) for m in members})  # fmt: skip
    elif kind == "merge":
        services.merge_households(n, from_household_id=pick.household_id,
                                  into_household_id=households[b % len(households)],
                                  relationships={r.id: relationship for r in registered if r.household_id == pick.household_id})  # fmt: skip


def _state() -> tuple[int, int, int]:
    return Resident.objects.count(), Household.objects.count(), ResidentHistory.objects.count()


def _check_invariants() -> None:
    registered = Resident.objects.filter(status="registered")
    householders = Counter(registered.filter(relationship="世帯主").values_list("household_id", flat=True))
    for household_id in set(registered.values_list("household_id", flat=True)):
        assert householders[household_id] == 1, (
            f"household {household_id} has {householders[household_id]} householders"
        )
    for resident in Resident.objects.all():
        last = ResidentHistory.objects.filter(resident_id=resident.id).order_by("-seq").first()
        assert last is not None and last.seq == resident.version
        assert last.snapshot == resident.snapshot(), f"history of {resident.id} does not replay to its record"
    # At each date of change, the snapshots in effect give every household exactly one householder.
    for day in set(ResidentHistory.objects.values_list("effective_on", flat=True)):
        latest: dict[int, dict[str, Any]] = {}
        for entry in ResidentHistory.objects.filter(effective_on__lte=day).order_by(
            "resident_id", "effective_on", "seq"
        ):
            latest[entry.resident_id] = entry.snapshot
        heads = Counter(
            s["household_id"] for s in latest.values() if s["status"] == "registered" and s["relationship"] == "世帯主"
        )
        for household_id in {s["household_id"] for s in latest.values() if s["status"] == "registered"}:
            assert heads[household_id] == 1, f"on {day} household {household_id} has {heads[household_id]} householders"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, min_size=1, max_size=12))
def test_any_sequence_of_procedures_keeps_the_invariants(tenant_a: Any, operations: list[Any]) -> None:
    with tenant_context(tenant_a.code):
        sid = transaction.savepoint()
        try:
            day = datetime.date(2020, 1, 1)
            for op in operations:
                day += datetime.timedelta(days=1 + op[1] % 20)
                before = _state()
                try:
                    _apply(op, day)
                except ProcedureError:
                    assert _state() == before, f"a refused {op[0]} wrote something"
            _check_invariants()
        finally:
            transaction.savepoint_rollback(sid)
