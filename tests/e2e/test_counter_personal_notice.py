"""本人通知 at the counter in a real browser (標準仕様書 8.1.2, j1230): issuing a certificate of a person registered for
本人通知, the notice is on the entry, confirmation and done pages — in words, with its role, not by colour alone —
and each page passes axe-core (WCAG 2.2 A/AA). Screenshots under var/test-artifacts/e2e/."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kiban.apps.residents import personal_notice
from kiban.apps.residents.models import Certificate, PersonalNoticeSent
from kiban.apps.residents.permissions import SUPERVISOR
from kiban.platform.accounts.services import create_staff, enroll_totp
from kiban.platform.tenants.context import tenant_context
from kiban.platform.tenants.models import Tenant
from tests.conftest import CODE_A, PASSWORD, totp_code
from tests.e2e.conftest import E2E_DB, Accessibility, sign_in_by_keyboard, tab_to
from tests.e2e.test_counter_certificate import _setup

pytestmark = E2E_DB


def test_the_personal_notice_is_shown_when_issuing(counter_server: str, browser: Any, axe_script: str) -> None:
    user, resident_id = _setup()
    with tenant_context(CODE_A):
        personal_notice.register(resident_id, timezone.localdate(), 3)
    code = totp_code(user)  # read before the live server runs (on SQLite it shares this connection)
    chromium = browser()
    page = chromium.page
    axe = Accessibility(axe_script)
    sign_in_by_keyboard(page, counter_server, user, code, f"/staff/residents/{resident_id}/certificate/")

    warning = page.locator("#personal-notice-warning")
    assert warning.is_visible() and warning.get_attribute("role") == "alert"
    assert "本人通知の事前登録者: 山田 花子" in warning.inner_text()
    axe.check(page, "41-personal-notice-entry")

    page.select_option("#id_requester", "proxy")
    tab_to(page, "#id_requester_name")
    page.keyboard.type("代理人　乙野")
    page.keyboard.press("Tab")
    page.keyboard.type("相続手続")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=次の内容で記録します")
    assert "本人通知の事前登録者: 山田 花子" in page.inner_text("#personal-notice-warning")
    axe.check(page, "42-personal-notice-confirm")
    page.keyboard.press("Enter")

    page.wait_for_selector("#issue-number")
    assert "本人通知の事前登録者に交付しました: 山田 花子" in page.inner_text("#personal-notice-warning")
    axe.check(page, "43-personal-notice-issued")
    chromium.close()
    with tenant_context(CODE_A):
        assert Certificate.objects.get().requester == "proxy"
    axe.assert_accessible()


def test_a_supervisor_registers_a_person_and_lists_the_notices(
    counter_server: str, browser: Any, axe_script: str
) -> None:
    _clerk, resident_id = _setup()
    boss = create_staff(Tenant.objects.get(code=CODE_A), "notice.boss", PASSWORD, [SUPERVISOR.code])
    enroll_totp(boss)
    today = timezone.localdate()  # an issuance to a third party today, written before the server runs
    with tenant_context(CODE_A):
        Certificate.objects.create(
            kind="resident_copy", layout="individual", resident_ids=[resident_id], items=[], requester="third_party",
            requester_name="弁護士　甲野", purpose="訴訟手続", issue_number="E2E-0001", verification_code="E2E-CODE",
            sha256="ab" * 32, issued_on=today, issued_by="staff:clerk", sheets=1,
        )  # fmt: skip
    code = totp_code(boss)
    chromium = browser()
    page = chromium.page
    axe = Accessibility(axe_script)
    url = f"/staff/residents/{resident_id}/personal-notice/"
    sign_in_by_keyboard(page, counter_server, boss, code, url, "purpose=本人通知の申出")
    axe.check(page, "44-personal-notice-registration")
    tab_to(page, "form button.primary")
    page.keyboard.press("Enter")
    page.wait_for_selector("#done")
    assert "登録中" in page.inner_text("#status")
    axe.check(page, "45-personal-notice-registered")
    page.goto(f"{counter_server}/staff/residents/personal-notices/?condition=registered&start={today}&end={today}")
    page.wait_for_selector("#notice-preview")
    axe.check(page, "46-personal-notices")
    assert page.is_visible("#print-form button")  # printing itself: test_personal_notice.py (a PDF download)
    chromium.close()
    with tenant_context(CODE_A):
        assert personal_notice.active(resident_id) is not None
        assert PersonalNoticeSent.objects.count() == 0  # listed, not printed
    axe.assert_accessible()
