"""Three counter pages in a real browser, by keyboard: a foreign resident's 郵便物送付コード (標準仕様書 1.1.19, j190),
the 附票記載事項通知 to the 本籍地 (7.2.4, j1200) and the 特別永住者証明書 list, counts and record (8.2, j1250–j1270).
What is recorded is read back from the database; each page state passes axe-core (WCAG 2.2 A/AA). Screenshots under
var/test-artifacts/e2e/."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.utils import timezone

from kiban.apps.residents import services
from kiban.apps.residents import special_permanent as spr
from kiban.apps.residents.models import (
    ExternalNoticeSent,
    InputPlace,
    MailName,
    ResidentHistory,
    SpecialPermanentCertificate,
)
from kiban.apps.residents.permissions import SUPERVISOR
from kiban.apps.residents.validation import PersonData
from kiban.apps.residents.views import era
from kiban.platform.audit.models import AuditEntry
from kiban.platform.events.models import Event
from kiban.platform.tenants.context import tenant_context
from kiban.standard.era import format_month
from tests.conftest import CODE_A, totp_code
from tests.e2e.conftest import E2E_DB, Accessibility, sign_in_by_keyboard, tab_to, wait_for_path
from tests.e2e.test_counter_certificate import _setup

pytestmark = E2E_DB


def _move_in(request_id: str, person: PersonData) -> int:
    """One person moved in from abroad into a household of their own (as ``tests.conftest.make_resident``)."""
    with tenant_context(CODE_A):
        result = services.move_in(services.Notification(request_id, date(2015, 4, 1), date(2015, 4, 1)),
                                  address=services.AddressData("東京都千代田区千代田1番1号"), persons=[person],
                                  origin="abroad")  # fmt: skip
    return result.resident_ids[0]


def _reiwa(day: date) -> str:
    """A date as a clerk types it (R8.11.30)."""
    return f"R{day.year - 2018}.{day.month}.{day.day}"


# --- 郵便物送付コード ----------------------------------------------------------------------------------------------


def test_a_mail_name_code_chosen_by_keyboard(counter_server: str, browser: Any, axe_script: str) -> None:
    clerk, _ = _setup("mail.clerk")
    kim = _move_in("e2e-mail-name", PersonData(
        family_name="KIM", given_name="MINJI", family_name_kana="キム", given_name_kana="ミンジ",
        birth_date=date(1980, 4, 2), sex="2", relationship="世帯主", kind="foreign", nationality="410",
        residence_status="永住者", alias="金田美智", alias_kana="カネダミチ", residence_card_number="AB12345678CD",
    ))  # fmt: skip
    today = timezone.localdate()
    code = totp_code(clerk)  # read before the live server runs (on SQLite it shares this connection)
    chromium = browser()
    page = chromium.page
    axe = Accessibility(axe_script)
    path = f"/staff/residents/{kim}/mail-name/"
    sign_in_by_keyboard(page, counter_server, clerk, code, path, "purpose=郵便物送付コードの申出")
    assert "金田美智" in page.inner_text("dl.record")
    assert "未設定" in page.inner_text("#in-force") and page.inner_text("#on-mail") == "KIM　MINJI 様"
    assert not page.is_visible("#mail-name-history")
    axe.check(page, "81-mail-name-entry")

    # Recorded without choosing a code: refused, said with role=alert, nothing written.
    tab_to(page, "#new-mail-name button.primary")
    page.keyboard.press("Enter")
    page.wait_for_selector("#errors")
    errors = page.locator("#errors")
    assert errors.get_attribute("role") == "alert"
    assert "郵便物送付コードを選んでください" in errors.inner_text()
    assert "未設定" in page.inner_text("#in-force") and not page.is_visible("#mail-name-history")
    axe.check(page, "82-mail-name-refused")

    tab_to(page, "#mail-name-code")
    page.keyboard.press("ArrowDown")  # 本名のみ
    page.keyboard.press("ArrowDown")  # 通称のみ
    assert page.input_value("#mail-name-code") == MailName.Code.ALIAS
    tab_to(page, "#mail-name-on")  # 申出日: today, as shown
    page.keyboard.press("Enter")
    page.wait_for_selector("#done")
    wait_for_path(page, path)
    assert page.inner_text("#in-force") == "通称のみ"
    assert page.inner_text("#on-mail") == "金田美智 様"
    rows = page.locator("#mail-name-history tbody tr").all_inner_texts()
    assert [r.split() for r in rows] == [[era(today), "通称のみ", "staff:mail.clerk"]]
    axe.check(page, "83-mail-name-recorded")
    chromium.close()
    with tenant_context(CODE_A):
        recorded = list(MailName.objects.values_list("resident_id", "code", "requested_on", "recorded_by"))
        audited = AuditEntry.objects.filter(action="residents.mail_name.set", object_id=str(kim)).count()
    assert recorded == [(kim, "alias", today, "staff:mail.clerk")]  # the refused submission wrote nothing
    assert audited == 1
    axe.assert_accessible()


# --- 附票記載事項通知 -------------------------------------------------------------------------------------------


def test_a_supervisor_sends_one_fuhyo_notice(counter_server: str, browser: Any, axe_script: str) -> None:
    boss, _ = _setup("notices.boss", SUPERVISOR.code)  # its resident has no 本籍: no notice
    own = _move_in("e2e-fuhyo-own", PersonData(
        family_name="佐藤", given_name="一郎", family_name_kana="サトウ", given_name_kana="イチロウ",
        birth_date=date(1975, 5, 5), sex="1", relationship="世帯主", domicile="東京都千代田区千代田1番",
        domicile_head="佐藤　一郎",
    ))  # fmt: skip
    paper = _move_in("e2e-fuhyo-paper", PersonData(
        family_name="鈴木", given_name="次郎", family_name_kana="スズキ", given_name_kana="ジロウ",
        birth_date=date(1982, 8, 8), sex="1", relationship="世帯主", domicile="大阪府大阪市北区中之島1丁目3番",
        domicile_head="鈴木　次郎",
    ))  # fmt: skip
    with tenant_context(CODE_A):
        own_entry = ResidentHistory.objects.get(resident_id=own).id
        paper_entry = ResidentHistory.objects.get(resident_id=paper).id
    code = totp_code(boss)
    chromium = browser()
    page = chromium.page
    axe = Accessibility(axe_script)
    path = "/staff/residents/external-notices/"
    sign_in_by_keyboard(page, counter_server, boss, code, path, "purpose=附票通知の送信&kind=koseki_fuhyo")
    listed = page.locator("#notices tbody tr").all_inner_texts()
    assert len(listed) == 2 and "佐藤　一郎" in listed[0] and "鈴木　次郎" in listed[1]  # oldest first
    assert "東京都千代田区" in listed[0] and "連携" in listed[0]
    assert "大阪府大阪市" in listed[1] and "通知書（紙）" in listed[1]
    assert page.is_checked(f"input[name=history_id][value='{own_entry}']")
    assert page.is_checked(f"input[name=history_id][value='{paper_entry}']")
    axe.check(page, "84-external-notices-pending")

    # The one on paper is left for later (it would open the 通知書 PDF): the clerk unticks it and sends the other.
    tab_to(page, f"input[name=history_id][value='{paper_entry}']")
    page.keyboard.press("Space")
    assert not page.is_checked(f"input[name=history_id][value='{paper_entry}']")
    tab_to(page, "button[name=action][value=send]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#done")
    wait_for_path(page, path)
    assert "1件を送信しました" in page.inner_text("#done")
    left = page.locator("#notices tbody tr").all_inner_texts()
    assert len(left) == 1 and "鈴木　次郎" in left[0]
    axe.check(page, "85-external-notice-sent")

    tab_to(page, "#view-sent")
    page.keyboard.press("Space")
    tab_to(page, "form.filter button")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: parse_qs(urlsplit(url).query).get("view") == ["sent"])
    page.wait_for_selector("#notices")
    sent = page.locator("#notices tbody tr").all_inner_texts()
    assert len(sent) == 1 and "佐藤　一郎" in sent[0] and "東京都千代田区" in sent[0]
    assert page.is_visible("button[name=action][value=resend]")
    axe.check(page, "86-external-notices-sent-list")
    chromium.close()
    with tenant_context(CODE_A):
        row = ExternalNoticeSent.objects.get()
        published = list(Event.objects.filter(type="residents.koseki_fuhyo.notice").values_list("data", flat=True))
    assert (row.kind, row.history_id, row.resident_id, row.resend) == ("koseki_fuhyo", own_entry, own, False)
    assert (row.destination_code, row.destination_name, row.delivery) == ("131016", "東京都千代田区", "event")
    assert row.sent_by == "staff:notices.boss" and row.content["domicile"] == "東京都千代田区千代田1番"
    assert "individual_number" not in row.content
    assert [(e["resident_id"], e["history_id"]) for e in published] == [(own, own_entry)]
    axe.assert_accessible()


# --- 特別永住者証明書 -------------------------------------------------------------------------------------------


def test_a_supervisor_lists_counts_and_records_special_permanent_certificates(
    counter_server: str, browser: Any, axe_script: str
) -> None:
    boss, _ = _setup("special.boss", SUPERVISOR.code)
    special = {"kind": "foreign", "nationality": "410", "residence_status": "特別永住者", "relationship": "世帯主",
               "sex": "2"}  # fmt: skip
    born = date(1970, 6, 15)
    kim = _move_in("e2e-spr-kim", PersonData(family_name="金", given_name="英子", family_name_kana="キム",
                                             given_name_kana="ヨンジャ", birth_date=born, **special))  # fmt: skip
    han_born = date(1990, 9, 9)
    han = _move_in("e2e-spr-han", PersonData(family_name="韓", given_name="明美", family_name_kana="ハン",
                                             given_name_kana="ミョンミ", birth_date=han_born, **special))  # fmt: skip
    today = timezone.localdate()
    expires = spr.nth_birthday_after(born, today, 1)  # her certificate ends on her next birthday
    issued = spr.birthday_in(born, expires.year - 7) + timedelta(days=1)
    assert spr.expiry_date(born, issued) == expires
    with tenant_context(CODE_A):
        north = InputPlace.objects.create(code="02", name="北支所", kind="branch", recorded_by="staff:boss")
        SpecialPermanentCertificate.objects.create(
            resident_id=kim, number="AA00000001AA", issued_on=issued, expires_on=expires, place=north,
            recorded_by="staff:boss",
        )  # fmt: skip
    code = totp_code(boss)
    chromium = browser()
    page = chromium.page
    axe = Accessibility(axe_script)
    listing = "/staff/residents/special-permanent/"
    sign_in_by_keyboard(page, counter_server, boss, code, listing)
    assert not page.is_visible("#due") and page.inner_text("#missing") == "韓　明美"

    tab_to(page, "#l-end")  # from today (as shown), the longest window (366 days: her next birthday is in it)
    page.keyboard.type(_reiwa(today + timedelta(days=spr.MAX_WINDOW_DAYS)))
    page.keyboard.press("Enter")
    page.wait_for_selector("#due")
    due = page.locator("#due tbody tr").all_inner_texts()
    assert len(due) == 1
    opens = spr.renewal_opens(born, expires)
    for shown in ("金　英子", "1970年6月15日", "AA00000001AA", era(expires), era(opens), "北支所"):
        assert shown in due[0], shown
    assert page.is_visible("#output-form button[value=letters]") and page.is_visible("#output-form button[value=csv]")
    axe.check(page, "87-special-permanent-list")

    tab_to(page, "a[href$='/special-permanent/counts/']")
    page.keyboard.press("Enter")
    wait_for_path(page, f"{listing}counts/")
    header = page.locator("#by-year thead th").all_inner_texts()
    assert [h.strip() for h in header] == ["年度", "北支所", spr.WHOLE]
    by_year = [r.split() for r in page.locator("#by-year tbody tr").all_inner_texts()]
    assert by_year == [[spr.fiscal_year_label(spr.fiscal_year(expires)), "1", "1"]]
    by_month = {r.split()[0]: r.split()[1:] for r in page.locator("#by-month tbody tr").all_inner_texts()}
    assert len(by_month) == 24 and by_month[format_month(expires.year, expires.month)] == ["1", "1"]
    assert "金　英子" not in page.inner_text("main") and "AA00000001AA" not in page.inner_text("main")  # counts only
    axe.check(page, "88-special-permanent-counts")

    # 有効期限の入力漏れ: from the list to her page, the card she holds recorded from it.
    tab_to(page, f"nav a[href='{listing}']")
    page.keyboard.press("Enter")
    wait_for_path(page, listing)
    tab_to(page, "#missing a")
    page.keyboard.press("Enter")
    wait_for_path(page, f"/staff/residents/{han}/special-permanent/")
    assert "登録された証明書はありません" in page.inner_text("#held")
    axe.check(page, "89-special-permanent-missing")
    tab_to(page, "details summary")
    page.keyboard.press("Enter")  # opens 所持する証明書を登録
    tab_to(page, "#h-number")
    page.keyboard.type("xy12345678zz")
    page.keyboard.press("Enter")  # 交付年月日: today, as shown
    page.wait_for_selector("#done")
    assert "所持する証明書を登録しました" in page.inner_text("#done")
    held = page.inner_text("#held")
    assert "XY12345678ZZ" in held and "有効（最新）" in held and era(spr.expiry_date(han_born, today)) in held
    axe.check(page, "90-special-permanent-recorded")
    chromium.close()
    with tenant_context(CODE_A):
        recorded = list(
            SpecialPermanentCertificate.objects.filter(resident_id=han).values_list(
                "number", "issued_on", "expires_on", "place_id", "recorded_by"
            )
        )
        listed = set(
            AuditEntry.objects.filter(action="residents.special_permanent.listed").values_list("object_id", flat=True)
        )
    assert recorded == [("XY12345678ZZ", today, spr.expiry_date(han_born, today), None, "staff:special.boss")]
    assert listed == {str(kim)}
    axe.assert_accessible()
