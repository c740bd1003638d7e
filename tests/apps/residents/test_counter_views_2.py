"""The counter (窓口) pages added to the first ones: certificates, advance notices (転入予定), residence status,
職権記載, and support measures (支援措置) — each page's success and failure, roles, and the refusal at the counter."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kiban.apps.residents import services, support
from kiban.apps.residents.models import Certificate, Procedure, Resident, SupportMeasure
from kiban.platform.audit.models import AuditEntry
from kiban.platform.events.models import ChannelMessage, Event
from kiban.platform.events.services import hand_over
from kiban.platform.tenants.context import tenant_context
from tests.apps.residents.counter_helpers import _errors_next_to, _register, _state, _today

BASE = "/staff/residents"
PROCEDURES = f"{BASE}/procedures"


def _count(tenant: Any, model: Any, **filters: Any) -> int:
    with tenant_context(tenant.code):
        return int(model.objects.filter(**filters).count())


# --- 証明書交付 ----------------------------------------------------------------------------------------------------


def _certificate(client: Client, person: Any, data: dict[str, Any]) -> Any:
    """Step 1 → the confirmation (or step 1 again with errors)."""
    url = f"{BASE}/{person.id}/certificate/"
    start = client.get(url)
    assert start.status_code == 200, start.content.decode()[:1000]
    return client.post(url, {"state": _state(start), "action": "next", **data})


def _issue(client: Client, confirm: Any) -> Any:
    return client.post(confirm.request["PATH_INFO"], {"state": _state(confirm), "action": "record"})


def _self_request(person: Any, **extra: Any) -> dict[str, Any]:
    return {"kind": "resident_copy", "resident_ids": [person.id], "layout": "household",
            "items": ["householder", "domicile"], "requester": "self", "requester_resident_id": person.id,
            "requester_name": "山田　花子", "purpose": "運転免許証の申請", **extra}  # fmt: skip


def test_a_certificate_is_confirmed_issued_once_and_opened_inline(
    clerk: Client, tenant_a: Any, make_resident: Any
) -> None:
    person = make_resident(tenant_a)
    record = clerk.get(f"{BASE}/{person.id}/", {"purpose": "住民票の写しの交付"})
    assert f"{BASE}/{person.id}/certificate/" in record.content.decode()
    confirm = _certificate(clerk, person, _self_request(person))
    html = confirm.content.decode()
    assert confirm.status_code == 200 and "交付する" in html and "本籍・筆頭者" in html, html[:3000]
    assert _count(tenant_a, Certificate) == 0  # confirming issues nothing
    done = _issue(clerk, confirm)
    assert done.status_code == 302
    again = _issue(clerk, confirm)  # a double click: the same certificate, nothing new
    assert again["Location"] == done["Location"] and _count(tenant_a, Certificate) == 1
    page = clerk.get(done["Location"]).content.decode()
    with tenant_context(tenant_a.code):
        issued = Certificate.objects.get()
    assert issued.issue_number in page and issued.verification_code in page and "既に交付済み" in page
    assert (issued.requester, issued.items) == ("self", ["domicile", "householder"])
    pdf = clerk.get(f"{done['Location']}pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("inline;") and pdf.content.startswith(b"%PDF")
    assert pdf["X-Verification-Code"] == issued.verification_code


def test_the_issuance_history_lists_the_certificates_naming_the_person(
    clerk: Client, tenant_a: Any, make_resident: Any
) -> None:
    """交付履歴照会 (標準仕様書 2.2.2, j360): on request from the record page, with a purpose, audited."""
    person, other = make_resident(tenant_a), make_resident(tenant_a, "スズキ")
    url = f"{BASE}/{person.id}/issued/"
    assert url in clerk.get(f"{BASE}/{person.id}/", {"purpose": "確認"}).content.decode()
    assert "交付はありません" in clerk.get(url, {"purpose": "本人からの照会"}).content.decode()
    assert _issue(clerk, _certificate(clerk, person, _self_request(person))).status_code == 302
    with tenant_context(tenant_a.code):
        issued = Certificate.objects.get()
    page = clerk.get(url, {"purpose": "本人からの照会"}).content.decode()
    assert issued.issue_number in page and "住民票の写し" in page
    assert "運転免許証の申請" in page and "山田　花子" in page  # the stated purpose and the requester
    assert issued.issue_number not in clerk.get(f"{BASE}/{other.id}/issued/", {"purpose": "確認"}).content.decode()
    with tenant_context(tenant_a.code):
        assert AuditEntry.objects.filter(action="resident.issued_read", object_id=str(person.id),
                                         purpose="本人からの照会").count() == 2  # fmt: skip
    asked = clerk.get(url)  # no purpose: asked for one, nothing read
    assert asked.status_code == 200 and "利用目的の入力" in asked.content.decode()
    assert clerk.get(f"{BASE}/999999/issued/", {"purpose": "確認"}).status_code == 404


def test_certificate_refusals_of_the_registry_are_shown_next_to_the_fields(
    clerk: Client, tenant_a: Any, make_resident: Any
) -> None:
    person = make_resident(tenant_a)
    third = _self_request(person, requester="third_party", requester_resident_id="", items=["individual_number"],
                          requester_name="債権者 株式会社")  # fmt: skip
    refused = _issue(clerk, _certificate(clerk, person, third))
    assert refused.status_code == 200
    assert "本人又は同一世帯の方の請求に限り" in _errors_next_to(refused, "id_items")
    no_requester = _issue(clerk, _certificate(clerk, person, _self_request(person, requester_resident_id="")))
    assert "本人又は同一世帯の方であることを確認できません" in _errors_next_to(no_requester, "id_requester_resident_id")
    missing = _certificate(clerk, person, _self_request(person, purpose="", kind="no-such-kind"))
    assert "This item is required" in _errors_next_to(missing, "id_purpose")
    assert "選択肢から選んでください" in _errors_next_to(missing, "id_kind")
    assert _count(tenant_a, Certificate) == 0


def test_a_protected_person_is_refused_at_the_counter_audited_and_nothing_issued(
    clerk: Client, tenant_a: Any, make_resident: Any
) -> None:
    person = make_resident(tenant_a)
    with tenant_context(tenant_a.code):
        support.apply(person.id, requested_by="本人")
    third = _self_request(person, requester="third_party", requester_resident_id="", items=[],
                          requester_name="調査会社", purpose="所在調査")  # fmt: skip
    refused = _issue(clerk, _certificate(clerk, person, third))
    assert refused.status_code == 403 and "交付できません" in refused.content.decode()
    assert _count(tenant_a, Certificate) == 0
    assert _count(tenant_a, AuditEntry, action="residents.support_measure.blocked", object_id=str(person.id)) == 1
    assert _count(tenant_a, Event, type="residents.support_measure.blocked") == 1  # the supervisors' alert
    # the person themselves still gets their own copy
    assert _issue(clerk, _certificate(clerk, person, _self_request(person))).status_code == 302


def test_a_certificate_of_another_municipality_s_resident_is_not_found(
    clerk: Client, tenant_b: Any, make_resident: Any
) -> None:
    other = make_resident(tenant_b)
    assert clerk.get(f"{BASE}/{other.id}/certificate/").status_code == 404


# --- 転入予定 and the move-in from a notice -------------------------------------------------------------------


@pytest.fixture
def notice(tenant_a: Any, tenant_b: Any, make_resident: Any) -> str:
    """A one-stop move-out at B towards A, delivered to A (as test_transfer.py does it)."""
    person = make_resident(tenant_b, "スズキ", family_name="鈴木", given_name="一郎", given_name_kana="イチロウ")
    with tenant_context(tenant_b.code):
        services.move_out(services.Notification("out-b", timezone.localdate(), timezone.localdate()),
                          resident_ids=[person.id], destination_address="東京都千代田区九段南1丁目2番1号",
                          destination_code=tenant_a.code)  # fmt: skip
        hand_over(ChannelMessage.objects.get())
    with tenant_context(tenant_a.code):
        (received,) = services.move_out_notices()
        return str(received.event_id)


def test_the_notice_list_shows_origin_date_and_count_but_no_personal_item(
    clerk: Client, tenant_b: Any, notice: str
) -> None:
    page = clerk.get(f"{BASE}/notices/")
    html = page.content.decode()
    assert page.status_code == 200 and tenant_b.name in html and "1人" in html
    assert "鈴木" not in html and "スズキ" not in html
    assert f"{PROCEDURES}/move-in-from-notice/?notice={notice}" in html


def test_move_in_from_a_notice_takes_the_persons_from_it(
    clerk: Client, supervisor: Client, tenant_a: Any, tenant_b: Any, notice: str
) -> None:
    url = f"{PROCEDURES}/move-in-from-notice/"
    entry = clerk.get(url, {"notice": notice})
    html = entry.content.decode()
    assert entry.status_code == 200 and "鈴木" in html and "イチロウ" in html
    assert 'name="family_name"' not in html and 'name="persons-0-family_name"' not in html  # read-only
    assert 'value="東京都千代田区九段南1丁目2番1号"' in html  # the declared address as a start
    data = {"effective_on": _today(), "notified_on": _today(), "address": "東京都千代田区九段南1丁目2番1号",
            "building": "九段ハイツ202"}  # fmt: skip
    confirm = clerk.post(url, {"state": _state(entry), "action": "next", **data})
    assert "鈴木" in confirm.content.decode() and _count(tenant_a, Procedure) == 0
    done = clerk.post(url, {"state": _state(confirm), "action": "record"})
    assert done.status_code == 302, done.content.decode()[:3000]
    assert _count(tenant_a, Resident, family_name="鈴木") == 0  # 仮登録 only
    _register(supervisor)
    with tenant_context(tenant_a.code):
        moved = Resident.objects.get(family_name="鈴木")
        assert moved.household.building == "九段ハイツ202" and services.move_out_notices() == []
    repeated = clerk.post(url, {"state": _state(confirm), "action": "record"})
    assert repeated["Location"] == done["Location"]
    assert _count(tenant_a, Resident, family_name="鈴木") == 1
    assert clerk.get(url, {"notice": notice}).status_code == 400  # used: no new wizard from it
    assert "?notice=" not in clerk.get(f"{BASE}/notices/").content.decode()


def test_move_in_from_a_notice_refuses_bad_entries_and_unknown_notices(
    clerk: Client, tenant_a: Any, notice: str
) -> None:
    url = f"{PROCEDURES}/move-in-from-notice/"
    assert clerk.get(url, {"notice": "00000000-0000-0000-0000-000000000000"}).status_code == 400
    assert clerk.get(url, {"notice": "not-a-uuid"}).status_code == 200  # no notice chosen: "start from the list"
    state = _state(clerk.get(url, {"notice": notice}))
    missing = clerk.post(url, {"state": state, "action": "next", "effective_on": "R6.13.1", "notified_on": _today()})
    assert "This item is required" in _errors_next_to(missing, "id_address")
    assert "13月はありません" in _errors_next_to(missing, "id_effective_on")
    future = {"effective_on": _today(1), "notified_on": _today(), "address": "東京都千代田区九段南1丁目2番1号"}
    confirm = clerk.post(url, {"state": state, "action": "next", **future})
    refused = clerk.post(url, {"state": _state(confirm), "action": "record"})
    assert "異動日が未来の日付です" in _errors_next_to(refused, "id_effective_on")
    assert _count(tenant_a, Resident, family_name="鈴木") == 0


# --- 在留資格等の変更 ---------------------------------------------------------------------------------------------


def test_residence_status_change_is_offered_for_foreign_residents_and_recorded(
    clerk: Client, supervisor: Client, tenant_a: Any, make_resident: Any, foreigner: Any
) -> None:
    url = f"{PROCEDURES}/residence-status/"
    assert (
        f"{url}?resident={foreigner.id}" in clerk.get(f"{BASE}/{foreigner.id}/", {"purpose": "確認"}).content.decode()
    )
    japanese = make_resident(tenant_a, "タナカ")
    assert "/residence-status/" not in clerk.get(f"{BASE}/{japanese.id}/", {"purpose": "確認"}).content.decode()
    entry = clerk.get(url, {"resident": foreigner.id})
    assert 'value="留学"' in entry.content.decode()
    data = {"effective_on": _today(), "notified_on": _today(), "residence_status": "技術・人文知識・国際業務",
            "period_of_stay_until": "R12.3.31", "residence_card_number": "ＣＤ８７６５４３２１ＥＦ"}  # fmt: skip
    confirm = clerk.post(url, {"state": _state(entry), "action": "next", **data})
    assert "2030年3月31日" in confirm.content.decode()  # 在留期間の満了の日: 西暦 only (j90)
    assert "令和12年3月31日" not in confirm.content.decode()
    assert clerk.post(url, {"state": _state(confirm), "action": "record"}).status_code == 302
    _register(supervisor)
    with tenant_context(tenant_a.code):
        changed = Resident.objects.get(id=foreigner.id)
        assert (changed.residence_status, changed.residence_card_number) == ("技術・人文知識・国際業務", "CD87654321EF")
        assert changed.period_of_stay_until is not None and changed.period_of_stay_until.year == 2030


def test_a_status_that_makes_no_resident_is_refused_next_to_the_field(
    clerk: Client, tenant_a: Any, foreigner: Any
) -> None:
    url = f"{PROCEDURES}/residence-status/"
    entry = clerk.get(url, {"resident": foreigner.id})
    data = {"effective_on": _today(), "notified_on": _today(), "residence_status": "短期滞在",
            "period_of_stay_until": "2000-01-01", "residence_card_number": "AB12345678CD"}  # fmt: skip
    confirm = clerk.post(url, {"state": _state(entry), "action": "next", **data})
    refused = clerk.post(url, {"state": _state(confirm), "action": "record"})
    assert "住民票の対象外です" in _errors_next_to(refused, "id_residence_status")
    assert "在留期間の満了日が異動日より前です" in _errors_next_to(refused, "id_period_of_stay_until")
    assert _count(tenant_a, Resident, residence_status="短期滞在") == 0


# --- 職権記載 -----------------------------------------------------------------------------------------------------

REGISTRATION = {
    "reason": "実態調査により居住を確認",
    "address": "東京都千代田区神田1番1号",
    "persons-TOTAL_FORMS": "1",
    "persons-INITIAL_FORMS": "0",
    "persons-MIN_NUM_FORMS": "1",
    "persons-MAX_NUM_FORMS": "20",
    "persons-0-family_name": "高橋",
    "persons-0-given_name": "健",
    "persons-0-family_name_kana": "たかはし",
    "persons-0-given_name_kana": "ケン",
    "persons-0-birth_date": "S60.5.5",
    "persons-0-sex": "1",
    "persons-0-relationship": "世帯主",
    "persons-0-kind": "japanese",
}


def test_entry_by_authority_is_for_supervisors_and_records_the_person(
    clerk: Client, supervisor: Client, tenant_a: Any
) -> None:
    url = f"{PROCEDURES}/registration/"
    assert clerk.get(url).status_code == 403
    assert clerk.post(url, {"state": "x"}).status_code == 403
    assert "職権記載" not in clerk.get(f"{PROCEDURES}/").content.decode()
    assert "職権記載" in supervisor.get(f"{PROCEDURES}/").content.decode()
    entry = supervisor.get(url)
    assert 'name="origin"' not in entry.content.decode()
    data = {**REGISTRATION, "effective_on": _today(), "notified_on": _today()}
    without_reason = supervisor.post(url, {"state": _state(entry), "action": "next", **data, "reason": ""})
    assert "This item is required" in _errors_next_to(without_reason, "id_reason")
    confirm = supervisor.post(url, {"state": _state(entry), "action": "next", **data})
    assert "職権記載の確認" in confirm.content.decode() and "タカハシ" in confirm.content.decode()
    assert supervisor.post(url, {"state": _state(confirm), "action": "record"}).status_code == 302
    _register(supervisor)
    with tenant_context(tenant_a.code):
        person = Resident.objects.get(family_name="高橋")
        assert person.family_name_kana == "タカハシ"
        assert Procedure.objects.get(payload__reason=REGISTRATION["reason"]).kind == "職権記載"


def test_entry_by_authority_refuses_a_household_without_householder(supervisor: Client, tenant_a: Any) -> None:
    url = f"{PROCEDURES}/registration/"
    data = {**REGISTRATION, "effective_on": _today(), "notified_on": _today(), "persons-0-relationship": "子"}
    confirm = supervisor.post(url, {"state": _state(supervisor.get(url)), "action": "next", **data})
    refused = supervisor.post(url, {"state": _state(confirm), "action": "record"})
    html = refused.content.decode()
    assert refused.status_code == 200 and "新しい世帯の世帯主を1人指定してください" in html
    assert html.index("新しい世帯の世帯主を1人指定してください") < html.index('id="id_persons-0-family_name"')
    assert _count(tenant_a, Resident, family_name="高橋") == 0


# --- 支援措置 ------------------------------------------------------------------------------------------------------


def test_clerks_see_the_marker_only(clerk: Client, tenant_a: Any, make_resident: Any) -> None:
    person = make_resident(tenant_a)
    with tenant_context(tenant_a.code):
        measure = support.apply(person.id, requested_by="本人")
    html = clerk.get(f"{BASE}/{person.id}/", {"purpose": "確認"}).content.decode()
    assert 'class="badge-protected"' in html and "支援措置の管理" not in html and "仮支援措置" not in html
    assert clerk.get(f"{BASE}/{person.id}/support/").status_code == 403
    assert clerk.post(f"{BASE}/{person.id}/support/", {"action": "release", "measure": measure.id}).status_code == 403
    assert clerk.get(f"{BASE}/support/").status_code == 403
    with tenant_context(tenant_a.code):
        assert SupportMeasure.objects.get(id=measure.id).released_on is None


def _support_post(client: Client, person: Any, data: dict[str, Any]) -> Any:
    page = client.get(f"{BASE}/{person.id}/support/")
    assert page.status_code == 200
    return client.post(f"{BASE}/{person.id}/support/", {"state": _state(page), **data})


def test_a_supervisor_applies_confirms_and_releases_a_measure(
    supervisor: Client, tenant_a: Any, make_resident: Any
) -> None:
    person = make_resident(tenant_a)
    record = supervisor.get(f"{BASE}/{person.id}/", {"purpose": "支援措置の管理"}).content.decode()
    assert "支援措置はありません" in record and f"{BASE}/{person.id}/support/" in record
    applied = _support_post(supervisor, person, {"action": "apply", "apply-requested_by": "本人", "apply-on": "今日"})
    assert applied.status_code == 400 and _errors_next_to(applied, "id_apply-on")
    applied = _support_post(supervisor, person, {"action": "apply", "apply-requested_by": "本人",
                                                 "apply-on": _today()})  # fmt: skip
    assert applied.status_code == 302 and "done=apply" in applied["Location"]
    with tenant_context(tenant_a.code):
        provisional = SupportMeasure.objects.get(resident_id=person.id)
    assert "仮支援措置として受け付けました" in supervisor.get(applied["Location"]).content.decode()
    twice = _support_post(supervisor, person, {"action": "apply", "apply-requested_by": "本人", "apply-on": _today()})
    assert twice.status_code == 400 and "既に支援措置の対象です" in twice.content.decode()
    m = f"m{provisional.id}"
    confirmed = _support_post(supervisor, person, {"action": "confirm", "measure": provisional.id, f"{m}-on": _today()})
    assert confirmed.status_code == 302
    with tenant_context(tenant_a.code):
        current = SupportMeasure.objects.get(resident_id=person.id, released_on__isnull=True)
        assert current.kind == SupportMeasure.Kind.CONFIRMED and current.ends_on is not None
    m = f"m{current.id}"
    early = _support_post(supervisor, person, {"action": "extend", "measure": current.id, f"{m}-on": _today()})
    assert early.status_code == 400 and "1か月前から受け付けます" in _errors_next_to(early, f"id_{m}-on")
    no_reason = _support_post(supervisor, person, {"action": "release", "measure": current.id, f"{m}-on": _today()})
    assert "解除の理由を入力してください" in _errors_next_to(no_reason, f"id_{m}-reason")
    released = _support_post(supervisor, person, {"action": "release", "measure": current.id, f"{m}-on": _today(),
                                                  f"{m}-reason": "本人の申出により解除"})  # fmt: skip
    assert released.status_code == 302
    with tenant_context(tenant_a.code):
        assert not support.in_force(person.id)
        assert SupportMeasure.objects.filter(resident_id=person.id, released_on__isnull=True).count() == 0


def test_an_extension_submitted_twice_extends_once(supervisor: Client, tenant_a: Any, make_resident: Any) -> None:
    person = make_resident(tenant_a)
    with tenant_context(tenant_a.code):
        provisional = support.apply(person.id, requested_by="本人", on=timezone.localdate() - timedelta(days=360))
        current = support.confirm(provisional.id, on=timezone.localdate() - timedelta(days=350))
    page = supervisor.get(f"{BASE}/{person.id}/support/")
    data = {"state": _state(page), "action": "extend", "measure": current.id, f"m{current.id}-on": _today()}
    first = supervisor.post(f"{BASE}/{person.id}/support/", data)
    second = supervisor.post(f"{BASE}/{person.id}/support/", data)
    assert first.status_code == second.status_code == 302 and "done=repeated" in second["Location"]
    assert _count(tenant_a, SupportMeasure, resident_id=person.id, kind="confirmed") == 2


def test_the_supervisor_alert_list_shows_measures_ending_and_ended(
    supervisor: Client, tenant_a: Any, make_resident: Any
) -> None:
    soon, ended = make_resident(tenant_a, "ヤマダ"), make_resident(tenant_a, "カワダ", family_name="川田")
    today = timezone.localdate()
    with tenant_context(tenant_a.code):
        support.confirm(support.apply(soon.id, requested_by="本人", on=today - timedelta(days=360)).id,
                        on=today - timedelta(days=350))  # fmt: skip
        support.confirm(support.apply(ended.id, requested_by="本人", on=today - timedelta(days=420)).id,
                        on=today - timedelta(days=400))  # fmt: skip
    page = supervisor.get(f"{BASE}/support/")
    html = page.content.decode()
    assert page.status_code == 200
    expiring, ended_section = html.split('id="ended"')
    assert "山田" in expiring and f"{BASE}/{soon.id}/support/" in expiring
    assert "川田" in ended_section and f"{BASE}/{ended.id}/support/" in ended_section
    assert _count(tenant_a, AuditEntry, action="resident.listed", purpose="支援措置の管理") == 2


# --- query counts of the lists (CONVENTIONS.md: every list has one) ----------------------------------------------


def _queries(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_notice_list_reads_a_fixed_number_of_queries(
    clerk: Client, tenant_a: Any, tenant_b: Any, make_resident: Any
) -> None:
    counts = []
    for i in range(1, 4):
        person = make_resident(tenant_b, "スズキ", given_name=f"一郎{i}")
        with tenant_context(tenant_b.code):
            services.move_out(services.Notification(f"out-{i}", timezone.localdate(), timezone.localdate()),
                              resident_ids=[person.id], destination_address="東京都千代田区九段南1丁目2番1号",
                              destination_code=tenant_a.code)  # fmt: skip
            hand_over(ChannelMessage.objects.get(delivered_at__isnull=True))
        if i > 1:
            counts.append(_queries(clerk, f"{BASE}/notices/"))
    assert counts[0] == counts[1]


def test_the_support_alert_list_reads_a_fixed_number_of_queries(
    supervisor: Client, tenant_a: Any, make_resident: Any
) -> None:
    today = timezone.localdate()
    counts = []
    for i in range(3):
        person = make_resident(tenant_a, "ヤマダ", given_name=f"花子{i}")
        with tenant_context(tenant_a.code):
            support.confirm(support.apply(person.id, requested_by="本人", on=today - timedelta(days=360)).id,
                            on=today - timedelta(days=350))  # fmt: skip
        if i:
            counts.append(_queries(supervisor, f"{BASE}/support/"))
    assert counts[0] == counts[1]
