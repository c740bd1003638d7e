"""仮登録・本登録 at the counter (標準仕様書 4.0.8 審査・決裁, j530): a wizard's last step keeps a provisional entry;
the list (仮登録一覧) registers (本登録, supervisors only), withdraws (取消) or reopens (修正) it."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from kiban.apps.residents.models import Procedure, ProvisionalEntry, Resident
from kiban.platform.tenants.context import tenant_context
from tests.apps.residents.counter_helpers import _state, _today

BASE = "/staff/residents"
PROCEDURES = f"{BASE}/procedures"
LIST = f"{BASE}/provisional/"


def _move_within(client: Client, person: Resident, address: str, start: Any = None) -> Any:
    """転居届 through the wizard to 仮登録; the answer of the last step (a redirect to the done page)."""
    url = f"{PROCEDURES}/move-within/"
    start = start or client.get(url, {"household": person.household_id})
    data = {"effective_on": _today(-1), "notified_on": _today(), "address": address, "resident_ids": [person.id]}
    confirm = client.post(url, {"state": _state(start), "action": "next", **data})
    assert "の確認" in confirm.content.decode(), confirm.content.decode()[:3000]
    return client.post(url, {"state": _state(confirm), "action": "record"})


def _entries(tenant: Any, **filters: Any) -> list[ProvisionalEntry]:
    with tenant_context(tenant.code):
        return list(ProvisionalEntry.objects.filter(**filters).order_by("id"))


def _address(tenant: Any, person: Resident) -> str:
    with tenant_context(tenant.code):
        return str(Resident.objects.select_related("household").get(id=person.id).household.address)


def test_an_entry_waits_in_the_list_and_changes_the_register_only_when_registered(
    clerk: Client, supervisor: Client, tenant_a: Any, person: Resident
) -> None:
    done = _move_within(clerk, person, "東京都千代田区二番町2番")
    assert done.status_code == 302
    page = clerk.get(done["Location"]).content.decode()
    assert "仮登録です。まだ住民票には記載されていません" in page and f'href="{LIST}"' in page
    (entry,) = _entries(tenant_a)
    assert (entry.status, entry.branch, entry.procedure_kind, entry.resident_ids) == (
        "provisional", "本庁", "move-within", [person.id],
    )  # fmt: skip
    assert _address(tenant_a, person) == "東京都千代田区千代田1番1号"  # not yet in the register
    listed = clerk.get(LIST).content.decode()
    assert "転居届" in listed and "二番町2番" in listed and "本庁" in listed and f'value="{entry.id}"' in listed
    assert 'value="register"' not in listed  # clerks cannot register
    shown = supervisor.get(LIST).content.decode()
    assert 'value="register"' in shown and 'value="register-all"' in shown
    registered = supervisor.post(LIST, {"action": "register", "entry": [entry.id], "shown_branch": ""})
    assert registered.status_code == 302
    result = supervisor.get(registered["Location"]).content.decode()
    assert "本登録しました" in result
    assert _address(tenant_a, person) == "東京都千代田区二番町2番"
    with tenant_context(tenant_a.code):
        procedure = Procedure.objects.get(request_id=entry.request_id)
        assert ProvisionalEntry.objects.get(id=entry.id).procedure_id == procedure.id
    assert f'class="procedure-id">{procedure.id}<' in result
    assert f'value="{entry.id}"' not in supervisor.get(LIST).content.decode()  # no longer provisional


def test_a_clerk_cannot_register(clerk: Client, tenant_a: Any, person: Resident) -> None:
    _move_within(clerk, person, "東京都千代田区二番町2番")
    (entry,) = _entries(tenant_a)
    for action in ("register", "register-all"):
        assert clerk.post(LIST, {"action": action, "entry": [entry.id], "shown_branch": ""}).status_code == 403
    assert _entries(tenant_a)[0].status == "provisional"
    assert _address(tenant_a, person) == "東京都千代田区千代田1番1号"


def test_a_withdrawn_entry_leaves_the_list_and_the_register_as_it_was(
    clerk: Client, supervisor: Client, tenant_a: Any, person: Resident
) -> None:
    _move_within(clerk, person, "東京都千代田区二番町2番")
    (entry,) = _entries(tenant_a)
    nothing = clerk.post(LIST, {"action": "withdraw", "shown_branch": ""})
    assert nothing.status_code == 400 and "取り消す仮登録を選んでください" in nothing.content.decode()
    withdrawn = clerk.post(LIST, {"action": "withdraw", "entry": [entry.id], "shown_branch": ""})
    assert withdrawn.status_code == 302
    assert "1件の仮登録を取り消しました" in clerk.get(withdrawn["Location"]).content.decode()
    assert _entries(tenant_a)[0].status == "withdrawn"
    again = supervisor.post(LIST, {"action": "register", "entry": [entry.id], "shown_branch": ""})
    assert "既に本登録又は取消済みです" in supervisor.get(again["Location"]).content.decode()
    assert _address(tenant_a, person) == "東京都千代田区千代田1番1号"
    with tenant_context(tenant_a.code):
        assert not Procedure.objects.filter(request_id=entry.request_id).exists()


def test_a_correction_reopens_the_wizard_with_the_entry_and_replaces_it(
    clerk: Client, supervisor: Client, tenant_a: Any, person: Resident
) -> None:
    _move_within(clerk, person, "東京都千代田区二番町2番")
    (entry,) = _entries(tenant_a)
    listed = clerk.get(LIST).content.decode()
    edit = f"{PROCEDURES}/move-within/?entry={entry.id}"
    assert edit in listed
    reopened = clerk.get(edit)
    html = reopened.content.decode()
    assert reopened.status_code == 200 and 'value="東京都千代田区二番町2番"' in html and "仮登録の修正です" in html
    assert "同じ方の仮登録" not in html  # the entry being corrected is no warning
    clerk.post(LIST, {"action": "set-branch", "counter-branch": "神田支所", "shown_branch": ""})
    done = _move_within(clerk, person, "東京都千代田区三番町3番", start=reopened)
    assert "仮登録を修正しました" in clerk.get(done["Location"]).content.decode()
    (corrected,) = _entries(tenant_a)
    assert corrected.id == entry.id and corrected.request_id == entry.request_id
    assert corrected.branch == "本庁"  # where it was entered, whoever corrects it
    assert corrected.data["address"] == ["東京都千代田区三番町3番"]
    supervisor.post(LIST, {"action": "register-all", "shown_branch": ""})
    assert _address(tenant_a, person) == "東京都千代田区三番町3番"
    assert clerk.get(edit).status_code == 404  # registered: nothing to correct


def test_a_refused_registration_keeps_the_entry_with_its_problem_shown(
    clerk: Client, supervisor: Client, tenant_a: Any, person: Resident
) -> None:
    _move_within(clerk, person, "東京都千代田区二番町2番")
    second = clerk.get(f"{PROCEDURES}/move-within/", {"household": person.household_id})
    assert "同じ方の仮登録が本登録を待っています" in second.content.decode()  # warned before entering another
    _move_within(clerk, person, "東京都千代田区二番町2番", start=second)  # checked against the register of now: OK
    assert len(_entries(tenant_a)) == 2
    result = supervisor.post(LIST, {"action": "register-all", "shown_branch": ""})
    page = supervisor.get(result["Location"]).content.decode()
    assert "本登録しました" in page and "本登録できませんでした" in page
    assert [e.status for e in _entries(tenant_a)] == ["registered", "provisional"]
    kept = _entries(tenant_a)[1]
    assert kept.problems and kept.problems[0]["code"] == "same_address"
    listed = supervisor.get(LIST).content.decode()
    assert f'aria-describedby="problems-{kept.id}"' in listed and kept.problems[0]["message"] in listed


def test_registering_all_is_capped_and_the_cap_is_shown(
    clerk: Client, supervisor: Client, tenant_a: Any, make_resident: Any
) -> None:
    one, two = make_resident(tenant_a, "ヤマダ"), make_resident(tenant_a, "スズキ", family_name="鈴木")
    _move_within(clerk, one, "東京都千代田区二番町2番")
    _move_within(clerk, two, "東京都千代田区三番町3番")
    with override_settings(KIBAN_PROVISIONAL_BULK_LIMIT=1):
        refused = supervisor.post(LIST, {"action": "register-all", "shown_branch": ""})
        assert refused.status_code == 400 and "一度に本登録できるのは1件までです" in refused.content.decode()
        assert [e.status for e in _entries(tenant_a)] == ["provisional", "provisional"]
        chosen = supervisor.post(LIST, {"action": "register", "entry": [_entries(tenant_a)[0].id], "shown_branch": ""})
        assert chosen.status_code == 302
    assert [e.status for e in _entries(tenant_a)] == ["registered", "provisional"]
    none = supervisor.post(LIST, {"action": "register", "shown_branch": ""})
    assert none.status_code == 400 and "本登録する仮登録を選んでください" in none.content.decode()


def test_the_counter_s_branch_is_kept_with_its_entries_and_filters_the_list(
    clerk: Client, supervisor: Client, tenant_a: Any, make_resident: Any
) -> None:
    one, two = make_resident(tenant_a, "ヤマダ"), make_resident(tenant_a, "スズキ", family_name="鈴木")
    with override_settings(KIBAN_COUNTER_BRANCH="神田支所"):
        _move_within(clerk, one, "東京都千代田区二番町2番")
    blank = clerk.post(LIST, {"action": "set-branch", "counter-branch": "", "shown_branch": ""})
    assert blank.status_code == 400 and "This item is required" in blank.content.decode()
    chosen = clerk.post(LIST, {"action": "set-branch", "counter-branch": "麹町出張所", "shown_branch": ""})
    assert chosen.status_code == 302
    _move_within(clerk, two, "東京都千代田区三番町3番")
    assert [e.branch for e in _entries(tenant_a)] == ["神田支所", "麹町出張所"]
    own = clerk.get(LIST).content.decode()  # the counter's own branch by default
    assert "三番町" in own and "二番町" not in own
    every = clerk.get(LIST, {"branch": ""}).content.decode()
    assert "三番町" in every and "二番町" in every
    supervisor.post(LIST, {"action": "register-all", "shown_branch": "神田支所"})
    assert [e.status for e in _entries(tenant_a)] == ["registered", "provisional"]


def test_the_list_reads_a_fixed_number_of_queries(
    clerk: Client, supervisor: Client, tenant_a: Any, make_resident: Any
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert supervisor.get(LIST, {"branch": ""}).status_code == 200
        return len(queries)

    _move_within(clerk, make_resident(tenant_a, "ヤマダ"), "東京都千代田区二番町2番")
    few = count()
    for kana in ("スズキ", "サトウ", "タナカ"):
        _move_within(clerk, make_resident(tenant_a, kana), "東京都千代田区三番町3番")
    assert count() == few
