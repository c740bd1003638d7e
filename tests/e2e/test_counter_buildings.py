"""方書入力補助 (標準仕様書 4.0.7, j520) in a real browser, by keyboard: in the 転入届, the address typed makes the
buildings the 方書マスタ has there the 方書 field's choices (a datalist filled by _counter.js); another address
offers none. The page checked with axe-core (WCAG 2.2 A/AA). Screenshots under var/test-artifacts/e2e/."""

from __future__ import annotations

from typing import Any

from kiban.apps.residents import buildings
from kiban.platform.tenants.context import tenant_context
from tests.conftest import CODE_A, totp_code
from tests.e2e.conftest import E2E_DB, Accessibility, sign_in_by_keyboard, tab_to
from tests.e2e.test_counter_certificate import _setup

pytestmark = E2E_DB

ADDRESS = "東京都千代田区九段南1丁目2番1号"


def test_the_buildings_of_the_address_typed_are_offered(counter_server: str, browser: Any, axe_script: str) -> None:
    user, _resident = _setup()
    with tenant_context(CODE_A):
        buildings.save(address=ADDRESS, name="九段ハイツ")
        buildings.save(address=ADDRESS, name="アーバン九段")
    code = totp_code(user)  # read before the live server runs (on SQLite it shares this connection)
    chromium = browser()
    page = chromium.page
    sign_in_by_keyboard(page, counter_server, user, code, "/staff/residents/procedures/move-in/")
    axe = Accessibility(axe_script)

    tab_to(page, "#id_address")
    page.keyboard.type("東京都千代田区九段南１丁目２番１号")  # full-width digits, as often typed
    page.keyboard.press("Tab")  # leaving the field asks for its buildings
    page.wait_for_selector('#building-candidates option[value="九段ハイツ"]', state="attached")
    offered = page.eval_on_selector_all("#building-candidates option", "options => options.map(o => o.value)")
    assert offered == ["アーバン九段", "九段ハイツ"]
    assert page.get_attribute("#id_building", "list") == "building-candidates"
    axe.check(page, "41-move-in-building-choices")

    tab_to(page, "#id_address")
    page.keyboard.press("Control+a")
    page.keyboard.type("東京都千代田区千代田1番1号")
    page.keyboard.press("Tab")
    page.wait_for_function("document.querySelectorAll('#building-candidates option').length === 0")
    chromium.close()
    axe.assert_accessible()
