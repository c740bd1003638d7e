"""Notices to outside bodies (``external_notices``): the 戸籍の附票記載事項通知 to the 本籍地
(住基法19条; 標準仕様書 7.2.4 j1200) and the 市町村通知 to the 出入国在留管理庁 (入管法61条の8の2; 4.5.7
j970), derived from the history, listed in event order, sent once (a resend marked), each published as an
event, handed to another municipality on the platform or printed for one that takes paper."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from kiban.apps.residents import external_notices as notices
from kiban.apps.residents import services
from kiban.apps.residents.models import ExternalNoticeSent, Resident
from kiban.apps.residents.permissions import SUPERVISOR
from kiban.apps.residents.validation import ProcedureError
from kiban.platform.audit.models import AuditEntry
from kiban.platform.events.models import ChannelMessage, Event
from kiban.platform.tenants.context import tenant_context
from tests.apps.residents.printing.pdftext import text
from tests.conftest import sign_in

from .test_certificates import no_certifier

FUHYO, IMMIGRATION = notices.KOSEKI_FUHYO, notices.IMMIGRATION
PAGE = "/staff/residents/external-notices/"
D = datetime.date


APRIL = D(2024, 4, 1)


def _n(request_id: str, day: D = APRIL) -> services.Notification:
    return services.Notification(request_id, day, day)


def _pending(tenant: Any, kind: str = FUHYO) -> list[notices.Notice]:
    with tenant_context(tenant.code):
        return notices.pending(kind, "確認")


def _correct(tenant: Any, person: Resident, request_id: str, **changes: Any) -> None:
    with tenant_context(tenant.code):
        services.correct(_n(request_id, D(2024, 5, 1)), resident_id=person.id, changes=changes, reason="戸籍の通知")


def test_a_move_in_is_notified_to_the_own_fuhyo_system_once(tenant_a: Any, make_resident: Any) -> None:
    person = make_resident(tenant_a, "ヤマダ")  # 本籍 東京都千代田区: this municipality's own 附票
    (notice,) = _pending(tenant_a)
    assert notice.destination == notices.Destination("131016", "東京都千代田区", "event")
    assert notice.content["name"] == "山田　花子" and notice.content["domicile"] == "東京都千代田区千代田1番"
    assert (
        notice.content["address"] == "東京都千代田区千代田1番1号" and notice.content["address_set_on"] == "2015-04-01"
    )
    assert "individual_number" not in notice.content and _pending(tenant_a, IMMIGRATION) == []
    with tenant_context(tenant_a.code):
        batch = notices.send(FUHYO, [notice.history_id], "附票通知の送信")
        assert (batch.sent, batch.by_delivery, batch.pdf) == (1, {"event": 1}, None)
        (event,) = Event.objects.filter(type="residents.koseki_fuhyo.notice")
        assert event.data["resident_id"] == person.id
        assert event.data["address"] == "東京都千代田区千代田1番1号" and event.data["resend"] is False
        assert AuditEntry.objects.filter(action="residents.external_notice.sent", object_id=str(person.id)).exists()
        assert AuditEntry.objects.filter(action="resident.listed", object_id=str(person.id)).exists()
    assert _pending(tenant_a) == []
    with tenant_context(tenant_a.code), pytest.raises(ProcedureError) as err:
        notices.send(FUHYO, [notice.history_id], "もう一度")
    assert {e.code for e in err.value.errors} == {"already_sent"}
    with tenant_context(tenant_a.code):
        assert ExternalNoticeSent.objects.count() == 1
        notices.send(FUHYO, [notice.history_id], "再送信", resend=True)
        assert [r.resend for r in notices.sent(FUHYO, "照会")] == [True, False]
        assert Event.objects.filter(type="residents.koseki_fuhyo.notice").count() == 2
        assert AuditEntry.objects.filter(action="residents.external_notice.resent").exists()


def test_which_changes_are_notified_and_where(tenant_a: Any, tenant_b: Any, make_resident: Any) -> None:
    person = make_resident(tenant_a, "ヤマダ")
    with tenant_context(tenant_a.code):
        notices.send(FUHYO, [n.history_id for n in notices.pending(FUHYO, "確認")], "送信")
        services.move_within(_n("within"), resident_ids=[person.id],
                             address=services.AddressData("東京都千代田区九段南1丁目2番1号"))  # fmt: skip
    (moved,) = _pending(tenant_a)
    assert (moved.reason, moved.content["address"], moved.content["address_set_on"]) == (
        "転居", "東京都千代田区九段南1丁目2番1号", "2024-04-01")  # fmt: skip
    # The 本籍 moves to 新宿区 (a municipality on the platform): its 附票 system gets it through the channel.
    _correct(tenant_a, person, "to-shinjuku", domicile="東京都新宿区西新宿2丁目8番", domicile_head="山田　花子")
    # … then to 大阪市, not on the platform: a printed 通知書.
    _correct(tenant_a, person, "to-osaka", domicile="大阪府大阪市北区中之島1丁目3番", domicile_head="山田　花子")
    listed = _pending(tenant_a)
    assert [n.destination.delivery if n.destination else None for n in listed] == ["event", "channel", "paper"]
    with tenant_context(tenant_a.code):
        batch = notices.send(FUHYO, [n.history_id for n in listed], "送信")
        assert batch.by_delivery == {"event": 1, "channel": 1, "paper": 1}
        (message,) = ChannelMessage.objects.filter(type="residents.koseki_fuhyo.notice")
        assert message.to_tenant == "131041" and message.data["domicile"] == "東京都新宿区西新宿2丁目8番"
    assert batch.pdf is not None
    flat = "".join(text(batch.pdf).split())
    for item in (
        "戸籍の附票記載事項通知書",
        "大阪府大阪市長",
        "山田花子",
        "大阪府大阪市北区中之島1丁目3番",
        "第19条第1項",
    ):
        assert item in flat, item
    # A 国内転出 is for the municipality moved to (on its 転入); a 国外転出 is this one's to notify.
    with tenant_context(tenant_a.code):
        services.move_out(_n("abroad", D(2024, 6, 1)), resident_ids=[person.id], destination_address="アメリカ合衆国",
                          abroad=True)  # fmt: skip
    (abroad,) = _pending(tenant_a)
    assert (abroad.content["address"], abroad.content["address_set_on"]) == ("国外転出者", "2024-06-01")


def test_a_domestic_move_out_and_a_foreign_resident_give_no_fuhyo_notice(
    tenant_a: Any, make_resident: Any, foreigner: Resident
) -> None:
    person = make_resident(tenant_a, "スズキ")
    with tenant_context(tenant_a.code):
        notices.send(FUHYO, [n.history_id for n in notices.pending(FUHYO, "確認")], "送信")
        services.move_out(_n("away"), resident_ids=[person.id], destination_address="大阪府大阪市北区中之島1丁目3番",
                          destination_code="271004")  # fmt: skip
    assert _pending(tenant_a) == []


def test_foreign_residents_are_notified_to_the_immigration_agency(tenant_a: Any, foreigner: Resident) -> None:
    with tenant_context(tenant_a.code):
        services.move_within(_n("f-within"), resident_ids=[foreigner.id],
                             address=services.AddressData("東京都千代田区九段南1丁目2番1号"))  # fmt: skip
        services.move_out(_n("f-out", D(2024, 6, 1)), resident_ids=[foreigner.id],
                          destination_address="大阪府大阪市北区中之島1丁目3番", destination_code="271004")  # fmt: skip
    listed = _pending(tenant_a, IMMIGRATION)
    assert [n.reason for n in listed] == ["国外転入等", "転居", "国内転出"]
    first, _, out = listed
    assert first.destination == notices.Destination("", "出入国在留管理庁", "event")
    assert (first.content["residence_card_number"], first.content["nationality"], first.content["sex"]) == (
        "AB12345678CD", "840", "女")  # fmt: skip
    assert first.content["category"] == "住基法・入管法" and out.content["category"] == "住基法"
    assert out.content["destination_address"] == "大阪府大阪市北区中之島1丁目3番"
    with tenant_context(tenant_a.code):
        batch = notices.send(IMMIGRATION, [n.history_id for n in listed], "市町村通知")
        assert batch.by_delivery == {"event": 3}
        events = Event.objects.filter(type="residents.immigration.notice").order_by("id")
        assert [e.data["reason"] for e in events] == ["国外転入等", "転居", "国内転出"]  # in event order
    assert _pending(tenant_a, IMMIGRATION) == []


def test_refusals_write_and_send_nothing(tenant_a: Any, make_resident: Any) -> None:
    person = make_resident(tenant_a, "ヤマダ")
    with tenant_context(tenant_a.code):
        services.move_within(_n("within"), resident_ids=[person.id],
                             address=services.AddressData("東京都千代田区九段南1丁目2番1号"))  # fmt: skip
    first, second = _pending(tenant_a)
    cases: list[tuple[str, list[int], bool, str]] = [
        ("unknown", [first.history_id], False, "invalid"),
        (FUHYO, [], False, "required"),
        (FUHYO, [999_999], False, "not_found"),
        (FUHYO, [second.history_id], False, "out_of_order"),  # the earlier one of the same person first
        (FUHYO, [first.history_id], True, "not_sent"),  # a resend of what was never sent
        (IMMIGRATION, [first.history_id], False, "not_found"),  # a Japanese resident's entry
    ]
    with tenant_context(tenant_a.code):
        for kind, ids, resend, code in cases:
            with pytest.raises(ProcedureError) as err:
                notices.send(kind, ids, "送信", resend=resend)
            assert code in {e.code for e in err.value.errors}, (kind, ids, code)
        with pytest.raises(ProcedureError):
            notices.pending("unknown", "確認")
        assert ExternalNoticeSent.objects.count() == 0 and not Event.objects.filter(type__contains="notice").exists()
        notices.send(FUHYO, [second.history_id, first.history_id], "送信")  # both: sent, in event order
        assert list(ExternalNoticeSent.objects.order_by("id").values_list("history_id", flat=True)) == [
            first.history_id, second.history_id]  # fmt: skip


def test_a_domicile_of_no_known_municipality_is_listed_but_not_sent(tenant_a: Any, make_resident: Any) -> None:
    make_resident(tenant_a, "ヤマダ", domicile="府中市宮西町1番")  # Tokyo's or Hiroshima's: cannot be told
    (notice,) = _pending(tenant_a)
    assert notice.destination is None
    with tenant_context(tenant_a.code), pytest.raises(ProcedureError) as err:
        notices.send(FUHYO, [notice.history_id], "送信")
    assert {e.code for e in err.value.errors} == {"no_destination"}


def test_paper_needs_a_certifier(tenant_a: Any, make_resident: Any) -> None:
    make_resident(tenant_a, "ヤマダ", domicile="大阪府大阪市北区中之島1丁目3番")
    (notice,) = _pending(tenant_a)
    no_certifier(tenant_a)
    with tenant_context(tenant_a.code):
        with pytest.raises(ProcedureError) as err:
            notices.send(FUHYO, [notice.history_id], "送信")
        assert {e.field for e in err.value.errors} == {"certifier"}
        assert ExternalNoticeSent.objects.count() == 0


def test_another_municipality_neither_sees_nor_sends_them(tenant_a: Any, tenant_b: Any, make_resident: Any) -> None:
    make_resident(tenant_a, "ヤマダ")
    (notice,) = _pending(tenant_a)
    assert _pending(tenant_b) == []
    with tenant_context(tenant_b.code):
        with pytest.raises(ProcedureError) as err:
            notices.send(FUHYO, [notice.history_id], "送信")
        assert {e.code for e in err.value.errors} == {"not_found"}
        assert notices.sent(FUHYO, "照会") == []
    with tenant_context(tenant_a.code):
        assert ExternalNoticeSent.objects.count() == 0


def test_the_counter_page(
    clerk: Client, supervisor: Client, tenant_a: Any, tenant_b: Any, make_staff: Any, make_resident: Any
) -> None:
    make_resident(tenant_a, "ヤマダ")
    make_resident(tenant_a, "スズキ", family_name="鈴木", domicile="大阪府大阪市北区中之島1丁目3番")
    own, paper = _pending(tenant_a)
    assert clerk.get(PAGE, {"purpose": "確認"}).status_code == 403  # supervisors only
    assert "利用目的" in supervisor.get(PAGE).content.decode()  # the purpose first
    listed = supervisor.get(PAGE, {"purpose": "送信の確認", "kind": FUHYO}).content.decode()
    assert "山田" in listed and "鈴木" in listed and "大阪府大阪市" in listed
    assert "平成27年4月1日" in listed and "2015-04-01" not in listed  # dates in 和暦 only (標準仕様書 1.1.9)
    refused = supervisor.post(PAGE, {"purpose": "送信", "kind": FUHYO, "action": "send"})
    assert refused.status_code == 400 and 'id="errors"' in refused.content.decode()
    done = supervisor.post(PAGE, {"purpose": "送信", "kind": FUHYO, "action": "send", "history_id": [own.history_id]})
    assert done.status_code == 302
    printed = supervisor.post(PAGE, {"purpose": "送信", "kind": FUHYO, "action": "send",
                                     "history_id": [paper.history_id]})  # fmt: skip
    assert printed.status_code == 200 and printed["Content-Type"] == "application/pdf"
    assert 'id="none"' in supervisor.get(done["Location"]).content.decode()
    history = supervisor.get(PAGE, {"purpose": "照会", "kind": FUHYO, "view": "sent"}).content.decode()
    assert "山田" in history and "鈴木" in history
    assert "平成27年4月1日" in history and "2015-04-01" not in history
    resent = supervisor.post(PAGE, {"purpose": "再送信", "kind": FUHYO, "action": "resend",
                                    "history_id": [own.history_id]})  # fmt: skip
    assert resent.status_code == 302
    other = sign_in(make_staff(tenant_b, "boss-b", [SUPERVISOR.code]))
    assert "山田" not in other.get(PAGE, {"purpose": "確認", "kind": FUHYO, "view": "sent"}).content.decode()
    assert other.post(PAGE, {"purpose": "送信", "kind": FUHYO, "action": "resend",
                             "history_id": [own.history_id]}).status_code == 400  # fmt: skip


def test_listing_reads_a_fixed_number_of_queries(tenant_a: Any, make_resident: Any) -> None:
    """The list reads the history in chunks, the earlier entries and the tenants once per chunk: not per person."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with tenant_context(tenant_a.code), CaptureQueriesContext(connection) as ctx:
            notices.pending(FUHYO, "確認")
        return len(ctx.captured_queries)

    make_resident(tenant_a, "アベ")
    few = queries()
    for kana in ("イトウ", "ウエダ", "エンドウ", "オオノ"):
        make_resident(tenant_a, kana)
    assert queries() == few
