"""The counter (窓口) pages: search, a person's record, and the procedure wizards (enter → confirm → done).

A wizard's last step keeps a provisional entry (仮登録, 標準仕様書 4.0.8); the register changes when a supervisor
registers it (本登録) from the list: ``_record`` then ``_register``."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kiban.apps.residents.models import Procedure, ProvisionalEntry, Resident
from kiban.platform.tenants.context import tenant_context
from kiban.standard.era import format_date
from tests.apps.residents.counter_helpers import _errors_next_to, _register, _state

BASE = "/staff/residents/procedures"


def _start(client: Client, slug: str, **query: Any) -> str:
    page = client.get(f"{BASE}/{slug}/", query)
    assert page.status_code == 200, page.content.decode()[:1000]
    return _state(page)


def _enter(client: Client, slug: str, data: dict[str, Any], **query: Any) -> Any:
    """Step 1 → the confirmation page (or step 1 again with errors)."""
    return client.post(f"{BASE}/{slug}/", {"state": _start(client, slug, **query), "action": "next", **data})


def _record(client: Client, confirm: Any) -> Any:
    """The confirmation's last button: 仮登録 (the register does not change yet)."""
    return client.post(confirm.request["PATH_INFO"], {"state": _state(confirm), "action": "record"})


def _procedures(tenant: Any) -> int:
    with tenant_context(tenant.code):
        return Procedure.objects.count()


MOVE_IN = {
    "effective_on": "R6.4.1",
    "notified_on": "2024-04-05",
    "origin": "abroad",
    "address": "東京都千代田区千代田2番2号",
    "building": "千代田ハイツ101",
    "persons-TOTAL_FORMS": "2",
    "persons-INITIAL_FORMS": "0",
    "persons-MIN_NUM_FORMS": "1",
    "persons-MAX_NUM_FORMS": "20",
    "persons-0-family_name": "佐藤",
    "persons-0-given_name": "一郎",
    "persons-0-family_name_kana": "さとう",  # hiragana is accepted and stored in katakana
    "persons-0-given_name_kana": "イチロウ",
    "persons-0-birth_date": "S55.1.2",
    "persons-0-sex": "1",
    "persons-0-relationship": "世帯主",
    "persons-0-kind": "japanese",
    "persons-1-family_name": "佐藤",
    "persons-1-given_name": "花",
    "persons-1-family_name_kana": "サトウ",
    "persons-1-given_name_kana": "ハナ",
    "persons-1-birth_date": "平成27年3月3日",
    "persons-1-sex": "2",
    "persons-1-relationship": "子",
    "persons-1-kind": "japanese",
}


# --- Search and the record ---------------------------------------------------------------------------------


def test_search_takes_era_dates_marks_nothing_without_purpose_and_links_each_result(
    clerk: Client, tenant_a: Any, make_resident: Any
) -> None:
    person = make_resident(tenant_a, "ヤマダ", birth_date=date(1980, 4, 2))
    make_resident(tenant_a, "ヤマモト", birth_date=date(1990, 1, 1))
    page = clerk.get("/staff/residents/")
    assert page.status_code == 200 and "autofocus" in page.content.decode()
    refused = clerk.get("/staff/residents/", {"kana": "ヤマ", "purpose": ""})
    assert refused.status_code == 400 and "This item is required" in _errors_next_to(refused, "id_purpose")
    found = clerk.get("/staff/residents/", {"kana": "やま", "birth_date": "S55.4.2", "purpose": "住民票の写しの交付"})
    html = found.content.decode()
    assert found.status_code == 200 and "検索結果 1件" in html and "昭和55年4月2日" in html
    assert f'href="/staff/residents/{person.id}/?purpose=' in html


def test_search_refuses_an_unreadable_date_next_to_the_field(clerk: Client) -> None:
    page = clerk.get("/staff/residents/", {"kana": "ヤマ", "birth_date": "R6.13.1", "purpose": "確認"})
    assert page.status_code == 400 and "13月はありません" in _errors_next_to(page, "id_birth_date")


def test_search_marks_persons_under_a_support_measure(clerk: Client, tenant_a: Any, make_resident: Any) -> None:
    from kiban.apps.residents import support

    person = make_resident(tenant_a, "ヤマダ")
    with tenant_context(tenant_a.code):
        support.apply(person.id, requested_by="本人")
    page = clerk.get("/staff/residents/", {"kana": "ヤマダ", "purpose": "確認"})
    assert 'class="badge-protected"' in page.content.decode()


def test_the_record_shows_household_members_history_and_procedures(
    clerk: Client, supervisor: Client, tenant_a: Any, make_resident: Any
) -> None:
    confirm = _enter(clerk, "move-in", MOVE_IN)
    _record(clerk, confirm)
    _register(supervisor)
    with tenant_context(tenant_a.code):
        head = Resident.objects.get(given_name="一郎")
    page = clerk.get(f"/staff/residents/{head.id}/", {"purpose": "確認"})
    html = page.content.decode()
    assert "世帯員" in html and "佐藤 花" in html and "国外転入等" in html and "令和6年4月1日" in html
    assert f"{BASE}/move-out/?household={head.household_id}" in html
    assert "/correction/" not in html  # the clerk is offered no authority action
    asked = clerk.get(f"/staff/residents/{head.id}/")
    assert asked.status_code == 200 and "利用目的の入力" in asked.content.decode()


# --- Move-in -----------------------------------------------------------------------------------------------


def test_move_in_of_two_persons_enter_confirm_done(clerk: Client, supervisor: Client, tenant_a: Any) -> None:
    confirm = _enter(clerk, "move-in", MOVE_IN)
    html = confirm.content.decode()
    assert confirm.status_code == 200 and "の確認" in html, html[:3000]
    assert "令和6年4月1日" in html and "2024-04-01" not in html  # 和暦 only (標準仕様書 1.1.9, j90)
    assert "平成27年3月3日" in html and "2人目" in html
    assert _procedures(tenant_a) == 0  # confirming writes nothing
    done = _record(clerk, confirm)
    assert done.status_code == 302
    page = clerk.get(done["Location"])
    html = page.content.decode()
    assert "を仮登録しました" in html and "まだ住民票には記載されていません" in html and "data-print" in html
    assert 'id="entry-id"' in html and "/staff/residents/provisional/" in html
    assert "届出期間経過" not in html
    assert _procedures(tenant_a) == 0  # 仮登録: not in the register
    with tenant_context(tenant_a.code):
        assert Resident.objects.count() == 0
    registered = _register(supervisor).content.decode()
    assert "本登録しました" in registered
    with tenant_context(tenant_a.code):
        people = list(Resident.objects.order_by("id"))
        assert [p.family_name_kana for p in people] == ["サトウ", "サトウ"]
        assert people[0].household_id == people[1].household_id
        number = re.search(r'class="procedure-id">(\d+)', registered)
        assert number and Procedure.objects.get().id == int(number.group(1))


def test_an_unnotified_move_in_marks_the_previous_address_and_notes_it(
    clerk: Client, supervisor: Client, tenant_a: Any
) -> None:
    """未届転入 (標準仕様書 4.1.1.4, j620): 前住所 with 「（未届）」, a 留意事項 on the move-in's entry, and the
    最終登録住所地 kept as data only."""
    data = {**MOVE_IN, "origin": "domestic", "previous_address": "大阪市北区梅田1丁目1番", "unnotified": "on",
            "last_registered_address": "横浜市中区本町1丁目1番", "persons-0-resident_code": "12345678901",
            "persons-1-resident_code": "12345678902"}  # fmt: skip
    refused = _record(clerk, _enter(clerk, "move-in", {**data, "origin": "abroad"}))
    assert refused.status_code == 200 and "未届転入は国内からの転入です" in refused.content.decode()  # not kept
    confirm = _enter(clerk, "move-in", data)
    assert "未届転入" in confirm.content.decode() and "横浜市中区本町" in confirm.content.decode()
    assert _record(clerk, confirm).status_code == 302
    _register(supervisor)
    with tenant_context(tenant_a.code):
        person = Resident.objects.order_by("id").first()
        assert person is not None and person.previous_address == "大阪市北区梅田1丁目1番（未届）"
        procedure = Procedure.objects.get()
        assert procedure.payload["last_registered_address"] == "横浜市中区本町1丁目1番"
    record = supervisor.get(f"/staff/residents/{person.id}/", {"purpose": "確認"}).content.decode()
    assert "留意事項: 未届転入　転入前住所（未届）　大阪市北区梅田1丁目1番" in record
    assert "横浜市中区本町" not in record  # not an item of the record


def test_a_move_within_by_authority_is_marked_and_never_late(
    clerk: Client, supervisor: Client, tenant_a: Any, family: dict[str, Any]
) -> None:
    """届出の準用 (標準仕様書 4.2.0.2, j760) at the counter: the wizard's 職権 box."""
    data = {"effective_on": _notified(60), "notified_on": _notified(), "address": "東京都千代田区九段南1丁目2番1号",
            "resident_ids": [family["head"].id, family["child"].id], "by_authority": "on"}  # fmt: skip
    confirm = _enter(clerk, "move-within", data, household=family["household"])
    assert "職権で行う" in confirm.content.decode()
    assert _record(clerk, confirm).status_code == 302
    registered = _register(supervisor).content.decode()
    assert "届出期間経過" not in registered
    with tenant_context(tenant_a.code):
        assert Procedure.objects.order_by("-id").values_list("flags", flat=True)[0] == ["by_authority"]
    record = clerk.get(f"/staff/residents/{family['head'].id}/", {"purpose": "確認"}).content.decode()
    assert "職権による（届出なし）" in record


def test_a_late_move_in_is_recorded_with_the_warning(clerk: Client, supervisor: Client, tenant_a: Any) -> None:
    confirm = _enter(clerk, "move-in", {**MOVE_IN, "effective_on": "R6.4.1", "notified_on": "R6.5.1"})
    page = clerk.get(_record(clerk, confirm)["Location"])
    assert "⚠ 届出期間経過" in page.content.decode()  # known at 仮登録 already
    assert "⚠ 届出期間経過" in _register(supervisor).content.decode()
    with tenant_context(tenant_a.code):
        assert Procedure.objects.get().flags == ["late_notification"]


def test_a_confirmation_submitted_twice_records_one_procedure(clerk: Client, supervisor: Client, tenant_a: Any) -> None:
    confirm = _enter(clerk, "move-in", MOVE_IN)
    first = _record(clerk, confirm)
    second = _record(clerk, confirm)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert "既に仮登録されていました" in clerk.get(second["Location"]).content.decode()
    with tenant_context(tenant_a.code):
        assert ProvisionalEntry.objects.count() == 1
    _register(supervisor)
    assert _procedures(tenant_a) == 1
    with tenant_context(tenant_a.code):
        assert Resident.objects.count() == 2
    third = _record(clerk, confirm)  # after 本登録: the same page, nothing new
    assert third.status_code == 302 and "既に本登録されています" in clerk.get(third["Location"]).content.decode()
    assert _procedures(tenant_a) == 1


def test_an_unreadable_era_date_is_shown_next_to_the_field(clerk: Client, tenant_a: Any) -> None:
    page = _enter(clerk, "move-in", {**MOVE_IN, "effective_on": "H31.5.1", "persons-1-birth_date": "X9.9.9"})
    assert page.status_code == 200 and "入力" in page.content.decode()
    assert "平成は2019年4月30日で終わりました" in _errors_next_to(page, "id_effective_on")
    assert "Heisei era ended" in _errors_next_to(page, "id_effective_on")
    assert "元号として使えません" in _errors_next_to(page, "id_persons-1-birth_date")
    assert _procedures(tenant_a) == 0


def test_missing_kana_is_shown_next_to_the_field_and_nothing_is_written(clerk: Client, tenant_a: Any) -> None:
    page = _enter(clerk, "move-in", {**MOVE_IN, "persons-1-given_name_kana": ""})
    assert "This item is required" in _errors_next_to(page, "id_persons-1-given_name_kana")
    not_kana = _enter(clerk, "move-in", {**MOVE_IN, "persons-1-given_name_kana": "Hana"})
    confirm_or_entry = not_kana.content.decode()
    assert "の確認" in confirm_or_entry  # the form accepts text; the service checks katakana at recording
    refused = _record(clerk, not_kana)
    assert refused.status_code == 200
    assert "名カナはカタカナで入力してください" in _errors_next_to(refused, "id_persons-1-given_name_kana")
    assert "Enter the given name in kana in katakana." in _errors_next_to(refused, "id_persons-1-given_name_kana")
    assert _procedures(tenant_a) == 0


def test_two_householders_are_refused_above_the_persons(clerk: Client, tenant_a: Any) -> None:
    confirm = _enter(clerk, "move-in", {**MOVE_IN, "persons-1-relationship": "世帯主"})
    refused = _record(clerk, confirm)
    html = refused.content.decode()
    assert refused.status_code == 200 and "世帯主は1世帯に1人です" in html
    assert html.index("世帯主は1世帯に1人です") < html.index('id="id_persons-0-family_name"')
    assert _procedures(tenant_a) == 0
    with tenant_context(tenant_a.code):
        assert Resident.objects.count() == 0


def test_a_future_date_of_change_is_refused_next_to_the_field(clerk: Client, tenant_a: Any) -> None:
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    confirm = _enter(clerk, "move-in", {**MOVE_IN, "effective_on": tomorrow, "notified_on": tomorrow})
    refused = _record(clerk, confirm)
    assert "異動日が未来の日付です" in _errors_next_to(refused, "id_effective_on")
    assert "届出日が未来の日付です" in _errors_next_to(refused, "id_notified_on")
    assert _procedures(tenant_a) == 0


def test_add_a_person_keeps_what_was_typed(clerk: Client) -> None:
    data = {**MOVE_IN, "persons-TOTAL_FORMS": "1", "action": "add-person"}
    page = clerk.post(f"{BASE}/move-in/", {**data, "state": _start(clerk, "move-in")})
    html = page.content.decode()
    assert 'name="persons-1-family_name"' in html and 'value="佐藤"' in html and 'class="errorlist' not in html


def test_back_from_the_confirmation_keeps_the_entries(clerk: Client) -> None:
    confirm = _enter(clerk, "move-in", MOVE_IN)
    back = clerk.post(confirm.request["PATH_INFO"], {"state": _state(confirm), "action": "back"})
    assert 'value="千代田ハイツ101"' in back.content.decode()


def test_a_tampered_state_is_refused(clerk: Client, tenant_a: Any) -> None:
    confirm = _enter(clerk, "move-in", MOVE_IN)
    state = _state(confirm)
    forged = clerk.post(f"{BASE}/move-in/", {"state": state[:-2] + "xx", "action": "record"})
    assert forged.status_code == 400
    other_wizard = clerk.post(f"{BASE}/birth/", {"state": state, "action": "record"})
    assert other_wizard.status_code == 400
    assert _procedures(tenant_a) == 0


# --- Procedures on a household ------------------------------------------------------------------------------


@pytest.fixture
def family(clerk: Client, supervisor: Client, tenant_a: Any) -> dict[str, Any]:
    _record(clerk, _enter(clerk, "move-in", MOVE_IN))
    _register(supervisor)
    with tenant_context(tenant_a.code):
        head = Resident.objects.get(given_name="一郎")
        child = Resident.objects.get(given_name="花")
    return {"household": head.household_id, "head": head, "child": child}


def _notified(days_ago: int = 0) -> str:
    return (timezone.localdate() - timedelta(days=days_ago)).isoformat()


def test_move_within(clerk: Client, supervisor: Client, tenant_a: Any, family: dict[str, Any]) -> None:
    data = {"effective_on": _notified(3), "notified_on": _notified(), "address": "東京都千代田区九段南1丁目2番1号",
            "resident_ids": [family["head"].id, family["child"].id]}  # fmt: skip
    confirm = _enter(clerk, "move-within", data, household=family["household"])
    assert "九段南" in confirm.content.decode()
    assert _record(clerk, confirm).status_code == 302
    _register(supervisor)
    with tenant_context(tenant_a.code):
        assert Resident.objects.get(id=family["child"].id).household.address == "東京都千代田区九段南1丁目2番1号"


def test_move_out_of_the_householder_names_the_new_one(
    clerk: Client, supervisor: Client, tenant_a: Any, family: dict[str, Any]
) -> None:
    data = {"effective_on": _notified(), "notified_on": _notified(), "destination_address": "大阪府大阪市北区1-1",
            "resident_ids": [family["head"].id]}  # fmt: skip
    assert _record(clerk, _enter(clerk, "move-out", data, household=family["household"])).status_code == 302
    _register(supervisor)
    with tenant_context(tenant_a.code):
        assert Resident.objects.get(id=family["head"].id).status == Resident.Status.REMOVED
        assert Resident.objects.get(id=family["child"].id).relationship == "世帯主"  # the one remaining member


def test_birth(clerk: Client, supervisor: Client, tenant_a: Any, family: dict[str, Any]) -> None:
    data = {"birth_date": _notified(2), "notified_on": _notified(), "family_name": "佐藤", "given_name": "次郎",
            "family_name_kana": "サトウ", "given_name_kana": "ジロウ", "sex": "1", "relationship": "子"}  # fmt: skip
    entry = clerk.get(f"{BASE}/birth/", {"household": family["household"]})
    assert 'value="佐藤"' in entry.content.decode()  # the householder's family name as a start
    assert _record(clerk, _enter(clerk, "birth", data, household=family["household"])).status_code == 302
    _register(supervisor)
    with tenant_context(tenant_a.code):
        assert Resident.objects.get(given_name="次郎").household_id == family["household"]


def test_birth_before_the_household_existed_is_shown_next_to_the_date(
    clerk: Client, tenant_a: Any, family: dict[str, Any]
) -> None:
    data = {"birth_date": "2030-01-01", "notified_on": _notified(), "family_name": "佐藤", "given_name": "次郎",
            "family_name_kana": "サトウ", "given_name_kana": "ジロウ", "sex": "1", "relationship": "子"}  # fmt: skip
    refused = _record(clerk, _enter(clerk, "birth", data, household=family["household"]))
    assert "異動日が未来の日付です" in _errors_next_to(refused, "id_birth_date")
    assert _procedures(tenant_a) == 1  # the move-in of the fixture only


def test_death(clerk: Client, supervisor: Client, tenant_a: Any, family: dict[str, Any]) -> None:
    data = {"effective_on": _notified(1), "notified_on": _notified(), "resident_id": family["child"].id}
    assert _record(clerk, _enter(clerk, "death", data, household=family["household"])).status_code == 302
    _register(supervisor)
    with tenant_context(tenant_a.code):
        assert Resident.objects.get(id=family["child"].id).removal_reason == "死亡"


def test_the_household_shows_members_removed_by_death_and_by_move_out(
    clerk: Client, supervisor: Client, tenant_a: Any, family: dict[str, Any]
) -> None:
    """標準仕様書 3.3 (j430, 消除対象者記載): a household's screen also shows its members removed by a move-out or a
    death, with the date and the reason; a 転出 whose planned date has not come is not a removal yet."""
    from kiban.apps.residents.forms import display_date
    from kiban.platform.audit.models import AuditEntry

    head, child = family["head"], family["child"]
    before = clerk.get(f"/staff/residents/{head.id}/", {"purpose": "確認"}).content.decode()
    assert "消除された世帯員" not in before  # nobody removed yet
    data = {"effective_on": _notified(1), "notified_on": _notified(), "resident_id": child.id}
    assert _record(clerk, _enter(clerk, "death", data, household=family["household"])).status_code == 302
    _register(supervisor)
    page = clerk.get(f"/staff/residents/{head.id}/", {"purpose": "世帯の確認"}).content.decode()
    removed = page[page.index("消除された世帯員") :]
    removed = removed[: removed.index("</table>")]
    assert "佐藤 花" in removed and "死亡" in removed
    assert display_date(timezone.localdate() - timedelta(days=1)) in removed  # 消除日, as the counter writes dates
    with tenant_context(tenant_a.code):  # her record was opened for the page: audited with the purpose given
        assert AuditEntry.objects.filter(action="resident.read", object_id=str(child.id), purpose="世帯の確認").exists()

    planned = timezone.localdate() + timedelta(days=5)  # the householder leaves on a planned date still to come
    data = {"effective_on": planned.isoformat(), "notified_on": _notified(),
            "destination_address": "大阪府大阪市北区1-1", "resident_ids": [head.id]}  # fmt: skip
    assert _record(clerk, _enter(clerk, "move-out", data, household=family["household"])).status_code == 302
    _register(supervisor)
    page = clerk.get(f"/staff/residents/{head.id}/", {"purpose": "確認"}).content.decode()
    removed = page[page.index("消除された世帯員") :]
    assert "佐藤 一郎" not in removed[: removed.index("</table>")]  # still on the register until that date


def test_change_of_householder_and_a_doubled_householder(
    clerk: Client, supervisor: Client, tenant_a: Any, family: dict[str, Any]
) -> None:
    head, child = family["head"], family["child"]
    doubled = {"effective_on": _notified(), "notified_on": _notified(), f"rel_{head.id}": "世帯主",
               f"rel_{child.id}": "世帯主"}  # fmt: skip
    refused = _record(clerk, _enter(clerk, "householder", doubled, household=family["household"]))
    html = refused.content.decode()
    assert "世帯主は1世帯に1人です" in html and html.index("世帯主は1世帯に1人です") < html.index(
        f'id="id_rel_{head.id}"'
    )
    assert _procedures(tenant_a) == 1
    data = {**doubled, f"rel_{head.id}": "父"}
    assert _record(clerk, _enter(clerk, "householder", data, household=family["household"])).status_code == 302
    _register(supervisor)
    with tenant_context(tenant_a.code):
        assert Resident.objects.get(id=child.id).relationship == "世帯主"


def test_household_split(clerk: Client, supervisor: Client, tenant_a: Any, family: dict[str, Any]) -> None:
    child = family["child"]
    data = {"change": "split", "effective_on": _notified(), "notified_on": _notified(), "resident_ids": [child.id],
            f"rel_{child.id}": "世帯主"}  # fmt: skip
    assert _record(clerk, _enter(clerk, "household", data, household=family["household"])).status_code == 302
    _register(supervisor)
    with tenant_context(tenant_a.code):
        assert Resident.objects.get(id=child.id).household_id != family["household"]


def test_a_household_of_another_municipality_is_not_found(clerk: Client, tenant_b: Any, make_resident: Any) -> None:
    other = make_resident(tenant_b, "タナカ")
    page = clerk.get(f"{BASE}/move-out/", {"household": other.household_id})
    assert page.status_code == 400 and "見つかりません" in page.content.decode()


# --- Roles ----------------------------------------------------------------------------------------------------


def test_authority_actions_refuse_clerks_and_serve_supervisors(
    clerk: Client, supervisor: Client, tenant_a: Any, make_resident: Any
) -> None:
    person = make_resident(tenant_a, "ヤマダ")
    assert clerk.get(f"{BASE}/correction/", {"resident": person.id}).status_code == 403
    assert clerk.get(f"{BASE}/removal/", {"household": person.household_id}).status_code == 403
    assert clerk.post(f"{BASE}/correction/", {"state": "x"}).status_code == 403
    assert "職権修正" not in clerk.get(f"{BASE}/").content.decode()
    data = {"effective_on": _notified(), "notified_on": _notified(), "reason": "戸籍照会により訂正",
            "family_name": "山田", "given_name": "華子", "family_name_kana": "ヤマダ", "given_name_kana": "ハナコ",
            "birth_date": "S55.4.2", "sex": "2", "relationship": "世帯主",
            "domicile": "東京都千代田区千代田1番"}  # fmt: skip
    confirm = _enter(supervisor, "correction", data, resident=person.id)
    html = confirm.content.decode()
    assert "華子" in html and "ハナコ" not in html  # only what changes is confirmed
    assert _record(supervisor, confirm).status_code == 302
    _register(supervisor)
    with tenant_context(tenant_a.code):
        assert Resident.objects.get(id=person.id).given_name == "華子"


def test_an_authority_removal_on_an_application_shows_so_in_the_history(
    supervisor: Client, tenant_a: Any, make_resident: Any
) -> None:
    """標準仕様書 4.2.0.5 (j790): the wizard's 申出 box, the 届出日 field as the 申出日 (today at first)."""
    person = make_resident(tenant_a, "ヤマダ")
    start = supervisor.get(f"{BASE}/removal/", {"household": person.household_id}).content.decode()
    today = format_date(timezone.localdate(), style="short")
    assert "申出を受けて行う" in start and f'name="notified_on" value="{today}"' in start  # 申出日: today at first
    data = {"effective_on": _notified(), "notified_on": _notified(2), "resident_ids": [person.id],
            "reason": "本人の申出により居住の実態なし", "on_application": "on"}  # fmt: skip
    confirm = _enter(supervisor, "removal", data, household=person.household_id)
    assert "申出を受けて行う" in confirm.content.decode()
    assert _record(supervisor, confirm).status_code == 302
    _register(supervisor)
    record = supervisor.get(f"/staff/residents/{person.id}/", {"purpose": "確認"}).content.decode()
    assert "申出による職権記載等" in record


def test_pages_need_a_signed_in_staff_member(client: Client, tenant_a: Any) -> None:
    assert client.get(f"{BASE}/move-in/").status_code == 302
