"""文字コード照会 (標準仕様書 2.2.3) in a real browser: from the record page's button to the enlarged characters with
their codes, by keyboard; axe-core (WCAG 2.2 A/AA) on the page. Screenshot under var/test-artifacts/e2e/."""

from __future__ import annotations

from typing import Any

from tests.conftest import totp_code
from tests.e2e.conftest import E2E_DB, Accessibility, sign_in_by_keyboard, tab_to, wait_for_path
from tests.e2e.test_counter_certificate import _setup

pytestmark = E2E_DB


def test_a_names_characters_enlarged_by_keyboard(counter_server: str, browser: Any, axe_script: str) -> None:
    user, resident_id = _setup()  # 山田 花子
    code = totp_code(user)
    chromium = browser()
    page = chromium.page
    axe = Accessibility(axe_script)
    record = f"/staff/residents/{resident_id}/"
    sign_in_by_keyboard(page, counter_server, user, code, record, "purpose=文字の確認")
    tab_to(page, "#character-lookup button")
    page.keyboard.press("Enter")
    wait_for_path(page, "/staff/residents/characters/")
    page.wait_for_selector("#characters")
    cells = page.locator("td.char-big").all_inner_texts()
    assert cells == ["山", "田", "花", "子"]
    assert "U+5C71" in page.inner_text("#characters")
    big = page.eval_on_selector("td.char-big", "td => parseFloat(getComputedStyle(td).fontSize)")
    assert big >= 48  # enlarged: 4rem
    axe.check(page, "41-character-lookup")
    chromium.close()
    axe.assert_accessible()
