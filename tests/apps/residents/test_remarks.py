"""統合記載欄 (住民記録システム標準仕様書 1.1.14, j140): 留意事項 (B類型) tied to a history entry, 備考 (C類型) apart
from it; free input with the prescribed words offered; withdrawn with a reason, never deleted; printed with the
history on a certificate; refusals write nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kiban.apps.residents import certificates, remarks
from kiban.apps.residents.models import ResidentHistory, ResidentRemark
from kiban.apps.residents.validation import ProcedureError
from kiban.platform.tenants.context import tenant_context

D = datetime.date


def _codes(err: pytest.ExceptionInfo[ProcedureError]) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in err.value.errors]


def _first_seq(resident_id: int) -> int:
    return int(ResidentHistory.objects.filter(resident_id=resident_id).order_by("seq").values_list("seq", flat=True)[0])


def test_notes_belong_to_an_entry_remarks_stand_apart_and_withdrawal_keeps_the_row(
    tenant_a: Any, make_resident: Any
) -> None:
    person = make_resident(tenant_a)
    with tenant_context(tenant_a.code):
        seq = _first_seq(person.id)
        note = remarks.add(person.id, remarks.RemarkData("note", " 特別養子縁組 ", D(2024, 4, 1), seq))
        remark = remarks.add(person.id, remarks.RemarkData("remark", "事実上の世帯主　施設長　山田一郎", D(2024, 4, 2)))
        assert (note.text, note.history_seq, remark.history_seq) == ("特別養子縁組", seq, None)
        assert [r.id for r in remarks.standing(person.id)] == [note.id, remark.id]
        remarks.withdraw(person.id, remark.id, "誤記のため")
        assert [r.id for r in remarks.standing(person.id)] == [note.id]
        kept = ResidentRemark.objects.get(id=remark.id)
        assert kept.withdrawn_at is not None and kept.withdrawal_reason == "誤記のため" and kept.withdrawn_by
        assert "特別養子縁組" in remarks.FIXED_PHRASES and "特別養子縁組解消" in remarks.FIXED_PHRASES


def test_refused_entries_write_nothing_and_say_why(tenant_a: Any, make_resident: Any) -> None:
    person = make_resident(tenant_a)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with tenant_context(tenant_a.code):
        seq = _first_seq(person.id)
        cases = [
            (remarks.RemarkData("remark", "  ", D(2024, 4, 1)), [("text", "required")]),
            (remarks.RemarkData("remark", "あ" * 201, D(2024, 4, 1)), [("text", "too_long")]),
            (remarks.RemarkData("remark", "備考", tomorrow), [("entered_on", "future_date")]),
            (remarks.RemarkData("other", "備考", D(2024, 4, 1)), [("kind", "invalid")]),
            (remarks.RemarkData("note", "留意事項", D(2024, 4, 1)), [("history_seq", "required")]),
            (remarks.RemarkData("note", "留意事項", D(2024, 4, 1), 999), [("history_seq", "not_found")]),
            (remarks.RemarkData("remark", "備考", D(2024, 4, 1), seq), [("history_seq", "not_for_remark")]),
        ]
        for data, expected in cases:
            with pytest.raises(ProcedureError) as err:
                remarks.add(person.id, data)
            assert _codes(err) == expected, data
        with pytest.raises(ProcedureError) as nobody:
            remarks.add(999_999, remarks.RemarkData("remark", "備考", D(2024, 4, 1)))
        assert _codes(nobody) == [("resident", "not_found")]
        entered = remarks.add(person.id, remarks.RemarkData("remark", "備考", D(2024, 4, 1)))
        with pytest.raises(ProcedureError) as no_reason:
            remarks.withdraw(person.id, entered.id, " ")
        assert _codes(no_reason) == [("reason", "required")]
        remarks.withdraw(person.id, entered.id, "誤記")
        with pytest.raises(ProcedureError) as twice:
            remarks.withdraw(person.id, entered.id, "誤記")
        assert _codes(twice) == [("remark", "not_found")]
        assert ResidentRemark.objects.count() == 1


def test_a_certificate_with_the_history_prints_notes_and_remarks(tenant_a: Any, make_resident: Any) -> None:
    from tests.apps.residents.printing.pdftext import text

    person = make_resident(tenant_a)
    with tenant_context(tenant_a.code):
        seq = _first_seq(person.id)
        remarks.add(person.id, remarks.RemarkData("note", "特別養子縁組", D(2024, 4, 1), seq))
        remarks.add(person.id, remarks.RemarkData("remark", "事実上の世帯主　施設長　山田一郎", D(2024, 4, 1)))
        gone = remarks.add(person.id, remarks.RemarkData("remark", "取り消した備考", D(2024, 4, 1)))
        remarks.withdraw(person.id, gone.id, "誤記")

        def issued(items: tuple[str, ...]) -> str:
            request = certificates.Request(kind="resident_copy", resident_ids=[person.id], requester="self",
                                           requester_name="本人", purpose="確認", layout="individual",
                                           requester_resident_id=person.id, items=items)  # fmt: skip
            return text(certificates.issue(request).pdf)

        with_history, without = issued(("history",)), issued(())
    assert "留意事項" in with_history and "特別養子縁組" in with_history
    assert "備考" in with_history and "施設長　山田一郎" in with_history
    assert with_history.index("特別養子縁組") > with_history.index("異動日")  # below the history entry
    assert "取り消した備考" not in with_history
    assert "特別養子縁組" not in without and "施設長" not in without


def test_the_counter_page_enters_and_withdraws(clerk: Client, tenant_a: Any, make_resident: Any) -> None:
    person = make_resident(tenant_a)
    url = f"/staff/residents/{person.id}/remarks/"
    record = clerk.get(f"/staff/residents/{person.id}/", {"purpose": "確認"}).content.decode()
    assert url in record and "備考" in record
    page = clerk.get(url, {"purpose": "統合記載欄の記載"}).content.decode()
    assert "特別養子縁組解消" in page  # the prescribed words offered
    refused = clerk.post(url, {"purpose": "統合記載欄の記載", "action": "enter", "kind": "note", "text": "留意事項"})
    assert refused.status_code == 400 and "異動履歴を選んでください" in refused.content.decode()
    done = clerk.post(url, {"purpose": "統合記載欄の記載", "action": "enter", "kind": "remark",
                            "text": "事実上の世帯主　施設長　山田一郎", "entered_on": "R6.4.1"})  # fmt: skip
    assert done.status_code == 302
    record = clerk.get(f"/staff/residents/{person.id}/", {"purpose": "確認"}).content.decode()
    assert "施設長　山田一郎" in record
    with tenant_context(tenant_a.code):
        entered = ResidentRemark.objects.get()
        assert entered.entered_on == D(2024, 4, 1)
    bad_date = clerk.post(url, {"purpose": "統合記載欄の記載", "action": "enter", "kind": "remark", "text": "x",
                                "entered_on": "令和99年13月1日"})  # fmt: skip
    assert bad_date.status_code == 400
    withdrawn = clerk.post(url, {"purpose": "統合記載欄の記載", "action": "withdraw", "remark": entered.id,
                                 "reason": "誤記"})  # fmt: skip
    assert withdrawn.status_code == 302
    assert "施設長" not in clerk.get(f"/staff/residents/{person.id}/", {"purpose": "確認"}).content.decode()
    with tenant_context(tenant_a.code):
        assert ResidentRemark.objects.count() == 1  # kept, withdrawn


def test_the_api_takes_the_application_mark_and_the_unnotified_move_in(tenant_a: Any, client_token: Any) -> None:
    """The REST API's procedures: ``on_application`` (4.2.0.5) for authority actions only (422 otherwise, nothing
    written); ``unnotified`` and ``last_registered_address`` on the move-in (4.1.1.4)."""
    from kiban.apps.residents.models import Procedure, Resident

    token = client_token(tenant_a, businesses=["residents"], scopes="residents:read residents:write")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    base = f"/api/v1/tenants/{tenant_a.code}/procedures"
    person = {"family_name": "佐藤", "given_name": "一郎", "family_name_kana": "サトウ", "given_name_kana": "イチロウ",
              "birth_date": "1980-01-02", "sex": "1", "relationship": "世帯主",
              "resident_code": "12345678901"}  # fmt: skip
    moved_in = client.post(f"{base}/move-in", {
        "request_id": "api-unnotified", "effective_on": "2024-04-01", "notified_on": "2024-04-01",
        "address": {"address": "東京都千代田区千代田1番"}, "persons": [person], "previous_address": "大阪市北区1番",
        "unnotified": True, "last_registered_address": "横浜市中区1番"}, content_type="application/json")  # fmt: skip
    assert moved_in.status_code == 200, moved_in.content
    rid = moved_in.json()["resident_ids"][0]
    refused = client.post(f"{base}/move-within", {
        "request_id": "api-within", "effective_on": "2024-05-01", "notified_on": "2024-05-01", "resident_ids": [rid],
        "address": {"address": "東京都千代田区千代田2番"}, "on_application": True},
        content_type="application/json")  # fmt: skip
    assert refused.status_code == 422 and refused.json()["errors"][0]["code"] == "not_authority"
    removed = client.post(f"{base}/remove-by-authority", {
        "request_id": "api-removal", "effective_on": "2024-06-01", "notified_on": "2024-05-28", "resident_ids": [rid],
        "reason": "本人の申出により居住なし", "on_application": True}, content_type="application/json")  # fmt: skip
    assert removed.status_code == 200 and "on_application" in removed.json()["flags"]
    with tenant_context(tenant_a.code):
        assert Resident.objects.get(id=rid).previous_address == "大阪市北区1番（未届）"
        assert ResidentRemark.objects.get(resident_id=rid).text == "未届転入　転入前住所（未届）　大阪市北区1番"
        assert Procedure.objects.filter(kind="転居").count() == 0
