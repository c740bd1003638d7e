"""The counter: a record's history per 住民票 (j350), 転出予定 (j50), and the supervisors' wizards for 異動の取消し
(4.6.0.1, j980), 帰化・国籍取得・国籍喪失 (4.5.3–4.5.5), 住所の軽微な修正 and the 修正事由 of a correction (4.2.3.2)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from kiban.apps.residents import services
from kiban.apps.residents.models import Procedure, Resident
from kiban.platform.tenants.context import tenant_context
from kiban.standard.era import format_date
from tests.apps.residents.counter_helpers import _errors_next_to, _register, _state

BASE = "/staff/residents"
PROCEDURES = f"{BASE}/procedures"


def _today(days: int = 0) -> date:
    return timezone.localdate() + timedelta(days=days)


def _confirm(client: Client, slug: str, query: dict[str, Any], data: dict[str, Any]) -> Any:
    """Step 1 → the confirmation (or step 1 again, with the form's errors)."""
    url = f"{PROCEDURES}/{slug}/"
    start = client.get(url, query)
    assert start.status_code == 200, start.content.decode()[:2000]
    return client.post(url, {"state": _state(start), "action": "next", **data})


def _enter_and_register(client: Client, confirm: Any) -> Any:
    """仮登録, then 本登録 of all by the same supervisor; the last step's answer (step 1 again if refused)."""
    entered = client.post(confirm.request["PATH_INFO"], {"state": _state(confirm), "action": "record"})
    if entered.status_code == 302:
        assert "本登録しました" in _register(client).content.decode()
    return entered


def _run(tenant: Any, call: Any, **kwargs: Any) -> services.ProcedureResult:
    with tenant_context(tenant.code):
        result: services.ProcedureResult = call(**kwargs)
        return result


def _n(request_id: str, on: date, notified: date | None = None) -> services.Notification:
    return services.Notification(request_id, on, notified or on)


def _dates(on: date | None = None) -> dict[str, str]:
    day = on or _today()
    return {"effective_on": day.isoformat(), "notified_on": _today().isoformat()}


# --- the record: 住民票 one at a time, 転出予定, the undo link -----------------------------------------------------


def test_the_record_shows_the_current_records_history_and_links_to_the_earlier_one(
    supervisor: Client, tenant_a: Any, person: Resident
) -> None:
    _run(tenant_a, services.move_out, n=_n("out", date(2020, 3, 31), date(2020, 3, 20)), resident_ids=[person.id],
         destination_address="大阪府大阪市北区1番")  # fmt: skip
    with tenant_context(tenant_a.code):
        code = Resident.objects.get(id=person.id).resident_code
    back = services.PersonData(family_name="山田", given_name="花子", family_name_kana="ヤマダ",
                               given_name_kana="ハナコ", birth_date=date(1980, 4, 2), sex="2",
                               relationship="世帯主", resident_code=code)  # fmt: skip
    _run(tenant_a, services.move_in, n=_n("back", date(2024, 4, 1)), address=services.AddressData("千代田区2番"),
         persons=[back], previous_address="大阪府大阪市北区1番")  # fmt: skip
    html = supervisor.get(f"{BASE}/{person.id}/", {"purpose": "確認"}).content.decode()
    history = html[html.index('<table class="history">') :]
    assert "国内転入" in history and "国内転出" not in history and "令和6年4月1日" in history
    assert "以前の住民票 1" in html and "平成27年4月1日〜令和2年3月31日" in html
    assert "&amp;record=1" in html
    earlier = supervisor.get(f"{BASE}/{person.id}/", {"purpose": "確認", "record": "1"}).content.decode()
    history = earlier[earlier.index('<table class="history">') :]
    assert "国外転入等" in history and "国内転出" in history and "令和6年4月1日" not in history
    assert "（以前の住民票 1）" in earlier and "/procedures/cancel/" not in earlier  # no undo on an earlier 住民票
    assert 'aria-current="page">' in earlier and "現在の住民票</a>" in earlier
    unknown = supervisor.get(f"{BASE}/{person.id}/", {"purpose": "確認", "record": "9"}).content.decode()
    assert "以前の住民票 9" not in unknown and "令和6年4月1日" in unknown  # the current one


def test_a_person_whose_move_out_date_has_not_come_is_shown_as_moving_out(
    clerk: Client, tenant_a: Any, person: Resident, make_resident: Any
) -> None:
    planned = _today(10)
    _run(tenant_a, services.move_out, n=_n("out-later", planned, _today()), resident_ids=[person.id],
         destination_address="大阪府大阪市北区1番")  # fmt: skip
    html = clerk.get(f"{BASE}/{person.id}/", {"purpose": "確認"}).content.decode()
    assert "転出予定" in html and format_date(planned, style="long") in html
    assert 'class="badge-removed"' not in html and "住民票の写し・記載事項証明書の交付" in html
    dead = make_resident(tenant_a, "スズキ", family_name="鈴木")
    _run(tenant_a, services.death, n=_n("death", _today(-1)), resident_id=dead.id)
    html = clerk.get(f"{BASE}/{dead.id}/", {"purpose": "確認"}).content.decode()
    assert 'class="badge-removed"' in html and "転出予定" not in html and "除票の写しの交付" in html


def test_supervisors_are_offered_the_undo_of_the_last_procedure_of_the_current_record(
    clerk: Client, supervisor: Client, tenant_a: Any, person: Resident
) -> None:
    with tenant_context(tenant_a.code):
        move_in = Procedure.objects.get()
    moved = _run(tenant_a, services.move_within, n=_n("within", _today(-1)), resident_ids=[person.id],
                 address=services.AddressData("東京都千代田区二番町2番"))  # fmt: skip
    html = supervisor.get(f"{BASE}/{person.id}/", {"purpose": "確認"}).content.decode()
    assert f"{PROCEDURES}/cancel/?procedure={moved.procedure_id}" in html
    assert f"cancel/?procedure={move_in.id}" not in html  # a later change comes first
    assert "/procedures/cancel/" not in clerk.get(f"{BASE}/{person.id}/", {"purpose": "確認"}).content.decode()


# --- 異動の取消し ------------------------------------------------------------------------------------------------


def test_a_cancellation_goes_through_provisional_entry_and_restores_the_record(
    clerk: Client, supervisor: Client, tenant_a: Any, person: Resident
) -> None:
    moved = _run(tenant_a, services.move_within, n=_n("within", _today(-1)), resident_ids=[person.id],
                 address=services.AddressData("東京都千代田区二番町2番"))  # fmt: skip
    query = {"procedure": moved.procedure_id}
    assert clerk.get(f"{PROCEDURES}/cancel/", query).status_code == 403
    entry = supervisor.get(f"{PROCEDURES}/cancel/", query).content.decode()
    assert re.search(rf'<input type="checkbox" name="resident_ids" value="{person.id}"[^>]*checked', entry)
    no_reason = _confirm(supervisor, "cancel", query, {**_dates(), "resident_ids": [person.id], "reason": ""})
    assert "This item is required" in _errors_next_to(no_reason, "id_reason")
    confirm = _confirm(supervisor, "cancel", query, {**_dates(), "resident_ids": [person.id], "reason": "誤入力"})
    html = confirm.content.decode()
    assert "異動の取消しの確認" in html and f"処理番号 {moved.procedure_id}" in html and "転居" in html
    assert _enter_and_register(supervisor, confirm).status_code == 302
    with tenant_context(tenant_a.code):
        assert Resident.objects.get(id=person.id).household.address == "東京都千代田区千代田1番1号"
        assert Procedure.objects.filter(kind="異動の取消し（修正）").count() == 1


def test_a_cancellation_refused_by_the_registry_is_shown_and_nothing_is_entered(
    supervisor: Client, tenant_a: Any, person: Resident
) -> None:
    with tenant_context(tenant_a.code):
        move_in = Procedure.objects.get()
    _run(tenant_a, services.move_within, n=_n("within", _today(-1)), resident_ids=[person.id],
         address=services.AddressData("東京都千代田区二番町2番"))  # fmt: skip
    entry = supervisor.get(f"{PROCEDURES}/cancel/", {"procedure": move_in.id}).content.decode()
    assert not re.search(r'<input type="checkbox" name="resident_ids"[^>]*checked', entry)  # a later change first
    confirm = _confirm(supervisor, "cancel", {"procedure": move_in.id},
                       {**_dates(), "resident_ids": [person.id], "reason": "誤入力"})  # fmt: skip
    refused = supervisor.post(confirm.request["PATH_INFO"], {"state": _state(confirm), "action": "record"})
    assert refused.status_code == 200 and "後の異動から取り消してください" in refused.content.decode()
    assert "仮登録はありません" in supervisor.get(f"{BASE}/provisional/").content.decode()
    assert supervisor.get(f"{PROCEDURES}/cancel/", {"procedure": 10**9}).status_code == 400  # no such procedure


# --- 帰化・国籍取得・国籍喪失 ---------------------------------------------------------------------------------------


def test_naturalization_records_a_japanese_record_after_registration(
    clerk: Client, supervisor: Client, tenant_a: Any, foreigner: Resident
) -> None:
    query = {"resident": foreigner.id}
    assert clerk.get(f"{PROCEDURES}/nationality/", query).status_code == 403
    record = supervisor.get(f"{BASE}/{foreigner.id}/", {"purpose": "確認"}).content.decode()
    assert f"{PROCEDURES}/nationality/?resident={foreigner.id}" in record
    entry = supervisor.get(f"{PROCEDURES}/nationality/", query).content.decode()
    assert 'value="naturalization"' in entry and 'value="loss"' not in entry and 'name="domicile"' in entry
    data = {**_dates(), "cause": "naturalization", "family_name": "中村", "given_name": "明",
            "family_name_kana": "なかむら", "given_name_kana": "アキラ", "domicile": "",
            "domicile_head": "中村　明"}  # fmt: skip
    missing = supervisor.post(
        f"{PROCEDURES}/nationality/",
        {"state": _state(_confirm(supervisor, "nationality", query, data)), "action": "record"},
    )
    assert "本籍を入力してください" in _errors_next_to(missing, "id_domicile")
    confirm = _confirm(supervisor, "nationality", query, {**data, "domicile": "東京都千代田区神田1番"})
    assert "ナカムラ" in confirm.content.decode()
    assert _enter_and_register(supervisor, confirm).status_code == 302
    with tenant_context(tenant_a.code):
        r = Resident.objects.get(id=foreigner.id)
        assert (r.kind, r.family_name, r.family_name_kana, r.domicile) == (
            "japanese",
            "中村",
            "ナカムラ",
            "東京都千代田区神田1番",
        )
        assert r.residence_card_number == ""


def test_a_japanese_resident_is_offered_the_loss_of_nationality_only(supervisor: Client, person: Resident) -> None:
    entry = supervisor.get(f"{PROCEDURES}/nationality/", {"resident": person.id}).content.decode()
    assert 'value="loss"' in entry and 'value="naturalization"' not in entry
    assert 'value="経過滞在者"' in entry and 'name="domicile"' not in entry


# --- 住所の軽微な修正 and the 修正事由 of a correction -------------------------------------------------------------


def test_an_address_correction_rewrites_the_household_s_address_without_a_move(
    clerk: Client, supervisor: Client, tenant_a: Any, person: Resident
) -> None:
    query = {"household": person.household_id}
    assert clerk.get(f"{PROCEDURES}/address-correction/", query).status_code == 403
    entry = supervisor.get(f"{PROCEDURES}/address-correction/", query).content.decode()
    assert 'value="東京都千代田区千代田1番1号"' in entry and 'list="address-correction-reasons"' in entry
    same = {**_dates(), "reason": "住居表示の実施", "address": "東京都千代田区千代田1番1号"}
    confirm = _confirm(supervisor, "address-correction", query, same)
    refused = supervisor.post(confirm.request["PATH_INFO"], {"state": _state(confirm), "action": "record"})
    assert "修正前と同じ住所です" in _errors_next_to(refused, "id_address")
    confirm = _confirm(supervisor, "address-correction", query, {**same, "address": "東京都千代田区千代田1丁目1番1号"})
    assert _enter_and_register(supervisor, confirm).status_code == 302
    with tenant_context(tenant_a.code):
        r = Resident.objects.select_related("household").get(id=person.id)
        assert r.household.address == "東京都千代田区千代田1丁目1番1号" and r.moved_in_on == date(2015, 4, 1)
        assert Procedure.objects.order_by("-id").first().kind == "軽微な修正"  # type: ignore[union-attr]


CORRECTION = {"reason": "住民票の誤記", "family_name": "山田", "given_name": "華子", "family_name_kana": "ヤマダ",
              "given_name_kana": "ハナコ", "birth_date": "S55.4.2", "sex": "2", "relationship": "世帯主",
              "domicile": "東京都千代田区千代田1番"}  # fmt: skip


def test_a_correction_records_the_kind_chosen(supervisor: Client, tenant_a: Any, person: Resident) -> None:
    query = {"resident": person.id}
    entry = supervisor.get(f"{PROCEDURES}/correction/", query).content.decode()
    assert "修正事由" in entry and 'value="誤記修正"' in entry and 'value="軽微な修正"' in entry
    wrong = _confirm(supervisor, "correction", query, {**_dates(), **CORRECTION, "correction_kind": "転入"})
    assert "選択肢から選んでください" in _errors_next_to(wrong, "id_correction_kind")
    confirm = _confirm(supervisor, "correction", query, {**_dates(), **CORRECTION, "correction_kind": "誤記修正"})
    assert "誤記修正" in confirm.content.decode()
    assert _enter_and_register(supervisor, confirm).status_code == 302
    with tenant_context(tenant_a.code):
        assert Resident.objects.get(id=person.id).given_name == "華子"
        assert Procedure.objects.order_by("-id").first().kind == "誤記修正"  # type: ignore[union-attr]
