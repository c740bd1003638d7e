"""文字コード照会 (標準仕様書 2.2.3) in a real browser: from the record page's button to the enlarged characters with
their codes, by keyboard; axe-core (WCAG 2.2 A/AA) on the page. Screenshot under var/test-artifacts/e2e/."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import E2E_DB, Accessibility, signed_in_on_a_record, tab_to, wait_for_path

pytestmark = E2E_DB


def test_a_names_characters_enlarged_by_keyboard(counter_server: str, browser: Any, axe_script: str) -> None:
    chromium, _resident = signed_in_on_a_record(browser, counter_server, "/staff/residents/{id}/", "purpose=文字の確認")
    page = chromium.page  # on the record of 山田 花子
    axe = Accessibility(axe_script)
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
