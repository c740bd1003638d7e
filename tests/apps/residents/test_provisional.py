"""仮登録・本登録 (標準仕様書 4.0.8 審査・決裁, j530): what is entered stays out of the register until an
examiner registers it; the examiner's name and the decision date are not kept with it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from kiban.apps.residents import provisional, selectors, services
from kiban.apps.residents.models import Procedure, ProvisionalEntry, Resident
from kiban.apps.residents.validation import ProcedureError
from kiban.platform.audit.models import AuditEntry

from .test_procedures import D, chiyoda, codes, family, n  # noqa: F401 (chiyoda is a fixture)

in_chiyoda = pytest.mark.usefixtures("chiyoda")


def move_runner(entry: ProvisionalEntry) -> services.ProcedureResult:
    """What the counter does at 本登録: the entered data made into the procedure, checked against the register now."""
    d = entry.data
    return services.move_within(
        services.Notification(entry.request_id, D.fromisoformat(d["effective_on"]), D.fromisoformat(d["notified_on"])),
        resident_ids=d["resident_ids"],
        address=services.AddressData(d["address"]),
    )


def enter_move(ids: list[int], request_id: str, address: str = "千代田区二番町2番", branch: str = "本庁") -> Any:
    data = {"effective_on": "2024-05-01", "notified_on": "2024-05-02", "resident_ids": ids, "address": address}
    return provisional.enter(
        procedure="move-within",
        label="転居",
        request_id=request_id,
        data=data,
        summary=f"転居 {len(ids)}名 → {address}",
        branch=branch,
        resident_ids=ids,
    )


@in_chiyoda
def test_a_provisional_entry_changes_nothing_until_it_is_registered() -> None:
    _, ids = family()
    entry = enter_move(ids, "prov-1")
    # nothing in the register: the row, the history, searches and certificates read the data as before
    assert Resident.objects.get(id=ids[0]).household.address == "東京都千代田区九段南1丁目2番1号"
    assert [h.kind for h in selectors.history(ids[0], "x")] == ["国内転入"]
    assert not Procedure.objects.filter(request_id="prov-1").exists()
    assert [e.id for e in provisional.pending()] == [entry.id] and provisional.pending_for([ids[1]]) == [entry]
    # corrected (修正) while provisional: the same request id replaces what was entered
    enter_move(ids, "prov-1", address="千代田区三番町3番")
    assert ProvisionalEntry.objects.get(id=entry.id).data["address"] == "千代田区三番町3番"
    outcomes = provisional.register([entry.id], move_runner)
    assert [o.registered for o in outcomes] == [True]
    assert Resident.objects.get(id=ids[0]).household.address == "千代田区三番町3番"
    registered = ProvisionalEntry.objects.get(id=entry.id)
    assert registered.status == "registered" and registered.procedure_id == outcomes[0].result.procedure_id
    # j530 実装しない機能: no examiner name or decision date on the entry; the audit log has who did it
    field_names = {f.name for f in ProvisionalEntry._meta.get_fields()}
    assert not field_names & {"approved_by", "approver", "decided_at", "registered_at", "registered_by"}
    assert AuditEntry.objects.filter(action="residents.provisional.registered", object_id=str(entry.id)).exists()
    with pytest.raises(ProcedureError) as err:  # registered entries cannot change
        enter_move(ids, "prov-1")
    assert codes(err) == {"registered"}
    assert provisional.register([entry.id], move_runner)[0].errors[0].code == "registered"


@in_chiyoda
def test_registering_part_of_the_list_by_choice_or_counter_and_refusals_stay_provisional() -> None:
    _, ids = family()
    _, others = family()
    first = enter_move([ids[0], ids[1], ids[2], ids[3]], "prov-a", branch="本庁")
    second = enter_move(others, "prov-b", branch="神田支所")
    bad = enter_move(others, "prov-c", address="千代田区二番町2番", branch="神田支所")  # same people, same address
    assert [e.id for e in provisional.pending(branch="神田支所")] == [second.id, bad.id]
    outcomes = provisional.register([e.id for e in provisional.pending(branch="神田支所")], move_runner)
    assert [o.registered for o in outcomes] == [True, False]
    assert {e.code for e in outcomes[1].errors} == {"same_address"}
    kept = ProvisionalEntry.objects.get(id=bad.id)
    assert kept.status == "provisional" and kept.problems[0]["code"] == "same_address"  # shown in the list
    assert ProvisionalEntry.objects.get(id=first.id).status == "provisional"  # another counter's entry untouched
    provisional.withdraw(bad.id)
    assert ProvisionalEntry.objects.get(id=bad.id).status == "withdrawn"
    with pytest.raises(ProcedureError) as err:
        provisional.withdraw(bad.id)
    assert codes(err) == {"withdrawn"}
    with pytest.raises(ProcedureError) as err:
        provisional.register([], move_runner)
    assert codes(err) == {"required"}
    with override_settings(KIBAN_PROVISIONAL_BULK_LIMIT=1), pytest.raises(ProcedureError) as err:
        provisional.register([first.id, bad.id], move_runner)  # 全部本登録 is capped
    assert codes(err) == {"too_many"}
    assert provisional.register([10**9], move_runner)[0].errors[0].code == "not_found"
    with pytest.raises(ProcedureError) as err:
        provisional.enter(procedure="move-within", label="転居", request_id="", data={}, summary="")
    assert codes(err) == {"invalid"}
