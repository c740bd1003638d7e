"""特別永住者証明書 (住民記録システム標準仕様書 8.2, j1250–j1270): the 有効期間 rule of 入管特例法9条 at its edges, the
applications (accepted, cancelled, received, delivered, not delivered) and returns, the list of certificates ending
with its letters and CSV, the counts by office and fiscal year or month; refusals write nothing, another
municipality's records are out of reach, clerks are refused the supervisors' pages."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kiban.apps.residents import special_permanent as spr
from kiban.apps.residents.models import (
    InputPlace,
    SpecialPermanentApplication,
    SpecialPermanentCertificate,
    SpecialPermanentCertificateReturn,
)
from kiban.apps.residents.validation import ProcedureError
from kiban.platform.audit.models import AuditEntry
from kiban.platform.tenants.context import tenant_context
from tests.apps.residents.printing.pdftext import text

D = datetime.date
BASE = "/staff/residents"
TODAY = timezone.localdate()


def _codes(err: pytest.ExceptionInfo[ProcedureError]) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in err.value.errors]


def _special(make_resident: Any, tenant: Any, kana: str = "キム", **fields: Any) -> Any:
    values = {"family_name": "金", "given_name": "英子", "given_name_kana": "ヨンジャ", "kind": "foreign",
              "nationality": "410", "residence_status": "特別永住者", "domicile": "",
              "birth_date": D(1970, 6, 15)} | fields  # fmt: skip
    return make_resident(tenant, kana, **values)


def _held(resident: Any, number: str, issued: D, expires: D, place: InputPlace | None = None) -> Any:
    """A certificate as ``record_held`` keeps it, written directly to fix its dates."""
    return SpecialPermanentCertificate.objects.create(
        resident_id=resident.id, number=number, issued_on=issued, expires_on=expires, place=place, recorded_by="boss"
    )


# --- 有効期間 (入管特例法9条) ---------------------------------------------------------------------------------------


def test_sixteen_or_over_the_seventh_birthday_after_the_day_of_issue() -> None:
    born = D(1970, 6, 15)
    assert spr.expiry_date(born, D(2024, 6, 14)) == D(2030, 6, 15)  # the birthday the day after counts
    assert spr.expiry_date(born, D(2024, 6, 15)) == D(2031, 6, 15)  # issued on a birthday: that one does not
    assert spr.expiry_date(born, D(2024, 6, 16)) == D(2031, 6, 15)
    # a renewal counts from the previous certificate's end, not from the day of issue
    assert spr.expiry_date(born, D(2024, 5, 1), renews=D(2024, 6, 15)) == D(2031, 6, 15)


def test_under_sixteen_the_sixteenth_birthday_or_the_day_before_it_from_november_2023() -> None:
    born = D(2015, 3, 10)
    assert spr.sixteen_from(born) == D(2031, 3, 9)
    assert spr.expiry_date(born, D(2023, 10, 31)) == D(2031, 3, 10)  # issued before the change: the birthday
    assert spr.expiry_date(born, D(2023, 11, 1)) == D(2031, 3, 9)  # from 2023-11-01: the day before it
    assert spr.expiry_date(born, D(2031, 3, 8)) == D(2031, 3, 9)  # the last day under 16
    assert spr.expiry_date(born, D(2031, 3, 9)) == D(2037, 3, 10)  # 16 that day (年齢計算): seven birthdays
    # renewing an under-16's certificate at 16: counted from its end, seven birthdays
    assert spr.expiry_date(born, D(2030, 12, 1), renews=D(2031, 3, 9)) == D(2037, 3, 10)
    assert spr.expiry_date(born, D(2020, 12, 1), renews=D(2031, 3, 10)) == D(2038, 3, 10)


def test_a_29_february_birth_has_its_birthday_on_28_february_in_a_common_year() -> None:
    born = D(2000, 2, 29)
    assert spr.birthday_in(born, 2025) == D(2025, 2, 28) and spr.birthday_in(born, 2028) == D(2028, 2, 29)
    assert spr.expiry_date(born, D(2024, 3, 1)) == D(2031, 2, 28)
    assert spr.expiry_date(born, D(2025, 2, 27)) == D(2031, 2, 28)  # 2025-02-28 is the first birthday after
    assert spr.expiry_date(born, D(2025, 2, 28)) == D(2032, 2, 29)  # issued on that birthday: a leap year's 7th
    child = D(2012, 2, 29)
    assert spr.sixteen_from(child) == D(2028, 2, 28)
    assert spr.expiry_date(child, D(2024, 1, 5)) == D(2028, 2, 28)


def test_renewal_opens_two_months_before_or_six_at_sixteen() -> None:
    assert spr.renewal_opens(D(1970, 6, 15), D(2031, 6, 15)) == D(2031, 4, 15)
    assert spr.renewal_opens(D(1970, 12, 31), D(2031, 12, 31)) == D(2031, 10, 31)
    assert spr.renewal_opens(D(1970, 4, 30), D(2031, 4, 30)) == D(2031, 2, 28)  # no 30 February: the month's end
    assert spr.renewal_opens(D(2015, 3, 10), D(2031, 3, 9)) == D(2030, 9, 9)  # the day before the 16th birthday
    assert spr.renewal_opens(D(2015, 3, 10), D(2031, 3, 10)) == D(2030, 9, 10)


# --- 申請受理処理 (j1260) ------------------------------------------------------------------------------------------


def test_an_application_is_accepted_received_and_delivered_and_supersedes(tenant_a: Any, make_resident: Any) -> None:
    person = _special(make_resident, tenant_a)
    with tenant_context(tenant_a.code):
        place = InputPlace.objects.create(code="02", name="北支所", kind="branch", recorded_by="staff:boss")
        old = spr.record_held(person.id, "ab12345678cd", D(2019, 8, 1))
        assert (old.number, old.expires_on) == ("AB12345678CD", D(2026, 6, 15))
        app = spr.accept(person.id, "renewal", TODAY, place_id=place.id, early_reason="留学のため")
        assert app.status == "accepted" and app.accepted_by
        spr.receive(app.id, TODAY, "XY87654321ZZ", TODAY)
        new = spr.deliver(app.id, TODAY)
        assert new.application_id == app.id and new.place_id == place.id and new.issued_on == TODAY
        assert new.expires_on == spr.expiry_date(person.birth_date, TODAY, renews=old.expires_on)
        assert spr.in_force([person.id])[person.id] == new  # the newest supersedes
        spr.record_return(old.id, TODAY, "有効期間の更新")
        held, apps = spr.records_of(person.id, "確認")
        assert [(h.certificate.id, h.in_force, h.returned is not None) for h in held] == [
            (new.id, True, False),
            (old.id, False, True),
        ]
        assert [a.status for a in apps] == ["delivered"]
        actions = set(AuditEntry.objects.values_list("action", flat=True))
        assert {"residents.special_permanent.accepted", "residents.special_permanent.received",
                "residents.special_permanent.delivered", "residents.special_permanent.returned",
                "residents.special_permanent.read"} <= actions  # fmt: skip


def test_refused_steps_write_nothing_and_say_why(tenant_a: Any, make_resident: Any, foreigner: Any) -> None:
    person = _special(make_resident, tenant_a, birth_date=D(1970, 6, 15))
    tomorrow = TODAY + datetime.timedelta(days=1)
    with tenant_context(tenant_a.code):
        for who, kind, on, codes in (
            (foreigner.id, "issue", TODAY, [("resident", "not_special_permanent")]),  # 留学: not a 特別永住者
            (999_999, "issue", TODAY, [("resident", "not_special_permanent")]),
            (person.id, "everything", tomorrow, [("kind", "invalid"), ("applied_on", "future_date")]),
            (person.id, "renewal", TODAY, [("kind", "no_certificate")]),
        ):
            with pytest.raises(ProcedureError) as err:
                spr.accept(who, kind, on)
            assert _codes(err) == codes
        assert SpecialPermanentApplication.objects.count() == SpecialPermanentCertificate.objects.count() == 0
        far = _held(person, "AB00000001CD", TODAY - datetime.timedelta(days=30), TODAY + datetime.timedelta(days=400))
        with pytest.raises(ProcedureError) as early:
            spr.accept(person.id, "renewal", TODAY)
        assert _codes(early) == [("early_reason", "before_period")]
        app = spr.accept(person.id, "reissue_lost", TODAY)
        with pytest.raises(ProcedureError) as twice:
            spr.accept(person.id, "change", TODAY)
        assert _codes(twice) == [("resident", "open_application")]
        with pytest.raises(ProcedureError) as too_soon:
            spr.deliver(app.id, TODAY)  # delivered before the card came back
        assert _codes(too_soon) == [("application", "wrong_status")]
        yesterday = TODAY - datetime.timedelta(days=1)
        for number, issued, received, codes in (
            ("AB1234", TODAY, TODAY, [("number", "invalid")]),
            (far.number, TODAY, TODAY, [("number", "taken")]),
            ("AB22222222CD", yesterday, TODAY, [("card_issued_on", "before_application")]),
            ("AB22222222CD", TODAY, yesterday, [("received_on", "before_issue")]),
            ("AB22222222CD", TODAY, tomorrow, [("received_on", "future_date")]),
        ):
            with pytest.raises(ProcedureError) as err:
                spr.receive(app.id, received, number, issued)
            assert _codes(err) == codes
        assert SpecialPermanentApplication.objects.get().status == "accepted"
        with pytest.raises(ProcedureError) as no_reason:
            spr.cancel(app.id, TODAY, " ")
        assert _codes(no_reason) == [("reason", "required")]
        spr.receive(app.id, TODAY, "AB22222222CD", TODAY)
        with pytest.raises(ProcedureError) as late_cancel:
            spr.cancel(app.id, TODAY, "誤り")  # the card came back: no longer a mistake to cancel
        assert _codes(late_cancel) == [("application", "wrong_status")]
        with pytest.raises(ProcedureError) as backwards:
            spr.deliver(app.id, yesterday)
        assert _codes(backwards) == [("delivered_on", "before_receipt")]
        spr.deliver(app.id, TODAY)
        with pytest.raises(ProcedureError) as again:
            spr.deliver(app.id, TODAY)
        assert _codes(again) == [("application", "wrong_status")]
        assert SpecialPermanentCertificate.objects.count() == 2
        with pytest.raises(ProcedureError) as returned:
            spr.record_return(far.id, yesterday - datetime.timedelta(days=60), "")
        assert _codes(returned) == [("returned_on", "before_issue"), ("reason", "required")]
        spr.record_return(far.id, TODAY, "再交付")
        with pytest.raises(ProcedureError) as twice_returned:
            spr.record_return(far.id, TODAY, "再交付")
        assert _codes(twice_returned) == [("certificate", "already_returned")]
        assert SpecialPermanentCertificateReturn.objects.count() == 1


def test_cancelled_and_undelivered_applications_are_kept_with_the_reason(tenant_a: Any, make_resident: Any) -> None:
    person = _special(make_resident, tenant_a)
    with tenant_context(tenant_a.code):
        first = spr.cancel(spr.accept(person.id, "issue", TODAY).id, TODAY, "誤って受理")
        second = spr.accept(person.id, "issue", TODAY)  # a cancelled one is no longer open
        spr.receive(second.id, TODAY, "CD11111111EF", TODAY)
        with pytest.raises(ProcedureError) as no_reason:
            spr.not_delivered(second.id, TODAY, "")
        assert _codes(no_reason) == [("reason", "required")]
        spr.not_delivered(second.id, TODAY, "交付予定期間内に来庁なし")
        rows = {a.id: a for a in SpecialPermanentApplication.objects.all()}
        assert (rows[first.id].status, rows[first.id].closing_reason) == ("cancelled", "誤って受理")
        assert (rows[second.id].status, rows[second.id].closed_by != "") == ("not_delivered", True)
        assert SpecialPermanentCertificate.objects.count() == 0
        spr.accept(person.id, "issue", TODAY)  # may apply again


def test_the_database_keeps_certificates_and_returns(tenant_a: Any, make_resident: Any) -> None:
    person = _special(make_resident, tenant_a)
    with tenant_context(tenant_a.code):
        held = spr.record_held(person.id, "AB12345678CD", D(2020, 1, 10))
        spr.record_return(held.id, TODAY, "出国")
        for table in ("residents_specialpermanentcertificate", "residents_specialpermanentcertificatereturn"):
            for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
                with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(statement)
        assert SpecialPermanentCertificate.objects.count() == SpecialPermanentCertificateReturn.objects.count() == 1


# --- 切替異動者リスト及び案内 (j1250), 切替予定数調査 (j1270) --------------------------------------------------------


@pytest.fixture
def holders(tenant_a: Any, make_resident: Any) -> dict[str, Any]:
    """Certificates ending in 2027 (an adult's at the 北支所, a child's) and 2028, one superseded, one returned, a
    removed person's, and a 特別永住者 with none recorded."""
    from kiban.apps.residents import services

    adult = _special(make_resident, tenant_a, "キム", family_name="金", birth_date=D(1970, 6, 15))
    child = _special(make_resident, tenant_a, "パク", family_name="朴", birth_date=D(2011, 5, 20))
    later = _special(make_resident, tenant_a, "イ", family_name="李", birth_date=D(1980, 1, 2))
    renewed = _special(make_resident, tenant_a, "チェ", family_name="崔", birth_date=D(1975, 4, 1))
    returned = _special(make_resident, tenant_a, "カン", family_name="姜", birth_date=D(1966, 6, 1))
    gone = _special(make_resident, tenant_a, "ユン", family_name="尹", birth_date=D(1960, 6, 2))
    none = _special(make_resident, tenant_a, "ハン", family_name="韓", birth_date=D(1990, 9, 9))
    with tenant_context(tenant_a.code):
        north = InputPlace.objects.create(code="02", name="北支所", kind="branch", recorded_by="staff:boss")
        _held(adult, "AA00000001AA", D(2020, 7, 1), D(2027, 6, 15), north)
        _held(child, "AA00000002AA", D(2020, 7, 1), D(2027, 5, 19))
        _held(later, "AA00000003AA", D(2021, 1, 5), D(2028, 1, 2))
        _held(renewed, "AA00000004AA", D(2020, 4, 2), D(2027, 4, 1))
        _held(renewed, "AA00000005AA", D(2026, 3, 1), D(2034, 4, 1))  # the renewal: supersedes
        spr.record_return(_held(returned, "AA00000006AA", D(2020, 6, 2), D(2027, 6, 1)).id, D(2026, 1, 5), "出国")
        _held(gone, "AA00000007AA", D(2020, 6, 3), D(2027, 6, 2))
        services.move_out(services.Notification("out-gone", TODAY, TODAY), resident_ids=[gone.id],
                          destination_address="大阪府大阪市北区梅田1丁目1番")  # fmt: skip
    return {"adult": adult, "child": child, "later": later, "none": none, "returned": returned, "north": north}


def test_the_list_of_certificates_ending_in_a_window(tenant_a: Any, holders: dict[str, Any]) -> None:
    adult, child = holders["adult"].id, holders["child"].id
    with tenant_context(tenant_a.code):
        found = spr.expiring(D(2027, 1, 1), D(2027, 12, 31))
        assert [d.person.id for d in found] == [child, adult]  # by end date; superseded, returned, removed left out
        assert found[0].renewal_opens == D(2026, 11, 19) and found[1].renewal_opens == D(2027, 4, 15)
        assert [d.person.id for d in spr.expiring(D(2027, 1, 1), D(2027, 12, 31), "under16")] == [child]
        assert [d.person.id for d in spr.expiring(D(2027, 1, 1), D(2027, 12, 31), "16plus")] == [adult]
        north = spr.expiring(D(2027, 1, 1), D(2027, 12, 31), place_id=holders["north"].id)
        assert [(d.person.id, d.place) for d in north] == [(adult, "北支所")]
        # 有効期限の入力漏れ: no certificate in force on record (the returned one's person too, until a new one)
        assert [p.id for p in spr.missing()] == [holders["returned"].id, holders["none"].id]
        rows = list(csv.reader(io.StringIO(spr.expiring_csv(D(2027, 1, 1), D(2027, 12, 31), "all", None, "切替"))))
        assert rows[0][:3] == ["住民ID", "氏名", "生年月日"] and [r[0] for r in rows[1:]] == [str(child), str(adult)]
        assert rows[2][4:] == ["AA00000001AA", "2020-07-01", "2027-06-15", "2027-04-15", "北支所"]
        assert AuditEntry.objects.filter(action="residents.special_permanent.listed").count() == 2
        printed = text(spr.guidance_letters_pdf(D(2027, 1, 1), D(2027, 12, 31), "all", None, "切替案内"))
        assert printed.count(spr.GUIDANCE_TITLE) == 2 and "金" in printed and "令和9年6月15日" in printed
        for start, end, group, codes in (
            (D(2027, 12, 31), D(2027, 1, 1), "all", [("end", "before_start")]),
            (D(2026, 1, 1), D(2027, 12, 31), "all", [("end", "too_long")]),
            (None, None, "old", [("start", "required"), ("end", "required"), ("age_group", "invalid")]),
            (D(2040, 1, 1), D(2040, 2, 1), "all", [("start", "none")]),
        ):
            with pytest.raises(ProcedureError) as err:
                spr.guidance_letters_pdf(start, end, group, None, "切替案内")
            assert _codes(err) == codes


def test_listing_takes_the_same_queries_for_many_persons(tenant_a: Any, make_resident: Any) -> None:
    """No query per person or certificate (CONVENTIONS: every list has a query-count test)."""

    def queries(count: int) -> int:
        for n in range(count):
            person = _special(make_resident, tenant_a, family_name=f"金{count}{n}")
            with tenant_context(tenant_a.code):
                _held(person, f"QQ{count:04d}{n:04d}QQ", D(2020, 7, 1), D(2027, 6, 15))
        with tenant_context(tenant_a.code), CaptureQueriesContext(connection) as captured:
            found = spr.expiring(D(2027, 1, 1), D(2027, 12, 31))
            spr.counts(D(2026, 5, 1))
        assert len(found) >= count
        return len(captured.captured_queries)

    assert queries(2) == queries(5)


def test_counts_by_office_and_fiscal_year_and_month(tenant_a: Any, holders: dict[str, Any]) -> None:
    with tenant_context(tenant_a.code):
        found = spr.counts(D(2026, 5, 1))
        assert found.places == ("北支所", spr.NO_PLACE, spr.WHOLE)
        assert found.years == (2027, 2034)  # 2027-05-19, 2027-06-15 and 2028-01-02 are 2027年度; the renewal 2034
        assert found.by_year[spr.WHOLE, 2027] == 3 and found.by_year["北支所", 2027] == 1
        assert found.by_year[spr.NO_PLACE, 2027] == 2 and found.by_year[spr.NO_PLACE, 2034] == 1
        assert found.months[0] == (2026, 4) and found.months[-1] == (2028, 3) and len(found.months) == 24
        assert found.by_month[spr.WHOLE, (2027, 6)] == 1 and found.by_month[spr.WHOLE, (2028, 1)] == 1
        rows = list(csv.reader(io.StringIO(spr.counts_csv(D(2026, 5, 1)))))
        assert rows[0] == ["集計", "入力場所", "年度", "月", "件数"]
        assert ["年度別", spr.WHOLE, "2027", "", "3"] in rows and ["月別", "北支所", "2027", "6", "1"] in rows
        assert "金" not in str(rows)  # counts only
        assert spr.fiscal_year_label(2026) == "令和8年度"


# --- pages -----------------------------------------------------------------------------------------------------


def test_the_supervisors_pages(clerk: Client, supervisor: Client, tenant_a: Any, holders: dict[str, Any]) -> None:
    adult = holders["adult"]
    page, listing, counted = (f"{BASE}/{adult.id}/special-permanent/", f"{BASE}/special-permanent/",
                              f"{BASE}/special-permanent/counts/")  # fmt: skip
    for url in (page, listing, counted):
        assert clerk.get(url, {"purpose": "確認"}).status_code == 403
    assert clerk.post(page, {"purpose": "確認", "action": "accept"}).status_code == 403
    assert page in supervisor.get(f"{BASE}/{adult.id}/", {"purpose": "確認"}).content.decode()
    shown = supervisor.get(page, {"purpose": "確認"}).content.decode()
    assert "AA00000001AA" in shown and "令和9年6月15日" in shown
    refused = supervisor.post(page, {"purpose": "更新申請", "action": "accept", "kind": "renewal", "on": ""})
    assert refused.status_code == 400 and "期間前に申請する理由" in refused.content.decode()
    with tenant_context(tenant_a.code):
        assert SpecialPermanentApplication.objects.count() == 0
    done = supervisor.post(page, {"purpose": "更新申請", "action": "accept", "kind": "renewal", "on": "",
                                  "early_reason": "留学"})  # fmt: skip
    assert done.status_code == 302 and "done=accept" in done["Location"]
    with tenant_context(tenant_a.code):
        app = SpecialPermanentApplication.objects.get()
    received = supervisor.post(page, {"purpose": "接受", "action": "receive", "application": app.id, "on": "",
                                      "number": "ZZ99999999ZZ", "card_issued_on": ""})  # fmt: skip
    assert received.status_code == 302
    delivered = supervisor.post(page, {"purpose": "交付", "action": "deliver", "application": app.id, "on": ""})
    assert delivered.status_code == 302
    twice = supervisor.post(page, {"purpose": "交付", "action": "deliver", "application": app.id, "on": ""})
    assert twice.status_code == 400 and "この処理はできません" in twice.content.decode()

    window = {"start": "R9.1.1", "end": "R9.12.31", "age_group": "all"}
    listed = supervisor.get(listing, window).content.decode()
    assert "朴" in listed and "韓" in listed  # the child on the list; the one with no certificate below it
    bad = supervisor.get(listing, {**window, "end": "R8.1.1"})
    assert bad.status_code == 400 and "終了日が開始日より前です" in bad.content.decode()
    pdf = supervisor.post(listing, {**window, "action": "letters"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    sheet = supervisor.post(listing, {**window, "action": "csv"})
    assert sheet.status_code == 200 and sheet["Content-Type"].startswith("text/csv")
    assert "AA00000002AA" in sheet.content.decode("utf-8-sig")
    assert supervisor.post(listing, {**window, "action": "delete"}).status_code == 400
    table = supervisor.get(counted).content.decode()
    assert "令和9年度" in table and "令和9年5月" in table  # the child's; the adult's renewed at no office
    counts_csv = supervisor.get(counted, {"format": "csv"})
    assert counts_csv.status_code == 200 and "年度別" in counts_csv.content.decode("utf-8-sig")


def test_another_municipalitys_records_are_out_of_reach(
    supervisor: Client, tenant_a: Any, tenant_b: Any, make_resident: Any
) -> None:
    other = _special(make_resident, tenant_b)
    with tenant_context(tenant_b.code):
        theirs = _held(other, "BB00000001BB", D(2020, 7, 1), D(2027, 6, 15))
        app = spr.accept(other.id, "change", TODAY)
    url = f"{BASE}/{other.id}/special-permanent/"
    assert supervisor.get(url, {"purpose": "確認"}).status_code == 404
    assert supervisor.post(url, {"purpose": "確認", "action": "cancel", "application": app.id, "reason": "x"}
                           ).status_code == 404  # fmt: skip
    with tenant_context(tenant_a.code):
        assert spr.expiring(D(2027, 1, 1), D(2027, 12, 31)) == [] and spr.in_force([other.id]) == {}
        with pytest.raises(ProcedureError) as err:
            spr.record_return(theirs.id, TODAY, "出国")
        assert _codes(err) == [("certificate", "not_found")]
        with pytest.raises(ProcedureError) as cancelled:
            spr.cancel(app.id, TODAY, "誤り")
        assert _codes(cancelled) == [("application", "not_found")]
        assert spr.counts().places == (spr.WHOLE,)
    with tenant_context(tenant_b.code):
        assert SpecialPermanentApplication.objects.get().status == "accepted"
        assert SpecialPermanentCertificateReturn.objects.count() == 0
