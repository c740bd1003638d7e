"""A certificate at the counter in a real browser, by keyboard only: from the record (Alt+C) choose the items and
the requester, confirm, issue; the issue number is shown and the signed PDF opens inline. Screenshots under
var/test-artifacts/e2e/."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

from kiban.apps.residents import services
from kiban.apps.residents.models import Certificate
from kiban.apps.residents.permissions import CLERK
from kiban.apps.residents.validation import PersonData
from kiban.platform.tenants.context import tenant_context
from tests.conftest import CODE_A, PASSWORD, register_test_certifier, totp_code
from tests.e2e.conftest import ARTIFACTS, E2E_DB, focused, sign_in_by_keyboard, tab_to

pytestmark = E2E_DB


def _setup(username: str = "certificate.clerk", role: str = CLERK.code) -> tuple[Any, int]:
    """A staff user (a clerk unless ``role`` says otherwise) and one resident of 千代田区, the mayor certifying."""
    from kiban.platform.accounts.services import create_staff, enroll_totp
    from kiban.platform.tenants.services import provision

    tenant = provision(CODE_A)
    register_test_certifier(CODE_A)
    user = create_staff(tenant, username, PASSWORD, [role])
    enroll_totp(user)
    with tenant_context(CODE_A):
        person = PersonData(family_name="山田", given_name="花子", family_name_kana="ヤマダ", given_name_kana="ハナコ",
                            birth_date=date(1980, 4, 2), sex="2", relationship="世帯主")  # fmt: skip
        result = services.move_in(services.Notification(f"e2e-{username}", date(2015, 4, 1), date(2015, 4, 1)),
                                  address=services.AddressData("東京都千代田区千代田1番1号"), persons=[person],
                                  origin="abroad")  # fmt: skip
    return user, result.resident_ids[0]


def test_a_certificate_by_keyboard_only(counter_server: str, browser: Any) -> None:
    user, resident_id = _setup()
    code = totp_code(user)  # read before the live server runs (on SQLite it shares this connection)
    chromium = browser()
    page = chromium.page
    record = f"/staff/residents/{resident_id}/"
    sign_in_by_keyboard(page, counter_server, user, code, record, "purpose=住民票の写し")

    page.keyboard.press("Alt+c")
    page.wait_for_url(lambda url: urlsplit(url).path == f"{record}certificate/")
    assert focused(page, "id") == "id_kind"
    tab_to(page, "#id_items_0")  # 世帯主・続柄
    page.keyboard.press("Space")
    tab_to(page, "#id_requester")
    page.keyboard.press("ArrowDown")  # 本人
    tab_to(page, "#id_requester_resident_id")
    page.keyboard.press("ArrowDown")  # the person
    tab_to(page, "#id_requester_name")
    page.keyboard.type("山田　花子")
    page.keyboard.press("Tab")
    page.keyboard.type("運転免許証の申請")
    page.screenshot(path=str(ARTIFACTS / "11-certificate-entry.png"), full_page=True)
    page.keyboard.press("Enter")

    page.wait_for_selector("text=次の内容で記録します")
    assert "世帯主・続柄" in page.content() and focused(page, "value") == "record"
    page.keyboard.press("Enter")

    page.wait_for_selector("#issue-number")
    issue_number = page.inner_text("#issue-number")
    page.screenshot(path=str(ARTIFACTS / "12-certificate-issued.png"), full_page=True)
    href = page.get_attribute("a[accesskey=p]", "href")
    pdf = page.request.get(f"{counter_server}{href}")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    assert pdf.headers["content-disposition"].startswith("inline;")
    chromium.close()
    with tenant_context(CODE_A):
        issued = Certificate.objects.get()
        assert issued.issue_number == issue_number and issued.items == ["householder"]
