"""Browser tests: Playwright driving Debian's Chromium against a live Kiban server.

Skipped, with the reason, where ``/usr/bin/chromium`` or the ``playwright`` package is missing (CI installs both:
see docs/residents/counter.md). Playwright cannot download its own browsers here, so the system Chromium is used.

The server: on SQLite pytest-django's ``live_server``, sharing the test's in-memory connection (see ``E2E_DB``);
on PostgreSQL the project's ``kiban_server`` over ``committed_db``, because the application role may not flush
tables (row-level security, append-only triggers) and the committed rows are wiped as the owner.

axe-core (``axe_script``) is the npm package pinned in tests/e2e/axe/package.json; it is installed with ``npm ci`` on
first use, and the tests that check pages with it are skipped with the reason where npm cannot reach the registry.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from tests.conftest import ON_POSTGRES, PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "e2e"
AXE_DIR = Path(__file__).resolve().parent / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


# On SQLite the live server's thread is handed the test's own in-memory connection (pytest-django does that for
# in-memory SQLite), so it sees the test's rows inside the test's transaction, rolled back at the end as usual. A
# transactional test would not do: its flush deletes rows, and the audit trail's triggers refuse deletes.
E2E_DB = [] if ON_POSTGRES else [pytest.mark.django_db]


def _missing() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install playwright; browsers are not downloaded)"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install -y chromium fonts-noto-cjk)"
    return None


@pytest.fixture
def counter_server(request: pytest.FixtureRequest, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The base URL of a live server whose data the test shares."""
    reason = _missing()
    if reason:
        pytest.skip(reason)
    # Playwright's sync API runs an event loop in the test thread; the test's own ORM calls are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False  # plain HTTP on the loopback
    if ON_POSTGRES:
        yield request.getfixturevalue("kiban_server")
        return
    if not request.node.get_closest_marker("django_db"):
        raise RuntimeError("mark the test with tests.e2e.conftest.E2E_DB")
    yield request.getfixturevalue("live_server").url


class Browser:
    """A Chromium page driven by Playwright. ``close()`` stops Playwright, after which the test may use the ORM
    again (while Playwright's event loop runs in this thread, Django's connections are not this thread's own)."""

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        context = self._browser.new_context(
            locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(15_000)
        self.page = context.new_page()
        self.closed = False

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._browser.close()
            self._playwright.stop()


@pytest.fixture
def browser(counter_server: str) -> Iterator[Any]:
    """Start it only after the test has made its data: call ``browser()``; it is closed at the end anyway."""
    started: list[Browser] = []

    def start() -> Browser:
        started.append(Browser())
        return started[-1]

    try:
        yield start
    finally:
        for b in started:
            b.close()


# --- axe-core ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def axe_script() -> str:
    """The source of axe-core, installed from the lock file if needed (or the tests are skipped, with the reason)."""
    if not AXE_JS.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed: cannot install axe-core (apt-get install -y npm)")
        try:
            done = subprocess.run(
                [npm, "ci", "--prefix", str(AXE_DIR), "--no-audit", "--no-fund"],
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
        except subprocess.TimeoutExpired:
            pytest.skip("npm ci for axe-core timed out: the npm registry cannot be reached")
        if done.returncode != 0 or not AXE_JS.exists():
            pytest.skip(f"npm ci --prefix tests/e2e/axe failed (npm registry unreachable?): {done.stderr[-500:]}")
    return AXE_JS.read_text(encoding="utf-8")


def _readable(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"      at {', '.join(map(str, node['target']))}: {node['html'][:160]}")
            lines.append(f"         {summary[:300]}")
        if len(v["nodes"]) > 5:
            lines.append(f"      … and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


class Accessibility:
    """What a browser test saw: a screenshot of every page it checks (under ``shots``) and the axe-core findings
    (WCAG 2.2 A/AA), asserted at the end of the test so that one run reports every page."""

    def __init__(self, script: str, shots: Path = ARTIFACTS) -> None:
        self.script, self.shots = script, shots
        self.findings: dict[str, list[dict[str, Any]]] = {}
        shots.mkdir(parents=True, exist_ok=True)

    def check(self, page: Any, name: str) -> None:
        page.wait_for_load_state()
        page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(self.script)
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            WCAG_TAGS,
        )
        assert len(result["passes"]) > 10, f"axe-core checked almost nothing on {page.url}"
        if result["violations"]:
            self.findings[f"{name} ({page.url})"] = result["violations"]
            print(f"axe-core on {name} ({page.url}):\n{_readable(result['violations'])}")  # shown if the test fails

    def assert_accessible(self) -> None:
        report = "\n".join(f"{page}:\n{_readable(v)}" for page, v in self.findings.items())
        assert not self.findings, f"axe-core found WCAG 2.2 A/AA violations:\n{report}"


def focused(page: Any, prop: str) -> Any:
    """``document.activeElement[prop]`` once the page has put the focus somewhere: the browser applies
    ``autofocus`` while rendering, which may come after the load event (reading at once raced in one run)."""
    page.wait_for_function("document.activeElement && document.activeElement !== document.body")
    return page.evaluate(f"document.activeElement.{prop}")


def tab_to(page: Any, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching ``selector`` has the focus (the way a clerk moves through a form)."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def wait_for_path(page: Any, path: str) -> None:
    page.wait_for_url(lambda url: urlsplit(url).path == path)
    page.wait_for_load_state()


def sign_in_by_keyboard(page: Any, server: str, user: Any, code: str, path: str, query: str = "") -> None:
    """Through the real form, by keyboard: user name, password, the TOTP code, Enter; on to ``path?query``."""
    page.goto(f"{server}/login/?next={quote(path + ('?' + query if query else ''), safe='/')}")
    tab_to(page, "#id_username")
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    wait_for_path(page, path)


def signed_in_on_a_record(browser: Any, server: str, page_of: str, query: str) -> tuple[Any, int]:
    """A clerk with one resident on the register (``test_counter_certificate._setup``), signed in by keyboard and
    sent to ``page_of.format(id=<the resident's id>)``: the browser and the resident's id."""
    from tests.conftest import totp_code
    from tests.e2e.test_counter_certificate import _setup

    user, resident_id = _setup()
    code = totp_code(user)  # read before the live server runs (on SQLite it shares this connection)
    chromium = browser()
    sign_in_by_keyboard(chromium.page, server, user, code, page_of.format(id=resident_id), query)
    return chromium, resident_id
