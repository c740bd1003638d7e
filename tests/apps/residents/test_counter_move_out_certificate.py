"""転出証明書 at the counter, in the course of the 転出 (標準仕様書 4.1.3.0.3, j660): after the 本登録 of a move-out
the results link to its certificate page, which issues it once and reissues a lost one marked 再交付; the record of
the person who moved out links to the same page. A second click issues nothing more; another move-out's certificate,
a procedure that is no move-out and another municipality's procedure are refused."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kiban.apps.residents import services
from kiban.apps.residents.models import MoveOutCertificate, Procedure, Resident
from kiban.platform.tenants.context import tenant_context
from tests.apps.residents.counter_helpers import _register, _state
from tests.conftest import sign_in

from .test_certificates import certified_household, no_certifier

BASE = "/staff/residents"


@pytest.fixture
def household(tenant_a: Any) -> list[int]:
    return certified_household(tenant_a)


def _move_out_at_the_counter(
    tenant: Any, clerk: Client, supervisor: Client, ids: list[int], days_ago: int = 0
) -> tuple[str, int]:
    """転出届 through the wizard, registered by the supervisor; the results page after 本登録 and the procedure."""
    url = f"{BASE}/procedures/move-out/"
    with tenant_context(tenant.code):
        household_id = Resident.objects.get(id=ids[0]).household_id
    start = clerk.get(url, {"household": household_id})
    day = (timezone.localdate() - datetime.timedelta(days=days_ago)).isoformat()
    data = {"effective_on": day, "notified_on": timezone.localdate().isoformat(),
            "destination_address": "大阪府大阪市北区中之島1丁目3番20号", "resident_ids": ids}  # fmt: skip
    confirm = clerk.post(url, {"state": _state(start), "action": "next", **data})
    assert "の確認" in confirm.content.decode(), confirm.content.decode()[:3000]
    assert clerk.post(url, {"state": _state(confirm), "action": "record"}).status_code == 302
    results = _register(supervisor).content.decode()
    with tenant_context(tenant.code):
        return results, Procedure.objects.get(kind="国内転出").id


def _token(page: Any) -> str:
    match = re.search(r'name="token" value="([0-9a-f]+)"', page.content.decode())
    assert match, page.content.decode()[:2000]
    return match.group(1)


def _certificates(tenant: Any) -> list[MoveOutCertificate]:
    with tenant_context(tenant.code):
        return list(MoveOutCertificate.objects.order_by("id"))


def test_issued_after_registration_printed_and_reissued_once_each(
    clerk: Client, supervisor: Client, tenant_a: Any, household: list[int]
) -> None:
    results, procedure = _move_out_at_the_counter(tenant_a, clerk, supervisor, household)
    link = f"{BASE}/move-outs/{procedure}/certificate/"
    assert f'href="{link}"' in results and "転出証明書を交付" in results  # from the 本登録 results
    page = clerk.get(link)
    html = page.content.decode()
    assert page.status_code == 200 and "まだ交付していません" in html and "2人" in html
    assert "山田" not in html  # the page names nobody: the issue reads (and audits) the persons
    issued = clerk.post(link, {"action": "issue", "token": _token(page)})
    assert issued.status_code == 302 and "?issued=" in issued["Location"]
    shown = clerk.get(issued["Location"]).content.decode()
    (first,) = _certificates(tenant_a)
    assert f'id="issue-number">{first.issue_number}<' in shown and first.kind == "move_out"
    pdf_link = re.search(r'href="(/staff/residents/certificates/[^"]+/pdf/)"', shown)
    assert pdf_link, shown[:3000]
    pdf = clerk.get(pdf_link.group(1))
    assert pdf["Content-Type"] == "application/pdf" and pdf["X-Issue-Number"] == first.issue_number
    assert pdf["Cache-Control"] == "no-store" and pdf.content.startswith(b"%PDF")

    # The same form sent again (a second click, a reload of the POST): nothing more is issued.
    again = clerk.post(link, {"action": "issue", "token": _token(page)})
    assert again.status_code == 302 and again["Location"].endswith("?done=repeated")
    assert "二重送信" in clerk.get(again["Location"]).content.decode() and len(_certificates(tenant_a)) == 1
    # A new form for a second issue: refused (a lost one is reissued), nothing written.
    fresh = clerk.get(link)
    assert 'value="issue"' not in fresh.content.decode()  # no longer offered
    refused = clerk.post(link, {"action": "issue", "token": _token(fresh)})
    assert refused.status_code == 400 and "交付済み" in refused.content.decode()
    assert len(_certificates(tenant_a)) == 1

    reissued = clerk.post(link, {"action": "reissue", "certificate": first.id, "token": _token(fresh)})
    assert reissued.status_code == 302
    _first, second = _certificates(tenant_a)
    assert second.reissue_of_id == first.id and second.content == first.content
    listed = clerk.get(link).content.decode()
    assert listed.count("再交付</td>") == 1 and second.issue_number in listed

    # The record of a person who moved out links to the page.
    record = clerk.get(f"{BASE}/{household[0]}/", {"purpose": "転出証明書の再交付"}).content.decode()
    assert 'id="move-out-certificate-link"' in record and link in record


def test_a_move_out_notified_late_gets_the_certificate_in_lieu(
    clerk: Client, supervisor: Client, tenant_a: Any, household: list[int]
) -> None:
    _results, procedure = _move_out_at_the_counter(tenant_a, clerk, supervisor, household[:1], days_ago=20)
    page = clerk.get(f"{BASE}/move-outs/{procedure}/certificate/")
    assert 'id="late"' in page.content.decode() and "転出証明書に準ずる証明書を交付" in page.content.decode()
    clerk.post(f"{BASE}/move-outs/{procedure}/certificate/", {"action": "issue", "token": _token(page)})
    assert [c.kind for c in _certificates(tenant_a)] == ["move_out_equivalent"]


def test_refusals_write_nothing(
    clerk: Client, supervisor: Client, tenant_a: Any, tenant_b: Any, make_staff: Any, household: list[int]
) -> None:
    today = timezone.localdate()
    with tenant_context(tenant_a.code):
        out = services.move_out(services.Notification("mo-page-1", today, today), resident_ids=household[:1],
                                destination_address="大阪府大阪市北区1-1").procedure_id  # fmt: skip
        other = services.move_out(services.Notification("mo-page-2", today, today), resident_ids=household[1:],
                                  destination_address="大阪府大阪市北区1-1").procedure_id  # fmt: skip
        within = Procedure.objects.exclude(kind="国内転出").values_list("id", flat=True).first()
    page = clerk.get(f"{BASE}/move-outs/{other}/certificate/")
    clerk.post(f"{BASE}/move-outs/{other}/certificate/", {"action": "issue", "token": _token(page)})
    (of_other,) = _certificates(tenant_a)
    # Reissuing another move-out's certificate from this move-out's page, or a certificate that does not exist.
    for certificate in (of_other.id, 999_999, "x"):
        refused = clerk.post(f"{BASE}/move-outs/{out}/certificate/", {"action": "reissue", "certificate": certificate})
        assert refused.status_code == 400 and "再交付する転出証明書を選んでください" in refused.content.decode()
    assert len(_certificates(tenant_a)) == 1
    # No move-out: the move-in that registered the household; a procedure that does not exist.
    assert clerk.get(f"{BASE}/move-outs/{within}/certificate/").status_code == 404
    assert clerk.get(f"{BASE}/move-outs/999999/certificate/").status_code == 404
    # Another municipality's staff: the procedure is not theirs (row-level security), nothing issued.
    stranger = sign_in(make_staff(tenant_b, "clerk-b", ["residents.clerk"]))
    assert stranger.get(f"{BASE}/move-outs/{out}/certificate/").status_code == 404
    assert stranger.post(f"{BASE}/move-outs/{out}/certificate/", {"action": "issue"}).status_code == 404
    assert len(_certificates(tenant_a)) == 1
    # Without a sign-in: the sign-in page, nothing issued.
    assert Client().post(f"{BASE}/move-outs/{out}/certificate/", {"action": "issue"}).status_code in (302, 403)
    assert len(_certificates(tenant_a)) == 1


@pytest.mark.parametrize("action", ["issue", "reissue"])
def test_without_a_certifier_nothing_is_issued(clerk: Client, tenant_a: Any, household: list[int], action: str) -> None:
    today = timezone.localdate()
    with tenant_context(tenant_a.code):
        out = services.move_out(services.Notification("mo-page-3", today, today), resident_ids=household,
                                destination_address="大阪府大阪市北区1-1").procedure_id  # fmt: skip
    if action == "reissue":
        page = clerk.get(f"{BASE}/move-outs/{out}/certificate/")
        clerk.post(f"{BASE}/move-outs/{out}/certificate/", {"action": "issue", "token": _token(page)})
    before = _certificates(tenant_a)
    no_certifier(tenant_a)
    data = {"action": action, "certificate": before[0].id if before else ""}
    refused = clerk.post(f"{BASE}/move-outs/{out}/certificate/", data)
    assert refused.status_code == 400 and 'id="errors"' in refused.content.decode()
    assert _certificates(tenant_a) == before
