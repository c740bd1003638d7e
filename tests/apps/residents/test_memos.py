"""メモ (住民記録システム標準仕様書 1.1.15, j150): free memos on a person, who and when, every correction and deletion
kept, never printed on a certificate; the service's refusals write nothing; the counter page."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from kiban.apps.residents import certificates, memos
from kiban.apps.residents.models import ResidentMemo
from kiban.apps.residents.validation import ProcedureError
from kiban.platform.audit.actor import Actor, acting_as
from kiban.platform.audit.models import AuditEntry
from kiban.platform.tenants.context import tenant_context

BASE = "/staff/residents"


def _codes(exc: pytest.ExceptionInfo[ProcedureError]) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in exc.value.errors]


def test_a_memo_is_written_corrected_and_deleted_and_every_version_is_kept(tenant_a: Any, make_resident: Any) -> None:
    person = make_resident(tenant_a)
    with tenant_context(tenant_a.code):
        with acting_as(Actor("staff", "clerk1")):
            first = memos.write(person.id, "  来庁予定：4月1日午後  ", "r1")
        with acting_as(Actor("staff", "clerk2")):
            second = memos.revise(person.id, first.memo, 1, "来庁予定：4月2日午前", "r2")
            other = memos.write(person.id, "郵便物の返戻あり", "r3")
        standing = memos.memos_of(person.id, "窓口での確認")
        assert [(m.body, m.version, m.written_by, m.first_written_by) for m in standing] == [
            ("郵便物の返戻あり", 1, "staff:clerk2", "staff:clerk2"),
            ("来庁予定：4月2日午前", 2, "staff:clerk2", "staff:clerk1"),  # who wrote it first, who corrected it
        ]
        with acting_as(Actor("staff", "clerk3")):
            memos.delete(person.id, second.memo, 2, "r4")
        assert [m.memo for m in memos.memos_of(person.id, "窓口での確認")] == [other.memo]
        kept = memos.history(person.id, "メモの履歴の確認")
        assert [(h.version, h.body, h.deleted, h.written_by) for h in kept] == [
            (1, "来庁予定：4月1日午後", False, "staff:clerk1"),  # trimmed
            (2, "来庁予定：4月2日午前", False, "staff:clerk2"),
            (1, "郵便物の返戻あり", False, "staff:clerk2"),
            (3, "", True, "staff:clerk3"),
        ]
        assert all(h.written_at is not None for h in kept)
        actions = list(AuditEntry.objects.filter(action__startswith="residents.memo.").values_list("action", "purpose"))
    assert actions == [
        ("residents.memo.written", ""), ("residents.memo.revised", ""), ("residents.memo.written", ""),
        ("residents.memo.read", "窓口での確認"), ("residents.memo.deleted", ""),
        ("residents.memo.read", "窓口での確認"),
        ("residents.memo.history_read", "メモの履歴の確認"),
    ]  # fmt: skip


def test_refused_memos_write_nothing_and_say_why(tenant_a: Any, make_resident: Any) -> None:
    person = make_resident(tenant_a)
    with tenant_context(tenant_a.code):
        with pytest.raises(ProcedureError) as empty:
            memos.write(person.id, "　 \n", "r1")  # a full-width space is blank too
        assert _codes(empty) == [("body", "required")] and "入力してください" in empty.value.errors[0].message
        with pytest.raises(ProcedureError) as long:
            memos.write(person.id, "あ" * (memos.MAX_LENGTH + 1), "r1")
        assert _codes(long) == [("body", "too_long")] and "2001文字" in long.value.errors[0].message
        with pytest.raises(ProcedureError) as nobody:
            memos.write(999_999, "メモ", "r1")
        assert _codes(nobody) == [("resident", "not_found")]
        with pytest.raises(ProcedureError) as no_id:
            memos.write(person.id, "メモ", "")
        assert _codes(no_id) == [("request_id", "invalid")]
        written = memos.write(person.id, "最初の内容", "r2")
        with pytest.raises(ProcedureError) as unknown:
            memos.revise(person.id, uuid.uuid4(), 1, "別の内容", "r3")
        assert _codes(unknown) == [("memo", "not_found")]
        with pytest.raises(ProcedureError) as elsewhere:  # a memo of another person is not this person's
            memos.revise(make_resident(tenant_a, "スズキ").id, written.memo, 1, "別の内容", "r3")
        assert _codes(elsewhere) == [("memo", "not_found")]
        with pytest.raises(ProcedureError) as same:
            memos.revise(person.id, written.memo, 1, "最初の内容", "r3")
        assert _codes(same) == [("body", "unchanged")]
        with pytest.raises(ProcedureError) as ahead:  # a version that does not exist yet (a forged form)
            memos.revise(person.id, written.memo, 5, "先の版", "r3")
        assert _codes(ahead) == [("based_on", "changed")]
        memos.revise(person.id, written.memo, 1, "二人目の修正", "r4")
        with pytest.raises(ProcedureError) as stale:  # corrected meanwhile by someone else, on version 1
            memos.revise(person.id, written.memo, 1, "一人目の修正", "r5")
        assert _codes(stale) == [("based_on", "changed")] and "他の職員" in stale.value.errors[0].message
        with pytest.raises(ProcedureError) as stale_delete:
            memos.delete(person.id, written.memo, 1, "r6")
        assert _codes(stale_delete) == [("based_on", "changed")]
        memos.delete(person.id, written.memo, 2, "r7")
        with pytest.raises(ProcedureError) as deleted:
            memos.revise(person.id, written.memo, 3, "削除後の修正", "r8")
        assert _codes(deleted) == [("memo", "not_found")]
        assert list(ResidentMemo.objects.order_by("id").values_list("version", "body")) == [
            (1, "最初の内容"), (2, "二人目の修正"), (3, ""),
        ]  # fmt: skip


def test_a_form_sent_twice_writes_once(tenant_a: Any, make_resident: Any) -> None:
    person = make_resident(tenant_a)
    with tenant_context(tenant_a.code):
        first = memos.write(person.id, "二度押し", "same")
        again = memos.write(person.id, "二度押し", "same")
        revised = memos.revise(person.id, first.memo, 1, "修正", "fix")
        assert memos.revise(person.id, first.memo, 1, "修正", "fix").id == revised.id  # not refused as stale
        assert again.id == first.id and ResidentMemo.objects.count() == 2


def test_the_database_keeps_every_version(tenant_a: Any, make_resident: Any) -> None:
    """Append-only in the database itself (a trigger on both databases, and no privilege on PostgreSQL): a correction
    cannot overwrite, a deletion cannot remove a row."""
    person = make_resident(tenant_a)
    with tenant_context(tenant_a.code):
        memos.write(person.id, "残すべき内容", "r1")
        for statement in ("UPDATE residents_residentmemo SET body = 'x'", "DELETE FROM residents_residentmemo"):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement)
        assert list(ResidentMemo.objects.values_list("body", flat=True)) == ["残すべき内容"]


def test_a_memo_is_never_printed_on_a_certificate(tenant_a: Any, make_resident: Any) -> None:
    from tests.apps.residents.printing.pdftext import text

    person = make_resident(tenant_a)
    with tenant_context(tenant_a.code):
        memos.write(person.id, "秘匿メモ：家族から連絡あり", "r1")
        issued = certificates.issue(
            certificates.Request(
                kind="resident_copy",
                resident_ids=[person.id],
                requester="self",
                requester_name="本人",
                purpose="確認",
                layout="individual",
                requester_resident_id=person.id,
            )
        )
    printed = text(issued.pdf)
    assert person.family_name in printed and "秘匿メモ" not in printed and "家族から連絡" not in printed


def test_the_counter_page_writes_corrects_and_deletes_memos(clerk: Client, tenant_a: Any, make_resident: Any) -> None:
    person = make_resident(tenant_a)
    url = f"{BASE}/{person.id}/memos/"
    assert url in clerk.get(f"{BASE}/{person.id}/", {"purpose": "確認"}).content.decode()  # linked from the record
    assert "利用目的" in clerk.get(url).content.decode()  # no purpose, no memos
    page = clerk.get(url, {"purpose": "窓口での確認"})
    assert page.status_code == 200 and "メモはありません" in page.content.decode()
    sent = {"purpose": "窓口での確認", "action": "write", "body": "来庁予定", "request_id": "page-1"}
    done = clerk.post(url, sent)
    assert done.status_code == 302 and "done=write" in done["Location"]
    assert clerk.post(url, sent).status_code == 302  # sent twice: one memo
    with tenant_context(tenant_a.code):
        memo = ResidentMemo.objects.get()
    assert memo.written_by == "staff:clerk"
    html = clerk.get(done["Location"]).content.decode()
    assert "メモを登録しました" in html and "来庁予定" in html and str(memo.memo) in html

    refused = clerk.post(url, {**sent, "body": "", "request_id": "page-2"})
    assert refused.status_code == 400 and "メモの内容を入力してください" in refused.content.decode()
    fix = {"purpose": "窓口での確認", "action": "revise", "memo": str(memo.memo), "based_on": "1", "body": "来庁済み"}
    assert clerk.post(url, {**fix, "request_id": "page-3"}).status_code == 302
    stale = clerk.post(url, {**fix, "body": "古い画面からの修正", "request_id": "page-4"})
    assert stale.status_code == 400 and "他の職員が変更しました" in stale.content.decode()
    assert "古い画面からの修正" in stale.content.decode()  # what was typed is not lost
    forged = clerk.post(url, {**fix, "memo": "not-a-uuid", "request_id": "page-5"})
    assert forged.status_code == 400 and "このメモはありません" in forged.content.decode()
    gone = clerk.post(url, {**fix, "action": "delete", "based_on": "2", "request_id": "page-6"})
    assert gone.status_code == 302
    history = clerk.get(url, {"purpose": "履歴の確認", "history": "1"}).content.decode()
    assert "来庁予定" in history and "来庁済み" in history and "削除" in history
    with tenant_context(tenant_a.code):
        assert list(ResidentMemo.objects.order_by("id").values_list("version", "deleted")) == [
            (1, False), (2, False), (3, True),
        ]  # fmt: skip


def test_another_municipalitys_memos_are_not_found(clerk: Client, tenant_b: Any, make_resident: Any) -> None:
    other = make_resident(tenant_b)
    with tenant_context(tenant_b.code):
        memos.write(other.id, "別の自治体のメモ", "r1")
    response = clerk.get(f"{BASE}/{other.id}/memos/", {"purpose": "確認"})
    assert response.status_code == 404
    refused = clerk.post(f"{BASE}/{other.id}/memos/", {"purpose": "確認", "action": "write", "body": "x",
                                                       "request_id": "r2"})  # fmt: skip
    assert refused.status_code == 404
    with tenant_context(tenant_b.code):
        assert ResidentMemo.objects.count() == 1


def test_signed_out_users_cannot_open_memos(tenant_a: Any, make_resident: Any) -> None:
    person = make_resident(tenant_a)
    response = Client().get(f"{BASE}/{person.id}/memos/", {"purpose": "確認"})
    assert response.status_code in (302, 403) and "メモ" not in response.content.decode()
