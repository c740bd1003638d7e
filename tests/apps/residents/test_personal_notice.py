"""本人通知制度 (住民記録システム標準仕様書 8.1.1–8.1.3, j1220–j1240): registrations, the 代理人 requester kind and
the 枚数 of the issuance record, the correction of a requester kind after issue, the certificate page's notice, the
交付通知書 under the three output conditions (recorded, not twice, reprints marked), the expiry notices; refusals
write nothing, other municipalities' records are out of reach, clerks are refused the supervisors' pages."""

from __future__ import annotations

import datetime
import re
import uuid
from io import BytesIO
from typing import Any
from unittest import mock

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader

from kiban.apps.residents import certificates, personal_notice, selectors, services
from kiban.apps.residents.models import (
    Certificate,
    CertificateRequesterCorrection,
    PersonalNoticeRegistration,
    PersonalNoticeSent,
)
from kiban.apps.residents.validation import ProcedureError
from kiban.platform.audit.models import AuditEntry
from kiban.platform.tenants.context import tenant_context
from tests.apps.residents.printing.pdftext import text

D = datetime.date
BASE = "/staff/residents"


def _codes(err: pytest.ExceptionInfo[ProcedureError]) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in err.value.errors]


def _issued(resident_ids: list[int], on: D, requester: str, number: str, items: list[str] | None = None) -> Certificate:
    """An issuance record as ``certificates.issue`` keeps it, written directly to date it in the past."""
    return Certificate.objects.create(
        kind="resident_copy", layout="household", resident_ids=resident_ids, items=items or [], requester=requester,
        requester_name="請求者　甲野", purpose="秘密の請求事由", issue_number=number, verification_code=f"V-{number}",
        sha256="ab" * 32, issued_on=on, issued_by="staff:clerk", sheets=1,
    )  # fmt: skip


def test_a_registration_runs_for_its_period_and_is_withdrawn_with_the_reason(tenant_a: Any, make_resident: Any) -> None:
    person = make_resident(tenant_a)
    today = timezone.localdate()
    assert personal_notice.period_end(D(2024, 4, 1), 3) == D(2027, 3, 31)
    assert personal_notice.period_end(D(2024, 2, 29), 1) == D(2025, 2, 28)
    with tenant_context(tenant_a.code):
        row = personal_notice.register(person.id, today, personal_notice.DEFAULT_YEARS, "法定代理人　山田一郎",
                                       "東京都港区芝公園1丁目")  # fmt: skip
        assert row.ends_on == personal_notice.period_end(today, 3) and row.recorded_by
        assert personal_notice.active(person.id) == row
        assert personal_notice.registered_among([person.id, 999_999]) == {person.id}
        ended = personal_notice.withdraw(person.id, today, "本人からの廃止の申出")
        assert ended.withdrawn_on == today and ended.withdrawal_reason == "本人からの廃止の申出"
        assert personal_notice.active(person.id) is None and personal_notice.registered_among([person.id]) == set()
        again = personal_notice.register(person.id, today, 1)  # withdrawn today: a new registration may start today
        assert PersonalNoticeRegistration.objects.count() == 2 and again.applicant_name == ""
        assert [r.id for r in personal_notice.registrations_of(person.id, "確認")] == [again.id, row.id]
        actions = set(AuditEntry.objects.values_list("action", flat=True))
        assert {"residents.personal_notice.registered", "residents.personal_notice.withdrawn",
                "residents.personal_notice.read"} <= actions  # fmt: skip


def test_refused_registrations_and_withdrawals_write_nothing_and_say_why(tenant_a: Any, make_resident: Any) -> None:
    person = make_resident(tenant_a)
    today = timezone.localdate()
    with tenant_context(tenant_a.code):
        with pytest.raises(ProcedureError) as nobody:
            personal_notice.register(999_999, today + datetime.timedelta(days=1), 0)
        assert _codes(nobody) == [("resident", "not_found"), ("registered_on", "future_date"), ("years", "invalid")]
        with pytest.raises(ProcedureError) as ended:
            personal_notice.register(person.id, D(2000, 1, 1), 3)
        assert _codes(ended) == [("years", "ended")]
        with pytest.raises(ProcedureError) as no_name:
            personal_notice.register(person.id, today, 3, " ", "東京都港区芝公園1丁目")
        assert _codes(no_name) == [("applicant_name", "required")]
        with pytest.raises(ProcedureError) as too_long:
            personal_notice.register(person.id, today, personal_notice.MAX_YEARS + 1, "あ" * 151)
        assert _codes(too_long) == [("years", "invalid"), ("applicant_name", "too_long")]
        with pytest.raises(ProcedureError) as not_registered:
            personal_notice.withdraw(person.id, today, "理由")
        assert _codes(not_registered) == [("resident", "not_registered")]
        assert PersonalNoticeRegistration.objects.count() == 0
        personal_notice.register(person.id, today - datetime.timedelta(days=30), 3)
        with pytest.raises(ProcedureError) as overlap:
            personal_notice.register(person.id, today, 3)
        assert _codes(overlap) == [("resident", "already")]
        with pytest.raises(ProcedureError) as bad:
            personal_notice.withdraw(person.id, today - datetime.timedelta(days=31), " ")
        assert _codes(bad) == [("withdrawn_on", "invalid"), ("reason", "required")]
        assert PersonalNoticeRegistration.objects.filter(withdrawn_on__isnull=True).count() == 1


def _pages(pdf: bytes) -> int:
    return int(PdfFileReader(BytesIO(pdf)).root["/Pages"]["/Count"])


def test_a_proxy_is_a_requester_kind_and_the_sheets_are_recorded(tenant_a: Any, make_resident: Any) -> None:
    person = make_resident(tenant_a)
    request = certificates.Request(kind="resident_copy", resident_ids=[person.id], requester="proxy",
                                   requester_name="代理人　乙野", purpose="相続手続", layout="individual")  # fmt: skip
    with tenant_context(tenant_a.code):
        for refused, codes in (
            ({"requester_name": " "}, [("purpose", "required")]),
            ({"items": ("individual_number",)}, [("items", "not_allowed")]),
        ):
            with pytest.raises(ProcedureError) as err:
                certificates.issue(certificates.Request(**{**request.__dict__, **refused}))
            assert _codes(err) == codes
        assert Certificate.objects.count() == 0
        issued = certificates.issue(certificates.Request(**{**request.__dict__, "items": ("resident_code",)}))
        assert (
            issued.certificate.requester == "proxy" and issued.certificate.get_requester_display() == "代理人（委任状）"
        )
        assert issued.certificate.sheets == _pages(issued.pdf) == 1


def test_a_removed_records_items_certificate_is_issued_and_notified(tenant_a: Any, make_resident: Any) -> None:
    """The fourth kind of 8.1.1's issuance record, 住民票除票記載事項証明書: only of a removed person."""
    person = make_resident(tenant_a, "アオキ", family_name="青木")
    today = timezone.localdate()
    request = certificates.Request(kind="removed_items", resident_ids=[person.id], requester="third_party",
                                   requester_name="弁護士　甲野", purpose="相続手続", layout="individual")  # fmt: skip
    with tenant_context(tenant_a.code):
        personal_notice.register(person.id, today, 3)
        with pytest.raises(ProcedureError) as current:
            certificates.issue(request)
        assert _codes(current) == [("resident_ids", "wrong_status")]
        services.move_out(services.Notification("out-items", today, today), resident_ids=[person.id],
                          destination_address="大阪府大阪市北区梅田1丁目1番")  # fmt: skip
        issued = certificates.issue(request)
        printed = text(issued.pdf)
        assert (
            "住民票除票記載事項証明書" in printed
            and "上記の事項は住民票の除票に記載されていることを証明する。" in printed
        )
        (notice,) = personal_notice.notices(personal_notice.REGISTERED_NOT_SELF, today, today)
        assert notice.issuances[0].line.kind == "除票記載事項証明書"


def test_the_requester_kind_is_corrected_after_issue_and_read_corrected(tenant_a: Any, make_resident: Any) -> None:
    person = make_resident(tenant_a)
    with tenant_context(tenant_a.code):
        plain = _issued([person.id], D(2026, 4, 1), "self", "20260401-AAAA")
        coded = _issued([person.id], D(2026, 4, 2), "self", "20260402-BBBB", items=["resident_code"])
        for number, kind, reason, codes in (
            ("20990101-NONE", "third_party", "誤り", [("issue_number", "not_found")]),
            (plain.issue_number, "stranger", "誤り", [("requester", "invalid")]),
            (plain.issue_number, "self", "誤り", [("requester", "unchanged")]),
            (plain.issue_number, "third_party", " ", [("reason", "required")]),
            (coded.issue_number, "third_party", "誤り", [("items", "not_allowed")]),  # would make it unlawful
        ):
            with pytest.raises(ProcedureError) as err:
                personal_notice.correct_requester(number, kind, reason)
            assert _codes(err) == codes
        assert CertificateRequesterCorrection.objects.count() == 0
        personal_notice.correct_requester(plain.issue_number.lower(), "third_party", "第三者請求を本人と選択した誤り")
        assert personal_notice.requester_of(plain) == "third_party"
        personal_notice.correct_requester(plain.issue_number, "proxy", "委任状を確認")  # the newest one counts
        assert selectors.requesters([plain.id, coded.id]) == {plain.id: "proxy", coded.id: "self"}
        assert Certificate.objects.get(id=plain.id).requester == "self"  # the record itself is not changed
        shown = {i.issue_number: i.requester for i in selectors.issued_to(person.id, "交付履歴の確認")}
        assert shown == {plain.issue_number: "代理人（委任状）（修正）", coded.issue_number: "本人"}
        correction = CertificateRequesterCorrection.objects.order_by("id").last()
        assert correction is not None and correction.corrected_by and correction.reason == "委任状を確認"
        assert AuditEntry.objects.filter(action="residents.certificate.requester_corrected").count() == 2


def test_the_database_keeps_corrections_and_printed_notices(tenant_a: Any, make_resident: Any) -> None:
    """Append-only in the database itself: a correction or a printed notice cannot be changed or removed, and the
    certificate keeps its triggers after gaining ``sheets`` (on SQLite a column added with a default would have
    rebuilt the table without them)."""
    person = make_resident(tenant_a)
    with tenant_context(tenant_a.code):
        issued = _issued([person.id], D(2026, 4, 1), "self", "20260401-AAAA")
        personal_notice.correct_requester(issued.issue_number, "third_party", "誤り")
        personal_notice.print_notices(personal_notice.BY_REQUESTER, D(2026, 4, 1), D(2026, 4, 1), "出力")
        tables = ("residents_certificate", "residents_certificaterequestercorrection", "residents_personalnoticesent")
        for table in tables:
            for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
                with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(statement)
        assert Certificate.objects.count() == CertificateRequesterCorrection.objects.count() == 1
        assert PersonalNoticeSent.objects.count() == 1


@pytest.fixture
def issuances(tenant_a: Any, make_resident: Any) -> dict[str, Any]:
    """A registered from 2025-01-01 (3 years), B not registered; certificates from 2024-12-31 to 2025-06-05."""
    a, b = make_resident(tenant_a, "アオキ", family_name="青木"), make_resident(tenant_a, "ババ", family_name="馬場")
    with tenant_context(tenant_a.code):
        PersonalNoticeRegistration.objects.create(resident_id=a.id, registered_on=D(2025, 1, 1),
                                                  ends_on=D(2027, 12, 31), recorded_by="staff:boss")  # fmt: skip
        made = {
            "before": _issued([a.id], D(2024, 12, 31), "third_party", "20241231-0001"),
            "self": _issued([a.id], D(2025, 6, 1), "self", "20250601-0002"),
            "third": _issued([a.id], D(2025, 6, 2), "third_party", "20250602-0003"),
            "proxy": _issued([a.id, b.id], D(2025, 6, 3), "proxy", "20250603-0004"),
            "office": _issued([b.id], D(2025, 6, 4), "public_office", "20250604-0005"),
            "b_third": _issued([b.id], D(2025, 6, 5), "third_party", "20250605-0006"),
        }
    return {"a": a, "b": b, **made}


def _told(condition: str, reprint: bool = False) -> dict[int, list[str]]:
    found = personal_notice.notices(condition, D(2024, 12, 1), D(2025, 11, 30), reprint)
    return {n.resident_id: [i.issue_number for i in n.issuances] for n in found}


def test_the_three_output_conditions(tenant_a: Any, issuances: dict[str, Any]) -> None:
    a, b = issuances["a"].id, issuances["b"].id
    number = {k: v.issue_number for k, v in issuances.items() if isinstance(v, Certificate)}
    with tenant_context(tenant_a.code):
        # (a) registered persons, any requester, while registered
        assert _told(personal_notice.REGISTERED) == {a: [number["self"], number["third"], number["proxy"]]}
        # (b) the same without the person's own requests
        assert _told(personal_notice.REGISTERED_NOT_SELF) == {a: [number["third"], number["proxy"]]}
        # (c) registered or not, issued to a third party or by 委任状
        assert _told(personal_notice.BY_REQUESTER) == {
            a: [number["before"], number["third"], number["proxy"]], b: [number["proxy"], number["b_third"]],
        }  # fmt: skip
        # the corrected requester kind is the one the conditions read
        personal_notice.correct_requester(number["self"], "third_party", "選択誤り")
        assert number["self"] in _told(personal_notice.REGISTERED_NOT_SELF)[a]
        for condition, start, end, codes in (
            ("everyone", D(2025, 1, 1), D(2025, 2, 1), [("condition", "invalid")]),
            (personal_notice.REGISTERED, None, None, [("start", "required"), ("end", "required")]),
            (personal_notice.REGISTERED, D(2025, 2, 1), D(2025, 1, 1), [("end", "before_start")]),
            (personal_notice.REGISTERED, D(2024, 1, 1), D(2025, 6, 1), [("end", "too_long")]),
        ):
            with pytest.raises(ProcedureError) as err:
                personal_notice.notices(condition, start, end)
            assert _codes(err) == codes


def test_printed_notices_are_recorded_once_and_a_reprint_is_marked(tenant_a: Any, issuances: dict[str, Any]) -> None:
    a = issuances["a"]
    with tenant_context(tenant_a.code):
        pdf = personal_notice.print_notices(personal_notice.REGISTERED_NOT_SELF, D(2024, 12, 1), D(2025, 11, 30),
                                            "本人通知の通知書出力")  # fmt: skip
        printed = text(pdf)
        assert "住民票の写し等交付通知書" in printed and a.family_name in printed and "再発行" not in printed
        assert "第三者" in printed and "代理人" in printed and "住民票の写し" in printed and "1枚" in printed
        assert "請求者　甲野" not in printed and "秘密の請求事由" not in printed  # never the requester or purpose
        assert set(PersonalNoticeSent.objects.values_list("resident_id", "reprint")) == {(a.id, False)}
        assert PersonalNoticeSent.objects.count() == 2
        assert _told(personal_notice.REGISTERED_NOT_SELF) == {}  # not notified twice
        with pytest.raises(ProcedureError) as again:
            personal_notice.print_notices(personal_notice.REGISTERED_NOT_SELF, D(2024, 12, 1), D(2025, 11, 30), "再")
        assert _codes(again) == [("start", "none")]
        assert len(_told(personal_notice.REGISTERED)[a.id]) == 1  # the 本人 request was not printed under (b)
        # printed by someone else between the list and the print: refused, nothing written
        stale = personal_notice.notices(personal_notice.REGISTERED, D(2024, 12, 1), D(2025, 11, 30))
        PersonalNoticeSent.objects.create(
            certificate_id=stale[0].issuances[0].certificate_id, resident_id=a.id, condition="registered",
            print_run=uuid.uuid4(), printed_by="staff:other",
        )  # fmt: skip
        with mock.patch.object(personal_notice, "notices", return_value=stale), pytest.raises(ProcedureError) as raced:
            personal_notice.print_notices(personal_notice.REGISTERED, D(2024, 12, 1), D(2025, 11, 30), "出力")
        assert _codes(raced) == [("start", "changed")] and PersonalNoticeSent.objects.count() == 3
        assert len(_told(personal_notice.REGISTERED_NOT_SELF, reprint=True)[a.id]) == 2
        reprinted = personal_notice.print_notices(personal_notice.REGISTERED_NOT_SELF, D(2024, 12, 1),
                                                  D(2025, 11, 30), "再発行", reprint=True)  # fmt: skip
        assert "住民票の写し等交付通知書（再発行）" in text(reprinted)
        assert PersonalNoticeSent.objects.filter(reprint=True).count() == 2
        # one entry per person told (not one listing them all)
        printed_entries = AuditEntry.objects.filter(action="residents.personal_notice.printed")
        assert list(printed_entries.values_list("object_type", "object_id")) == [("resident", str(a.id))]
        assert AuditEntry.objects.filter(action="residents.personal_notice.reprinted", object_id=str(a.id)).count() == 1


def test_listing_the_notices_takes_the_same_queries_for_many_persons(tenant_a: Any, make_resident: Any) -> None:
    """No query per person or certificate (CONVENTIONS: every list has a query-count test)."""
    today = timezone.localdate()

    def queries(count: int) -> int:
        for n in range(count):
            person = make_resident(tenant_a, "アオキ", family_name=f"青木{count}{n}")
            with tenant_context(tenant_a.code):
                personal_notice.register(person.id, today, 3, "法定代理人　甲", "東京都港区芝公園1丁目")
                _issued([person.id], today, "third_party", f"Q{count}-{n}")
        with tenant_context(tenant_a.code), CaptureQueriesContext(connection) as captured:
            found = personal_notice.notices(personal_notice.BY_REQUESTER, today, today)
        assert len(found) >= count
        return len(captured.captured_queries)

    assert queries(2) == queries(5)


def test_the_notice_goes_to_the_applicant_when_one_was_registered(tenant_a: Any, make_resident: Any) -> None:
    person = make_resident(tenant_a)
    with tenant_context(tenant_a.code):
        personal_notice.register(person.id, timezone.localdate(), 3, "法定代理人　山田一郎", "東京都港区芝公園1丁目")
        _issued([person.id], timezone.localdate(), "third_party", "TODAY-0001")
        (found,) = personal_notice.notices(personal_notice.REGISTERED, timezone.localdate(), timezone.localdate())
        assert (found.to.name, found.to.address) == ("法定代理人　山田一郎", "東京都港区芝公園1丁目")
        assert found.to.person_name == person.display_name


def test_expiry_letters_for_registrations_ending_in_a_window(tenant_a: Any, make_resident: Any) -> None:
    ending, withdrawn, later = (
        make_resident(tenant_a, k, family_name=n) for k, n in (("アオキ", "青木"), ("ババ", "馬場"), ("カトウ", "加藤"))
    )
    with tenant_context(tenant_a.code):
        for who, ends, out in ((ending, D(2026, 12, 31), None), (withdrawn, D(2026, 12, 31), D(2026, 1, 1)),
                               (later, D(2027, 6, 30), None)):  # fmt: skip
            PersonalNoticeRegistration.objects.create(resident_id=who.id, registered_on=D(2024, 1, 1), ends_on=ends,
                                                      withdrawn_on=out, recorded_by="staff:boss")  # fmt: skip
        assert [r.resident_id for r in personal_notice.expiring(D(2026, 12, 1), D(2026, 12, 31))] == [ending.id]
        printed = text(personal_notice.expiry_letters_pdf(D(2026, 12, 1), D(2026, 12, 31), "満了のお知らせ"))
        assert "本人通知期間満了のお知らせ" in printed and "令和8年12月31日" in printed
        assert (
            ending.family_name in printed and withdrawn.family_name not in printed and later.family_name not in printed
        )
        for start, end, codes in ((D(2026, 12, 31), D(2026, 12, 1), [("end", "before_start")]),
                                  (D(2030, 1, 1), D(2030, 1, 31), [("start", "none")])):  # fmt: skip
            with pytest.raises(ProcedureError) as err:
                personal_notice.expiry_letters_pdf(start, end, "満了のお知らせ")
            assert _codes(err) == codes


def test_the_supervisors_pages_register_print_and_correct(
    clerk: Client, supervisor: Client, tenant_a: Any, issuances: dict[str, Any]
) -> None:
    b = issuances["b"]
    url, outputs = f"{BASE}/{b.id}/personal-notice/", f"{BASE}/personal-notices/"
    assert clerk.get(url, {"purpose": "確認"}).status_code == 403
    assert clerk.get(outputs).status_code == 403
    assert clerk.post(outputs, {"action": "correct"}).status_code == 403
    assert "personal-notice-link" not in clerk.get(f"{BASE}/{b.id}/", {"purpose": "確認"}).content.decode()
    assert url in supervisor.get(f"{BASE}/{b.id}/", {"purpose": "確認"}).content.decode()
    refused = supervisor.post(url, {"purpose": "登録", "action": "register", "on": "令和99年13月1日", "years": "3"})
    assert refused.status_code == 400
    years = supervisor.post(url, {"purpose": "登録", "action": "register", "on": "", "years": "三"})
    assert years.status_code == 400 and "登録期間は年数" in years.content.decode()
    with tenant_context(tenant_a.code):
        assert PersonalNoticeRegistration.objects.filter(resident_id=b.id).count() == 0
    done = supervisor.post(url, {"purpose": "登録", "action": "register", "on": "", "years": ""})
    assert done.status_code == 302 and "done=register" in done["Location"]
    page = supervisor.get(done["Location"]).content.decode()
    assert "本人通知の登録をしました" in page and "登録中" in page
    assert "本人通知の登録（登録中）" in supervisor.get(f"{BASE}/{b.id}/", {"purpose": "確認"}).content.decode()
    no_reason = supervisor.post(url, {"purpose": "廃止", "action": "withdraw", "on": "", "reason": ""})
    assert no_reason.status_code == 400 and "廃止の理由を入力してください" in no_reason.content.decode()

    window = {"condition": "by_requester", "start": "R6.12.1", "end": "R7.11.30"}
    preview = supervisor.get(outputs, window).content.decode()
    assert "通知する方" in preview and issuances["a"].family_name in preview and b.family_name in preview
    assert 'id="print-form"' in preview  # printing (a write) is a POST of its own, with the conditions shown
    assert "csrfmiddlewaretoken" not in preview.split('id="notice-form"')[1].split("</form>")[0]  # not in a GET URL
    bad = supervisor.get(outputs, {**window, "end": "R6.11.1"})
    assert bad.status_code == 400 and "終了日が開始日より前です" in bad.content.decode()
    pdf = supervisor.post(outputs, {**window, "action": "print"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert supervisor.post(outputs, {**window, "action": "delete"}).status_code == 400
    twice = supervisor.post(outputs, {**window, "action": "print"})
    assert twice.status_code == 400 and "この条件で通知する交付記録はありません" in twice.content.decode()
    assert supervisor.post(outputs, {**window, "action": "print", "reprint": "1"}).status_code == 200

    fix = {"action": "correct", "issue_number": issuances["office"].issue_number, "requester": "third_party"}
    no_reason = supervisor.post(outputs, {**fix, "reason": ""})
    assert no_reason.status_code == 400 and "修正の理由を入力してください" in no_reason.content.decode()
    corrected = supervisor.post(outputs, {**fix, "reason": "選択誤り"})
    assert corrected.status_code == 302 and "done=correct" in corrected["Location"]
    assert "請求者の区分を修正しました" in supervisor.get(corrected["Location"]).content.decode()
    expiry = supervisor.post(outputs, {"action": "expiry", "start": "R9.12.1", "end": "R9.12.31"})
    assert expiry.status_code == 200 and expiry.content.startswith(b"%PDF")  # A's registration ends 2027-12-31
    with tenant_context(tenant_a.code):
        assert personal_notice.requester_of(issuances["office"]) == "third_party"


def test_the_certificate_page_shows_a_registered_person_before_and_after_issuing(
    clerk: Client, tenant_a: Any, make_resident: Any
) -> None:
    """標準仕様書 8.1.2: shown on entry, confirmation and done, in words (not colour alone); not for others."""
    registered, other = make_resident(tenant_a, "アオキ", given_name="一郎"), make_resident(tenant_a, "ババ")
    with tenant_context(tenant_a.code):
        personal_notice.register(registered.id, timezone.localdate(), 3)
    assert "本人通知" not in clerk.get(f"{BASE}/{other.id}/certificate/").content.decode()
    url = f"{BASE}/{registered.id}/certificate/"
    entry = clerk.get(url).content.decode()
    assert 'id="personal-notice-warning"' in entry and "本人通知の事前登録者: 山田 一郎" in entry
    state = re.search(r'name="state" value="([^"]+)"', entry)
    assert state is not None
    sent = {"state": state.group(1), "action": "next", "kind": "resident_copy", "layout": "individual",
            "resident_ids": [str(registered.id)], "requester": "proxy", "requester_name": "代理人　乙野",
            "purpose": "相続手続"}  # fmt: skip
    confirm = clerk.post(url, sent)
    assert confirm.status_code == 200 and "本人通知の事前登録者: 山田 一郎" in confirm.content.decode()
    confirmed = re.search(r'name="state" value="([^"]+)"', confirm.content.decode())
    assert confirmed is not None
    done = clerk.post(url, {"state": confirmed.group(1), "action": "record"})
    assert done.status_code == 302
    page = clerk.get(done["Location"]).content.decode()
    assert "本人通知の事前登録者に交付しました: 山田 一郎" in page
    with tenant_context(tenant_a.code):
        assert Certificate.objects.get().requester == "proxy"


def test_another_municipalitys_records_are_out_of_reach(
    supervisor: Client, tenant_a: Any, tenant_b: Any, make_resident: Any
) -> None:
    other = make_resident(tenant_b)
    with tenant_context(tenant_b.code):
        personal_notice.register(other.id, timezone.localdate(), 3)
        theirs = _issued([other.id], timezone.localdate(), "third_party", "TENANTB-0001")
    url = f"{BASE}/{other.id}/personal-notice/"
    assert supervisor.get(url, {"purpose": "確認"}).status_code == 404
    assert supervisor.post(url, {"purpose": "確認", "action": "withdraw", "reason": "x"}).status_code == 404
    refused = supervisor.post(f"{BASE}/personal-notices/", {"action": "correct", "issue_number": theirs.issue_number,
                                                            "requester": "self", "reason": "x"})  # fmt: skip
    assert refused.status_code == 400 and "この発行番号の証明書はありません" in refused.content.decode()
    today = timezone.localdate()
    with tenant_context(tenant_a.code):
        assert personal_notice.notices(personal_notice.BY_REQUESTER, today, today) == []
        assert personal_notice.registered_among([other.id]) == set()
        assert PersonalNoticeRegistration.objects.count() == 0
    with tenant_context(tenant_b.code):
        assert PersonalNoticeRegistration.objects.get().withdrawn_on is None
        assert CertificateRequesterCorrection.objects.count() == 0
