"""Dates on the counter (窓口) screens: 住民記録システム標準仕様書 1.1.9 年月日の表示 (j90).

Every date is shown in 和暦 only — the 西暦, also beside the 和暦 (併記), must not be shown — except a foreign
resident's date of birth and 在留期間の満了の日, shown in 西暦 only (and never in 和暦). Each page is rendered through
the test client and its visible HTML (tooltips and field values included; hidden inputs, scripts and machine-readable
attributes left out) is searched for every written form of the date.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kiban.apps.residents import certificates, forms, services, support
from kiban.apps.residents.models import Certificate, Resident
from kiban.platform.events.models import ChannelMessage
from kiban.platform.events.services import hand_over
from kiban.platform.tenants.context import tenant_context
from kiban.standard.era import format_date
from tests.apps.residents.counter_helpers import _state

BASE = "/staff/residents"
PROCEDURES = f"{BASE}/procedures"
JAPANESE_BIRTH = date(1980, 4, 2)  # 昭和55年4月2日
FOREIGN_BIRTH = date(1990, 5, 6)  # 平成2年5月6日
STAY_UNTIL = date(2030, 3, 31)  # 令和12年3月31日
BECAME_RESIDENT = date(2015, 4, 1)  # 平成27年4月1日
# Any Gregorian date however written: 2024-04-01, 2024/4/1, 2024.4.1, 2024年4月1日.
ANY_WESTERN_DATE = re.compile(r"(?<!\d)(?:1[89]|20)\d\d\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}")


@pytest.fixture
def japanese(tenant_a: Any, make_resident: Any) -> Resident:
    return make_resident(tenant_a, "ヤマダ", birth_date=JAPANESE_BIRTH, became_resident_on=BECAME_RESIDENT)


@pytest.fixture
def foreigner(tenant_a: Any, make_resident: Any) -> Resident:
    return make_resident(tenant_a, "ヤマダ", family_name="YAMADA", given_name="MARIA", given_name_kana="マリア",
                         kind="foreign", nationality="840", residence_status="留学", period_of_stay_until=STAY_UNTIL,
                         residence_card_number="AB12345678CD", domicile="", birth_date=FOREIGN_BIRTH,
                         became_resident_on=BECAME_RESIDENT)  # fmt: skip


def visible(page: Any) -> str:
    """What a person at the screen can see or hear: the HTML without scripts, styles, hidden inputs and
    machine-readable attributes (``datetime``, ``data-*``), which may keep ISO. ``title`` and ``placeholder``
    tooltips and field values stay: they are shown."""
    html = page.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    html = re.sub(r'<input[^>]*type="hidden"[^>]*>', "", html)
    return re.sub(r'\s(?:datetime|data-[\w-]+)="[^"]*"', "", html)


def western_forms(d: date) -> list[str]:
    return [d.isoformat(), f"{d.year}/{d.month}/{d.day}", f"{d.year}/{d.month:02}/{d.day:02}",
            f"{d.year}.{d.month}.{d.day}", f"{d.year}年{d.month}月{d.day}日"]  # fmt: skip


def era_forms(d: date) -> list[str]:
    return [format_date(d, "long"), format_date(d, "short")]


def shown_in_era_only(html: str, d: date) -> bool:
    return format_date(d, "long") in html and not any(w in html for w in western_forms(d))


def shown_in_western_only(html: str, d: date) -> bool:
    return f"{d.year}年{d.month}月{d.day}日" in html and not any(e in html for e in era_forms(d))


def _input(page: Any, field_id: str) -> str:
    match = re.search(rf'<input[^>]*id="{field_id}"[^>]*>', page.content.decode())
    assert match, f"no input {field_id}"
    return match.group(0)


# --- the display function ------------------------------------------------------------------------------------


def test_display_date_is_era_only_and_western_only_where_j90_says() -> None:
    assert forms.display_date(date(2019, 5, 1)) == "令和元年5月1日"
    assert forms.display_date(date(2024, 4, 1), style="short") == "R6.4.1"
    assert forms.display_date(date(2024, 4, 1), western=True) == "2024年4月1日"
    assert forms.display_date(None) == ""
    assert forms.is_western("period_of_stay_until", foreign=False) and forms.is_western("birth_date", foreign=True)
    assert not forms.is_western("birth_date", foreign=False) and not forms.is_western("moved_in_on", foreign=True)
    person = {"kind": "foreign", "birth_date": "1990-05-06", "moved_in_on": "2015-04-01"}
    assert forms.person_date(person, "birth_date") == "1990年5月6日"
    assert forms.person_date(person, "moved_in_on") == "平成27年4月1日"


# --- a person's record, the search results -------------------------------------------------------------------


def test_a_japanese_resident_s_record_shows_every_date_in_the_era_calendar_only(
    clerk: Client, japanese: Resident
) -> None:
    html = visible(clerk.get(f"{BASE}/{japanese.id}/", {"purpose": "確認"}))
    assert shown_in_era_only(html, JAPANESE_BIRTH) and shown_in_era_only(html, BECAME_RESIDENT)
    assert not ANY_WESTERN_DATE.search(html), ANY_WESTERN_DATE.search(html)


def test_a_foreign_resident_s_birth_date_and_end_of_stay_are_western_the_other_dates_era(
    clerk: Client, foreigner: Resident
) -> None:
    html = visible(clerk.get(f"{BASE}/{foreigner.id}/", {"purpose": "確認"}))
    assert shown_in_western_only(html, FOREIGN_BIRTH)
    assert shown_in_western_only(html, STAY_UNTIL) and "在留期間の満了の日" in html
    assert shown_in_era_only(html, BECAME_RESIDENT)  # 住民となった年月日, 住定日, the history: 和暦
    shown = {m.group(0) for m in ANY_WESTERN_DATE.finditer(html)}
    assert shown == {"1990年5月6", "2030年3月31"}  # the Western dates on the page: those two only


def test_search_results_show_the_birth_date_by_the_person_s_kind(
    clerk: Client, japanese: Resident, foreigner: Resident
) -> None:
    html = visible(clerk.get(f"{BASE}/", {"kana": "ヤマダ", "purpose": "確認"}))
    assert "検索結果 2件" in html
    assert shown_in_era_only(html, JAPANESE_BIRTH) and shown_in_western_only(html, FOREIGN_BIRTH)


# --- wizards: entry, confirmation, done ----------------------------------------------------------------------

MIXED_MOVE_IN = {
    "effective_on": "R6.4.8", "notified_on": "R6.4.10", "origin": "abroad", "address": "東京都千代田区千代田2番2号",
    "persons-TOTAL_FORMS": "2", "persons-INITIAL_FORMS": "0", "persons-MIN_NUM_FORMS": "1",
    "persons-MAX_NUM_FORMS": "20",
    "persons-0-family_name": "佐藤", "persons-0-given_name": "一郎", "persons-0-family_name_kana": "サトウ",
    "persons-0-given_name_kana": "イチロウ", "persons-0-birth_date": "S55.4.2", "persons-0-sex": "1",
    "persons-0-relationship": "世帯主", "persons-0-kind": "japanese",
    "persons-1-family_name": "SATO", "persons-1-given_name": "MARIA", "persons-1-family_name_kana": "サトウ",
    "persons-1-given_name_kana": "マリア", "persons-1-birth_date": "1990-05-06", "persons-1-sex": "2",
    "persons-1-relationship": "妻", "persons-1-kind": "foreign", "persons-1-nationality": "840",
    "persons-1-residence_status": "日本人の配偶者等", "persons-1-period_of_stay_until": "R12.3.31",
    "persons-1-residence_card_number": "AB12345678CD",
}  # fmt: skip
MOVED_IN, NOTIFIED = date(2024, 4, 8), date(2024, 4, 10)


def test_a_move_in_of_a_mixed_household_confirm_done_and_record(
    clerk: Client, supervisor: Client, tenant_a: Any
) -> None:
    url = f"{PROCEDURES}/move-in/"
    confirm = clerk.post(url, {"state": _state(clerk.get(url)), "action": "next", **MIXED_MOVE_IN})
    html = visible(confirm)
    assert confirm.status_code == 200 and "の確認" in html, html[:3000]
    assert shown_in_era_only(html, MOVED_IN) and shown_in_era_only(html, NOTIFIED)
    assert shown_in_era_only(html, JAPANESE_BIRTH)
    assert shown_in_western_only(html, FOREIGN_BIRTH) and shown_in_western_only(html, STAY_UNTIL)
    done = clerk.post(url, {"state": _state(confirm), "action": "record"})
    assert done.status_code == 302
    html = visible(clerk.get(done["Location"]))
    assert shown_in_era_only(html, MOVED_IN) and shown_in_era_only(html, NOTIFIED)
    assert shown_in_era_only(html, JAPANESE_BIRTH)
    assert shown_in_western_only(html, FOREIGN_BIRTH) and shown_in_western_only(html, STAY_UNTIL)
    registered = supervisor.post(f"{BASE}/provisional/", {"action": "register-all", "shown_branch": ""})  # 本登録
    assert registered.status_code == 302
    with tenant_context(tenant_a.code):
        head = Resident.objects.get(given_name="一郎")
        wife = Resident.objects.get(given_name="MARIA")
    record = visible(clerk.get(f"{BASE}/{head.id}/", {"purpose": "確認"}))
    assert shown_in_era_only(record, JAPANESE_BIRTH) and shown_in_era_only(record, MOVED_IN)
    assert shown_in_western_only(record, FOREIGN_BIRTH)  # in the list of household members
    record = visible(clerk.get(f"{BASE}/{wife.id}/", {"purpose": "確認"}))
    assert shown_in_western_only(record, FOREIGN_BIRTH) and shown_in_western_only(record, STAY_UNTIL)
    assert shown_in_era_only(record, MOVED_IN) and shown_in_era_only(record, NOTIFIED)  # 住定日, history


def test_date_fields_hint_western_for_a_foreign_resident_s_birth_date_and_end_of_stay(clerk: Client) -> None:
    url = f"{PROCEDURES}/move-in/"
    entry = clerk.get(url)
    assert f'placeholder="{forms.DATE_EXAMPLE}"' in _input(entry, "id_effective_on")
    assert 'placeholder="2024-04-01"' in _input(entry, "id_persons-0-period_of_stay_until")
    more = clerk.post(url, {"state": _state(entry), "action": "add-person", **MIXED_MOVE_IN})  # kind as entered
    assert f'placeholder="{forms.DATE_EXAMPLE}"' in _input(more, "id_persons-0-birth_date")
    assert 'placeholder="2024-04-01"' in _input(more, "id_persons-1-birth_date")
    assert 'placeholder="2024-04-01"' in _input(more, "id_persons-1-period_of_stay_until")


def test_recorded_dates_are_put_in_the_fields_as_j90_shows_them(
    supervisor: Client, japanese: Resident, foreigner: Resident
) -> None:
    page = supervisor.get(f"{PROCEDURES}/correction/", {"resident": japanese.id})
    assert 'value="S55.4.2"' in _input(page, "id_birth_date")
    assert f'placeholder="{forms.DATE_EXAMPLE}"' in _input(page, "id_birth_date")
    page = supervisor.get(f"{PROCEDURES}/correction/", {"resident": foreigner.id})
    assert 'value="1990-05-06"' in _input(page, "id_birth_date") and "H2.5.6" not in visible(page)
    assert 'placeholder="2024-04-01"' in _input(page, "id_birth_date")
    page = supervisor.get(f"{PROCEDURES}/residence-status/", {"resident": foreigner.id})
    assert 'value="2030-03-31"' in _input(page, "id_period_of_stay_until") and "R12.3.31" not in visible(page)


def test_a_correction_of_a_foreign_resident_s_birth_date_is_confirmed_in_western_dates(
    supervisor: Client, foreigner: Resident
) -> None:
    url = f"{PROCEDURES}/correction/"
    entry = supervisor.get(url, {"resident": foreigner.id})
    data = {"effective_on": "R6.4.8", "notified_on": "R6.4.10", "reason": "誤記の修正", "family_name": "YAMADA",
            "given_name": "MARIA", "family_name_kana": "ヤマダ", "given_name_kana": "マリア", "birth_date": "H2.5.7",
            "sex": "2", "relationship": "世帯主"}  # fmt: skip
    html = visible(supervisor.post(url, {"state": _state(entry), "action": "next", **data}))
    assert "の確認" in html and shown_in_western_only(html, date(1990, 5, 7))
    assert shown_in_era_only(html, MOVED_IN)


# --- advance notices, support measures, certificates ---------------------------------------------------------


def test_an_advance_notice_shows_a_foreign_person_s_dates_as_j90_says(
    clerk: Client, tenant_a: Any, tenant_b: Any, make_resident: Any
) -> None:
    person = make_resident(tenant_b, "スミス", family_name="SMITH", given_name="JOHN", given_name_kana="ジョン",
                           kind="foreign", nationality="840", residence_status="留学", domicile="",
                           period_of_stay_until=STAY_UNTIL, residence_card_number="AB12345678CD",
                           birth_date=FOREIGN_BIRTH)  # fmt: skip
    today = timezone.localdate()
    with tenant_context(tenant_b.code):
        services.move_out(services.Notification("out-b", today, today), resident_ids=[person.id],
                          destination_address="東京都千代田区九段南1丁目2番1号",
                          destination_code=tenant_a.code)  # fmt: skip
        hand_over(ChannelMessage.objects.get())
    with tenant_context(tenant_a.code):
        (notice,) = services.move_out_notices()
    listed = visible(clerk.get(f"{BASE}/notices/"))
    assert shown_in_era_only(listed, today) and not ANY_WESTERN_DATE.search(listed)
    entry = visible(clerk.get(f"{PROCEDURES}/move-in-from-notice/", {"notice": str(notice.event_id)}))
    assert shown_in_western_only(entry, FOREIGN_BIRTH) and shown_in_western_only(entry, STAY_UNTIL)


def test_support_measure_pages_show_era_dates_only(supervisor: Client, tenant_a: Any, japanese: Resident) -> None:
    today = timezone.localdate()
    with tenant_context(tenant_a.code):
        support.confirm(support.apply(japanese.id, requested_by="本人", on=today - timedelta(days=340)).id,
                        on=today - timedelta(days=340))  # fmt: skip
    for url in (f"{BASE}/{japanese.id}/support/", f"{BASE}/support/", f"{BASE}/{japanese.id}/?purpose=確認"):
        html = visible(supervisor.get(url))
        assert format_date(today - timedelta(days=340)) in html, url
        assert not ANY_WESTERN_DATE.search(html), (url, ANY_WESTERN_DATE.search(html))


def test_the_certificate_pages_show_the_issue_date_in_the_era_calendar(
    clerk: Client, tenant_a: Any, japanese: Resident
) -> None:
    with tenant_context(tenant_a.code):  # a certifier (標準仕様書 1.3.9), without whom nothing is issued
        mayor = certificates.CertifierData("mayor", "千代田区長", "樋口　高顕", date(2020, 1, 1))
        certificates.register_certifier(mayor)
    url = f"{BASE}/{japanese.id}/certificate/"
    data = {"kind": "resident_copy", "resident_ids": [japanese.id], "layout": "household", "items": ["householder"],
            "requester": "self", "requester_resident_id": japanese.id, "requester_name": "山田　花子",
            "purpose": "運転免許証の申請"}  # fmt: skip
    confirm = clerk.post(url, {"state": _state(clerk.get(url)), "action": "next", **data})
    assert not ANY_WESTERN_DATE.search(visible(confirm))
    done = clerk.post(url, {"state": _state(confirm), "action": "record"})
    html = visible(clerk.get(done["Location"]))
    today = timezone.localdate()
    assert shown_in_era_only(html, today) and not ANY_WESTERN_DATE.search(html)
    with tenant_context(tenant_a.code):
        code = Certificate.objects.get().verification_code
    checked = visible(Client().get(f"/verify/{code}/"))
    assert shown_in_era_only(checked, today) and not ANY_WESTERN_DATE.search(checked)
