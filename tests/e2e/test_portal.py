"""The resident portal in a real browser: sign-in through the demo provider, the 転居届 by keyboard alone (with a
draft saved and resumed), electronic approval by two staff members, a rejection the resident reads, a copy of the
resident record downloaded and verified, and the failure paths (wrong input, expired session, refused match,
unreachable provider).

Every page visited is checked with axe-core for WCAG 2.2 A/AA (in the normal, large-text, high-contrast and English
modes) and photographed under var/test-artifacts/e2e/portal/. axe-core is the npm package pinned in
tests/e2e/axe/package.json; it is installed with ``npm ci`` on first use, and the tests are skipped with the reason
where npm cannot reach the registry.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import pytest
from django.db import connections
from django.utils import timezone

from kiban.apps.residents import services as registry
from kiban.apps.residents.validation import PersonData
from kiban.idp.services import create_identity, register_portal_client
from kiban.platform.tenants.context import tenant_context
from kiban.platform.tenants.services import provision
from kiban.standard.era import format_date
from tests.conftest import CODE_A, PASSWORD, register_test_certifier, totp_code
from tests.e2e.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, Accessibility, focused

pytestmark = pytest.mark.postgres

SHOTS = ARTIFACTS / "portal"
T = TypeVar("T")
PIN = "card-pin-for-e2e-2026"
CLIENT_SECRET = "kiban-portal-e2e-secret"


class Chromium:
    """Debian's Chromium through Playwright, with one context (cookie jar) per person. It starts with the first
    person, so make the test's data before that: once Playwright's event loop runs in this thread, the ORM is used
    only through ``_orm`` (Django's connections would otherwise belong to the loop and outlive the test)."""

    def __init__(self) -> None:
        self._playwright: Any = None
        self._browser: Any = None

    def person(self, locale: str = "ja-JP") -> Any:
        if self._browser is None:
            from playwright.sync_api import sync_playwright

            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
        context = self._browser.new_context(
            locale=locale, timezone_id="Asia/Tokyo", viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        context.set_default_timeout(15_000)
        return context.new_page()

    def close(self) -> None:
        if self._browser is not None:
            self._browser.close()
            self._playwright.stop()


def _orm(function: Callable[..., T], *args: Any) -> T:
    """Run ``function`` in a thread of its own, its database connection closed after (see ``Chromium``)."""

    def run() -> T:
        try:
            return function(*args)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


@pytest.fixture(scope="session")
def static_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The collected static files: the live server serves STATIC_ROOT, and the checks need the real styles (colour
    contrast, focus rings, target sizes)."""
    from django.core.management import call_command
    from django.test import override_settings

    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def portal(
    counter_server: str, settings: Any, axe_script: str, static_root: Path
) -> Iterator[tuple[str, Chromium, Accessibility]]:
    """The live server with the portal as an OIDC client of its own demo provider, a browser and the page checks."""
    settings.STATIC_ROOT = static_root
    settings.KIBAN_PORTAL_OIDC = {
        **settings.KIBAN_PORTAL_OIDC,
        "metadata_url": f"{counter_server}/o/.well-known/openid-configuration",
        "client_id": "kiban-portal-e2e",
        "client_secret": CLIENT_SECRET,
    }
    provision(CODE_A)
    register_test_certifier(CODE_A)
    register_portal_client("kiban-portal-e2e", CLIENT_SECRET, f"{counter_server}/portal/callback/")
    chromium = Chromium()
    try:
        yield counter_server, chromium, Accessibility(axe_script, SHOTS)
    finally:
        chromium.close()


# --- data ------------------------------------------------------------------------------------------------------


def _family(address: str = "東京都千代田区九段南一丁目2番1号") -> tuple[int, int]:
    """A mother and her child in one household, moved in from abroad through the registry's own procedure."""

    def person(given: str, kana: str, born: datetime.date, sex: str, relationship: str) -> PersonData:
        return PersonData(
            family_name="山田",
            given_name=given,
            family_name_kana="ヤマダ",
            given_name_kana=kana,
            birth_date=born,
            sex=sex,
            relationship=relationship,
        )

    with tenant_context(CODE_A):
        result = registry.move_in(
            registry.Notification(f"e2e-{address}", datetime.date(2020, 4, 1), datetime.date(2020, 4, 1)),
            address=registry.AddressData(address),
            origin="abroad",
            persons=[
                person("花子", "ハナコ", datetime.date(1985, 6, 15), "2", "世帯主"),
                person("太郎", "タロウ", datetime.date(2015, 1, 1), "1", "子"),
            ],
        )
    mother, child = result.resident_ids
    return mother, child


def _identity(username: str, *, given: str = "花子", address: str = "東京都千代田区九段南1-2-1") -> None:
    """What the ID card app would assert (the address written the short way: it still matches)."""
    create_identity(
        username,
        PIN,
        family_name="山田",
        given_name=given,
        birth_date=datetime.date(1985, 6, 15),
        sex="2",
        address=address,
    )


def _staff(username: str, role: str) -> Any:
    from kiban.platform.accounts.models import User
    from kiban.platform.accounts.services import create_staff, enroll_totp
    from kiban.platform.tenants.models import Tenant

    user = create_staff(Tenant.objects.get(code=CODE_A), username, PASSWORD, [role])
    enroll_totp(user)
    return User.objects.get(id=user.id)


# --- keyboard --------------------------------------------------------------------------------------------------


def _tab_to(page: Any, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching ``selector`` has the focus, as a keyboard user moves through a page."""
    target = page.locator(selector).first
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def _enter(page: Any) -> None:
    """Press Enter on a link or a form's button and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()


def _wait_for_path(page: Any, path: str) -> None:
    page.wait_for_url(lambda url: urlsplit(url).path == path)
    page.wait_for_load_state()


def _focus_is_visible(page: Any) -> bool:
    """The focused element draws an outline (WCAG 2.4.7): the design system's yellow focus ring."""
    return bool(
        page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2; }"
        )
    )


def _sign_in(page: Any, server: str, pages: Accessibility, username: str, prefix: str) -> None:
    """From the portal's start page to the resident's page, by keyboard: the municipality, then user id and PIN at
    the demo provider (standing in for the card and its PIN)."""
    page.goto(f"{server}/portal/")
    pages.check(page, f"{prefix}-home")
    _tab_to(page, f'a[href="/portal/{CODE_A}/login/"]')
    assert _focus_is_visible(page)
    _enter(page)
    _wait_for_path(page, "/idp/login/")
    pages.check(page, f"{prefix}-idp-sign-in")
    _tab_to(page, "#id_username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PIN)
    _enter(page)
    page.wait_for_url(lambda url: "/idp/login/" not in url and "/o/authorize/" not in url)
    page.wait_for_load_state()


def _staff_sign_in(page: Any, server: str, user: Any, path: str) -> None:
    page.goto(f"{server}/login/?next={path}")
    _tab_to(page, "#id_username")
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.type(_orm(totp_code, user))
    _enter(page)
    _wait_for_path(page, path)


def _start(page: Any, pages: Accessibility, button: str, prefix: str) -> str:
    """From the resident's page to a new draft of the procedure whose button says ``button``."""
    _tab_to(page, f'a[href="/portal/{CODE_A}/procedures/"]')
    _enter(page)
    _wait_for_path(page, f"/portal/{CODE_A}/procedures/")
    pages.check(page, f"{prefix}-procedures")
    _tab_to(page, f'button:has-text("{button}")')
    _enter(page)
    page.wait_for_url(lambda url: "/submissions/" in url)
    page.wait_for_load_state()
    return urlsplit(page.url).path


def _decide(page: Any, pages: Accessibility, note: str, button: str, name: str) -> None:
    """A staff member writes the note and presses the decision button, by keyboard."""
    pages.check(page, name)
    _tab_to(page, "#id_note")
    page.keyboard.type(note)
    _tab_to(page, f'button:has-text("{button}")')
    _enter(page)
    page.wait_for_load_state()


# --- tests -----------------------------------------------------------------------------------------------------


def test_move_within_by_keyboard_alone_then_drafted_and_approved_by_staff(portal: Any) -> None:
    server, chromium, pages = portal
    _, child = _family()
    _identity("hanako")
    clerk, boss = _staff("portal.clerk", "residents.clerk"), _staff("portal.boss", "residents.supervisor")
    moved_on = timezone.localdate() - datetime.timedelta(days=2)
    resident = chromium.person()

    _sign_in(resident, server, pages, "hanako", "10")
    assert urlsplit(resident.url).path == f"/portal/{CODE_A}/" and "山田 花子 さん" in resident.content()
    pages.check(resident, "11-mypage")
    url = _start(resident, pages, "転居届", "12")

    # What the municipality holds is shown, not asked; the resident enters only address, date and who moves.
    assert "東京都千代田区九段南一丁目2番1号" in resident.content()
    pages.check(resident, "13-move-within-empty")

    # Wrong input: the message is next to the field, the field says it is invalid and points at the message.
    _tab_to(resident, "#id_moved_on")
    resident.keyboard.type("R8.13.1")
    _tab_to(resident, 'button[name="save"]')
    _enter(resident)
    resident.wait_for_selector("#id_moved_on[aria-invalid=true]")
    pages.check(resident, "14-move-within-errors")
    for field, message in (("address", "新しい住所を入力してください"), ("moved_on", "日付の形式が正しくありません")):
        described = resident.get_attribute(f"#id_{field}", "aria-describedby") or ""
        errors = [resident.inner_text(f"#{i}") for i in described.split() if i.endswith("-error")]
        assert errors and message in errors[0], (field, described, errors)
    assert focused(resident, "id") == "id_address"  # the first wrong field has the focus

    # The address (full-width digits as typed), the date in the era calendar, the child too; saved as a draft.
    resident.keyboard.type("東京都千代田区一番町１番")
    _tab_to(resident, "#id_moved_on")
    resident.keyboard.press("Control+a")
    resident.keyboard.type(format_date(moved_on, style="short"))
    _tab_to(resident, f"input[name=members][value='{child}']")
    resident.keyboard.press("Space")
    _tab_to(resident, 'button[name="save"]')
    _enter(resident)
    _wait_for_path(resident, url)
    pages.check(resident, "15-move-within-draft-saved")

    # Resumed from the list of applications: what was typed is still there.
    _tab_to(resident, f'a[href="/portal/{CODE_A}/procedures/"]')
    _enter(resident)
    _wait_for_path(resident, f"/portal/{CODE_A}/procedures/")
    pages.check(resident, "16-procedures-with-draft")
    _tab_to(resident, f'a[href="{url}"]')
    _enter(resident)
    _wait_for_path(resident, url)
    assert resident.input_value("#id_address") == "東京都千代田区一番町1番"
    assert resident.input_value("#id_moved_on") == moved_on.isoformat()
    assert resident.is_checked(f"input[name=members][value='{child}']")
    _tab_to(resident, 'button[name="submit"]')
    _enter(resident)
    _wait_for_path(resident, url)
    assert "受付待ち" in resident.inner_text("main")
    pages.check(resident, "17-move-within-submitted")
    submission_id = url.rstrip("/").rsplit("/", 1)[1]

    # 電子決裁: the clerk reviews and drafts (起案), the supervisor approves (決裁), each in their own browser.
    staff = chromium.person()
    detail = f"/staff/portal/{submission_id}/"
    _staff_sign_in(staff, server, clerk, "/staff/portal/")
    pages.check(staff, "18-staff-queue")
    _tab_to(staff, f'a[href="{detail}"]')
    _enter(staff)
    _wait_for_path(staff, detail)
    _decide(staff, pages, "住所を確認しました。", "起案する", "19-staff-detail-submitted")
    _wait_for_path(staff, detail)
    assert "決裁待ち" in staff.inner_text("main")

    supervisor = chromium.person()
    _staff_sign_in(supervisor, server, boss, detail)
    _decide(supervisor, pages, "", "決裁する", "20-staff-detail-drafted")
    _wait_for_path(supervisor, detail)
    assert "完了" in supervisor.inner_text("main")
    pages.check(supervisor, "21-staff-detail-approved")

    resident.reload()
    status = resident.inner_text("main")
    assert "完了" in status and "手続きが完了しました" in status
    pages.check(resident, "22-move-within-completed")
    pages.assert_accessible()


def test_move_out_rejected_with_a_reason_the_resident_reads(portal: Any) -> None:
    server, chromium, pages = portal
    _family()
    _identity("hanako")
    clerk = _staff("portal.clerk", "residents.clerk")
    resident = chromium.person()
    _sign_in(resident, server, pages, "hanako", "30")
    url = _start(resident, pages, "転出届", "31")
    pages.check(resident, "32-move-out-empty")
    _tab_to(resident, "#id_destination_address")
    resident.keyboard.type("大阪府大阪市北区中之島1丁目3番20号")
    _tab_to(resident, "#id_planned_on")
    resident.keyboard.type(format_date(timezone.localdate() + datetime.timedelta(days=10), style="long"))
    _tab_to(resident, 'button[name="submit"]')
    _enter(resident)
    _wait_for_path(resident, url)
    assert "受付待ち" in resident.inner_text("main")
    submission_id = url.rstrip("/").rsplit("/", 1)[1]

    staff = chromium.person()
    detail = f"/staff/portal/{submission_id}/"
    _staff_sign_in(staff, server, clerk, detail)
    reason = "転出先の住所に番地が足りません。窓口でご相談ください。"
    _decide(staff, pages, reason, "却下する", "33-staff-detail-to-reject")
    _wait_for_path(staff, detail)

    resident.reload()
    alert = resident.inner_text("[role=alert]")
    assert "受け付けられませんでした" in alert and reason in alert
    pages.check(resident, "34-move-out-rejected")
    pages.assert_accessible()


def test_a_copy_of_the_resident_record_is_downloaded_and_verified_by_its_code(portal: Any) -> None:
    from kiban.portal.models import Submission

    server, chromium, pages = portal
    _, child = _family()
    _identity("hanako")
    resident = chromium.person()
    _sign_in(resident, server, pages, "hanako", "40")
    _tab_to(resident, f'a[href="/portal/{CODE_A}/procedures/"]')
    _enter(resident)
    _wait_for_path(resident, f"/portal/{CODE_A}/procedures/")
    _tab_to(resident, f'a[href="/portal/{CODE_A}/certificate/"]')
    _enter(resident)
    _wait_for_path(resident, f"/portal/{CODE_A}/certificate/")
    pages.check(resident, "41-certificate")

    # Without a purpose: the message next to the field.
    _tab_to(resident, "button[type=submit]:not([form])")
    _enter(resident)
    resident.wait_for_selector("#id_purpose[aria-invalid=true]")
    assert "使いみちを入力してください" in resident.inner_text("#id_purpose-error")
    pages.check(resident, "42-certificate-errors")

    _tab_to(resident, f"input[name=members][value='{child}']")
    resident.keyboard.press("Space")
    _tab_to(resident, "input[name=items][value=householder]")
    resident.keyboard.press("Space")
    _tab_to(resident, "#id_purpose")
    resident.keyboard.type("パスポートの申請")
    _tab_to(resident, "button[type=submit]:not([form])")
    with resident.expect_download() as download_info:
        resident.keyboard.press("Enter")
    download = download_info.value
    assert download.suggested_filename.startswith("juminhyo-") and download.suggested_filename.endswith(".pdf")
    pdf = SHOTS / download.suggested_filename
    download.save_as(str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF-")

    def issued_code() -> str:
        with tenant_context(CODE_A):
            return str(Submission.objects.get(procedure="resident-copy").data["verification_code"])

    code = _orm(issued_code)
    public = chromium.person()
    public.goto(f"{server}/verify/{code}/")
    assert "発行したものです" in public.inner_text("[role=status]")
    pages.check(public, "43-verify-genuine")
    public.goto(f"{server}/verify/{CODE_A}-NOSUCHCODE/")
    assert "見つかりません" in public.inner_text("[role=alert]")
    pages.check(public, "44-verify-unknown")
    pages.assert_accessible()


def test_an_expired_session_sends_the_resident_back_to_sign_in(portal: Any) -> None:
    server, chromium, pages = portal
    _family()
    _identity("hanako")
    resident = chromium.person()
    _sign_in(resident, server, pages, "hanako", "50")
    url = _start(resident, pages, "転居届", "51")
    resident.context.clear_cookies(name="sessionid")  # the session timed out while the form was open
    _tab_to(resident, "#id_address")
    resident.keyboard.type("東京都千代田区一番町1番")
    _tab_to(resident, 'button[name="save"]')
    _enter(resident)
    _wait_for_path(resident, "/idp/login/")  # back to sign in (the provider's session ended with it)
    assert resident.is_visible("#id_username")
    assert urlsplit(url).path != urlsplit(resident.url).path
    pages.check(resident, "52-expired-back-to-sign-in")
    pages.assert_accessible()


def test_a_refused_match_and_a_wrong_pin_and_an_unreachable_provider_are_explained(portal: Any, settings: Any) -> None:
    server, chromium, pages = portal
    _identity("stranger", given="次郎")  # no resident record matches
    resident = chromium.person()

    page = chromium.person()
    page.goto(f"{server}/portal/{CODE_A}/login/")
    _wait_for_path(page, "/idp/login/")
    _tab_to(page, "#id_username")
    page.keyboard.type("stranger")
    page.keyboard.press("Tab")
    page.keyboard.type("not-the-pin")
    _enter(page)
    page.wait_for_selector(".errorlist")
    assert "暗証番号が違います" in page.inner_text("main")
    pages.check(page, "60-idp-wrong-pin")

    _sign_in(resident, server, pages, "stranger", "61")
    assert "見つかりませんでした" in resident.inner_text("[role=alert]")
    assert resident.title().startswith("ご利用いただけません")
    pages.check(resident, "62-refused-no-match")

    settings.KIBAN_PORTAL_OIDC = {**settings.KIBAN_PORTAL_OIDC, "metadata_url": "http://127.0.0.1:9/nothing-here"}
    response = resident.goto(f"{server}/portal/{CODE_A}/login/")
    assert response is not None and response.status == 503
    assert "つながりません" in resident.inner_text("[role=alert]")
    pages.check(resident, "63-provider-unreachable")
    pages.assert_accessible()


def test_large_text_high_contrast_and_english_pass_axe_too(portal: Any) -> None:
    server, chromium, pages = portal
    _family()
    _identity("hanako")
    resident = chromium.person()
    _sign_in(resident, server, pages, "hanako", "70")
    mypage = f"/portal/{CODE_A}/"
    for switch, name in (("large=1", "71-large-text"), ("contrast=1", "72-large-text-high-contrast")):
        _tab_to(resident, f'a[href*="{switch}"]')
        _enter(resident)
        _wait_for_path(resident, mypage)
        pages.check(resident, f"{name}-mypage")
    assert "large-text" in (resident.get_attribute("body", "class") or "")
    assert "high-contrast" in (resident.get_attribute("body", "class") or "")
    url = _start(resident, pages, "転居届", "73-high-contrast")
    _tab_to(resident, 'button[name="submit"]')
    _enter(resident)
    resident.wait_for_selector("[aria-invalid=true]")
    pages.check(resident, "74-high-contrast-errors")

    # Readings (ruby) and plain Japanese, then English: the same pages, the same checks.
    for switch in ("ruby=1", "easy=1"):
        _tab_to(resident, f'a[href*="{switch}"]')
        _enter(resident)
        _wait_for_path(resident, url)
    assert resident.locator("main ruby").count() > 0
    pages.check(resident, "75-plain-japanese-with-readings")
    _tab_to(resident, 'a[href*="lang=en"]')
    _enter(resident)
    _wait_for_path(resident, url)
    assert resident.get_attribute("html", "lang") == "en"
    main = resident.inner_text("main")
    assert "Moving within the municipality" in main and "転居届" not in main
    pages.check(resident, "76-english-procedure")
    _tab_to(resident, 'button[name="submit"]')
    _enter(resident)
    resident.wait_for_selector("[aria-invalid=true]")
    assert "New address is required." in resident.inner_text("#id_address-error")
    pages.check(resident, "77-english-errors")
    resident.goto(f"{server}/portal/{CODE_A}/certificate/")
    pages.check(resident, "78-english-certificate")
    pages.assert_accessible()
