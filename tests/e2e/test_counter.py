"""The counter (窓口) in a real browser, by keyboard only: a clerk signs in with password and TOTP and enters a
move-in (転入届: enter → confirm → 仮登録), a supervisor registers it from the list (仮登録一覧 → 本登録), then finds
the person and opens their record. A screenshot of every page is saved under var/test-artifacts/e2e/."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.utils import timezone

from kiban.apps.residents.models import Procedure, ProvisionalEntry, Resident
from kiban.apps.residents.permissions import CLERK, SUPERVISOR
from kiban.platform.tenants.context import tenant_context
from kiban.standard.era import format_date
from tests.conftest import CODE_A, PASSWORD, totp_code
from tests.e2e.conftest import ARTIFACTS, E2E_DB, Accessibility, focused, sign_in_by_keyboard, tab_to, wait_for_path

pytestmark = E2E_DB


def _staff() -> tuple[Any, Any]:
    """A clerk and a supervisor of the same municipality."""
    from kiban.platform.accounts.services import create_staff, enroll_totp
    from kiban.platform.tenants.services import provision

    tenant = provision(CODE_A)
    clerk = create_staff(tenant, "counter.clerk", PASSWORD, [CLERK.code])
    supervisor = create_staff(tenant, "counter.boss", PASSWORD, [SUPERVISOR.code])
    enroll_totp(clerk)
    enroll_totp(supervisor)
    return clerk, supervisor


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_move_in_then_search_and_open_by_keyboard_only(counter_server: str, browser: Any, axe_script: str) -> None:
    user, supervisor = _staff()
    code, supervisor_code = totp_code(user), totp_code(supervisor)
    moved_in = timezone.localdate() - timedelta(days=3)
    chromium = browser()
    page = chromium.page
    axe = Accessibility(axe_script)

    page.goto(f"{counter_server}/login/?next=/staff/residents/procedures/move-in/")
    _shot(page, "01-sign-in")
    sign_in_by_keyboard(page, counter_server, user, code, "/staff/residents/procedures/move-in/")

    # Step 1: the date of change has the focus; dates are typed in the era calendar.
    assert focused(page, "id") == "id_effective_on"
    page.keyboard.type(format_date(moved_in, style="short"))
    tab_to(page, "#id_origin")
    page.keyboard.press("ArrowDown")  # 国外から (abroad): no resident record code to carry over
    tab_to(page, "#id_address")
    page.keyboard.type("東京都千代田区千代田3番3号")
    page.keyboard.press("Tab")
    page.keyboard.type("ハイツ千代田202")
    tab_to(page, "#id_persons-0-family_name")
    for text in ("鈴木", "太郎", "すずき", "タロウ", "S60.7.7"):  # kana may be typed in hiragana
        page.keyboard.type(text)
        page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # 性別: 1 男
    page.keyboard.press("Tab")
    page.keyboard.type("世帯主")
    axe.check(page, "02-move-in-entry")
    page.keyboard.press("Enter")  # implicit submission: the "next" button, not "add a person"

    # Step 2: what will be entered, with 和暦 dates; the button (仮登録する) has the focus.
    page.wait_for_selector("text=次の内容で仮登録します")
    assert format_date(moved_in, style="long") in page.content() and "昭和60年7月7日" in page.content()
    assert focused(page, "value") == "record"
    axe.check(page, "03-move-in-confirm")
    page.keyboard.press("Enter")

    # Step 3: done as 仮登録 (not yet in the register), with the entry number and a print button.
    page.wait_for_selector("#entry-id")
    entry_id = int(page.inner_text("#entry-id"))
    assert "まだ住民票には記載されていません" in page.content() and page.is_visible("[data-print]")
    axe.check(page, "04-move-in-done")
    page.emulate_media(media="print")
    _shot(page, "05-move-in-done-print")
    assert not page.is_visible("[data-print]") and not page.is_visible(".counter-nav")
    page.emulate_media(media="screen")

    # 本登録: the supervisor opens the list (Alt+L), the first entry's checkbox has the focus: Space, Alt+R.
    tab_to(page, "form[action='/logout/'] button")  # ログアウト
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: urlsplit(url).path == "/login/")
    sign_in_by_keyboard(page, counter_server, supervisor, supervisor_code, "/staff/residents/")
    page.keyboard.press("Alt+l")
    wait_for_path(page, "/staff/residents/provisional/")
    assert focused(page, "id") == f"entry-{entry_id}"
    page.keyboard.press("Space")
    axe.check(page, "05a-provisional-list")
    page.keyboard.press("Alt+r")
    page.wait_for_selector(".procedure-id")
    procedure_id = int(page.inner_text(".procedure-id"))
    axe.check(page, "05b-registered")

    # Search: the shortcut to the search page, kana first, the purpose, Enter; the first result has the focus.
    page.keyboard.press("Alt+s")
    wait_for_path(page, "/staff/residents/")
    assert focused(page, "id") == "id_kana"
    page.keyboard.type("ｽｽﾞｷ")  # half-width kana typed at the counter match too
    tab_to(page, "#id_purpose")
    page.keyboard.type("転入届の確認")
    page.keyboard.press("Enter")
    page.wait_for_selector("table.results")
    axe.check(page, "06-search-results")
    assert focused(page, "textContent") == "鈴木 太郎"
    page.keyboard.press("Enter")
    page.wait_for_selector("table.history")
    content = page.content()
    assert "鈴木 太郎" in content and "スズキ タロウ" in content and "国外転入等" in content
    assert f"/staff/residents/procedures/cancel/?procedure={procedure_id}" in content  # the supervisor may undo it
    axe.check(page, "07-record")

    chromium.close()
    axe.assert_accessible()
    with tenant_context(CODE_A):
        person = Resident.objects.get(family_name="鈴木")
        assert person.household.building == "ハイツ千代田202" and person.sex == "1"
        assert Procedure.objects.get().id == procedure_id
        assert ProvisionalEntry.objects.get(id=entry_id).procedure_id == procedure_id
