"""入力場所・入力端末 (標準仕様書 1.3.1, j230): supervisors register the places where the registry is used and their
terminals; a counter's browser is told which terminal it is, its place becomes the 入力支所 of what it enters, the
certificates it issues record the place and the terminal, and at a designated city's ward office the ward's 区長
certifies."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kiban.apps.residents import places
from kiban.apps.residents.models import Certificate, InputPlace, InputTerminal, ProvisionalEntry, Resident
from kiban.apps.residents.validation import ProcedureError
from kiban.platform.tenants.context import tenant_context
from tests.apps.residents.counter_helpers import _state

PAGE = "/staff/residents/input-places/"
LIST = "/staff/residents/provisional/"


def _codes(err: pytest.ExceptionInfo[ProcedureError]) -> set[str]:
    return {e.code for e in err.value.errors}


def test_places_and_terminals_refused_without_writing(tenant_a: Any) -> None:
    with tenant_context(tenant_a.code):
        honcho = places.save_place(code="01", name="本庁", kind="main_office")
        cases: list[tuple[dict[str, Any], str]] = [
            ({"code": "", "name": "支所", "kind": "branch"}, "invalid"),
            ({"code": "01", "name": "支所", "kind": "branch"}, "duplicate"),
            ({"code": "02", "name": "", "kind": "branch"}, "invalid"),
            ({"code": "02", "name": "支所", "kind": "castle"}, "invalid"),
            ({"code": "02", "name": "北区役所", "kind": "ward_office"}, "required"),  # a ward office needs its ward
            ({"code": "02", "name": "北区役所", "kind": "ward_office", "ward_code": "271276"}, "not_a_ward"),
        ]
        for values, code in cases:
            with pytest.raises(ProcedureError) as err:
                places.save_place(**values)
            assert code in _codes(err), (values, _codes(err))
        window = places.save_terminal(code="T01", name="1番窓口", place_id=honcho.id)
        for values, code in (({"code": "T01", "name": "2番", "place_id": honcho.id}, "duplicate"),
                             ({"code": "T02", "name": "2番", "place_id": 999_999}, "not_found")):  # fmt: skip
            with pytest.raises(ProcedureError) as err:
                places.save_terminal(**values)
            assert code in _codes(err)
        with pytest.raises(ProcedureError) as err:  # its terminal first
            places.retire(InputPlace, honcho.id, timezone.localdate())
        assert _codes(err) == {"in_use"}
        with pytest.raises(ProcedureError) as err:
            places.retire(InputTerminal, window.id, timezone.localdate() + datetime.timedelta(days=1))
        assert _codes(err) == {"future_date"}
        places.retire(InputTerminal, window.id, timezone.localdate())
        places.retire(InputPlace, honcho.id, timezone.localdate())
        with pytest.raises(ProcedureError) as err:  # no terminal at a retired place
            places.save_terminal(code="T09", name="9番", place_id=honcho.id)
        assert _codes(err) == {"not_found"}
        assert InputPlace.objects.count() == InputTerminal.objects.count() == 1


def test_a_ward_office_of_a_designated_city(db: None) -> None:
    from kiban.platform.tenants.services import provision

    yokohama = provision("141003")  # 横浜市 (指定都市); 141011 is its 鶴見区
    with tenant_context(yokohama.code):
        office = places.save_place(code="11", name="鶴見区役所", kind="ward_office", ward_code="141011")
        terminal = places.save_terminal(code="TS1", name="鶴見区役所1番", place_id=office.id)
        counter = places.counter_of(places.terminal_cookie(terminal))
    assert counter == places.Counter("鶴見区役所", "鶴見区役所1番", "141011")


def test_a_counter_set_to_a_terminal_records_where(
    clerk: Client, supervisor: Client, tenant_a: Any, tenant_b: Any, person: Resident
) -> None:
    assert clerk.get(PAGE).status_code == 403  # supervisors register them
    assert (
        supervisor.post(
            PAGE, {"action": "save-place", "code": "02", "name": "麹町出張所", "kind": "sub_branch"}
        ).status_code
        == 302
    )
    with tenant_context(tenant_a.code):
        place = InputPlace.objects.get()
    saved = supervisor.post(PAGE, {"action": "save-terminal", "code": "K1", "name": "麹町1番窓口", "place": place.id})
    assert saved.status_code == 302
    refused = supervisor.post(PAGE, {"action": "save-terminal", "code": "K1", "name": "重複", "place": place.id})
    assert refused.status_code == 400 and "登録済み" in refused.content.decode()
    with tenant_context(tenant_a.code):
        terminal = InputTerminal.objects.get()

    # The clerk's browser is told it is that terminal; the place is its 入力支所 from then on.
    listed = clerk.get(LIST).content.decode()
    assert "麹町1番窓口" in listed and 'name="terminal"' in listed
    clerk.post(LIST, {"action": "set-terminal", "terminal": terminal.id, "shown_branch": ""})
    assert places.COOKIE in clerk.cookies
    assert "麹町1番窓口（麹町出張所）" in clerk.get(LIST).content.decode()
    start = clerk.get("/staff/residents/procedures/move-within/", {"household": person.household_id})
    data = {"effective_on": "R6.4.1", "notified_on": "R6.4.1", "address": "東京都千代田区二番町2番",
            "resident_ids": [person.id]}  # fmt: skip
    confirm = clerk.post("/staff/residents/procedures/move-within/", {"state": _state(start), "action": "next", **data})
    clerk.post("/staff/residents/procedures/move-within/", {"state": _state(confirm), "action": "record"})
    with tenant_context(tenant_a.code):
        assert ProvisionalEntry.objects.get().branch == "麹町出張所"

    # A certificate issued at this counter records the place and the terminal.
    url = f"/staff/residents/{person.id}/certificate/"
    request = {"kind": "resident_copy", "resident_ids": [person.id], "layout": "household", "items": [],
               "requester": "self", "requester_resident_id": person.id, "requester_name": "山田　花子",
               "purpose": "手続のため"}  # fmt: skip
    confirm = clerk.post(url, {"state": _state(clerk.get(url)), "action": "next", **request})
    assert clerk.post(url, {"state": _state(confirm), "action": "record"}).status_code == 302
    with tenant_context(tenant_a.code):
        assert list(Certificate.objects.values_list("place", "terminal")) == [("麹町出張所", "麹町1番窓口")]

    # A cookie naming a terminal retired since, or signed for another municipality, is no terminal.
    with tenant_context(tenant_b.code):
        assert places.counter_of(clerk.cookies[places.COOKIE].value) is None
    with tenant_context(tenant_a.code):
        places.retire(InputTerminal, terminal.id, timezone.localdate())
        assert places.counter_of(clerk.cookies[places.COOKIE].value) is None
        assert places.counter_of("forged") is None


def test_with_registered_places_the_branch_is_one_of_them(clerk: Client, tenant_a: Any) -> None:
    with tenant_context(tenant_a.code):
        places.save_place(code="01", name="本庁", kind="main_office")
    refused = clerk.post(LIST, {"action": "set-branch", "counter-branch": "どこか", "shown_branch": ""})
    assert refused.status_code == 400 and "登録された入力場所から選んでください" in refused.content.decode()
    assert clerk.post(LIST, {"action": "set-branch", "counter-branch": "本庁", "shown_branch": ""}).status_code == 302
