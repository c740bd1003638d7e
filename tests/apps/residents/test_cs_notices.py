"""CSへの自動送信 (標準仕様書 7.1.1.1, j1090) on the notices mechanism (``external_notices``): the 本人確認情報 to the
prefecture (住基法30条の6) without the 個人番号 kept, the 転入通知 (法9条1項) to the previous address's municipality
and its round trip to another municipality on the platform, the switch to manual linkage, a resend with a corrected
異動事由, and a failed delivery that records nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kiban.apps.residents import external_notices as notices
from kiban.apps.residents import move_in_notices, services
from kiban.apps.residents.models import CsManualLinkage, ExternalNoticeSent, Resident
from kiban.apps.residents.validation import PersonData, ProcedureError
from kiban.platform.audit.models import AuditEntry
from kiban.platform.batch import services as batch
from kiban.platform.batch.models import Run
from kiban.platform.crypto.services import DecryptionError
from kiban.platform.events import types
from kiban.platform.events.dispatcher import Dispatcher
from kiban.platform.events.models import ChannelMessage, Event
from kiban.platform.tenants.context import tenant_context

IDENTITY, MOVE_IN = notices.CS_IDENTITY, notices.MOVE_IN
PAGE = "/staff/residents/external-notices/"
NUMBER = "123456789018"
SHINJUKU = "東京都新宿区西新宿2丁目8番1号"


def _today() -> datetime.date:
    return timezone.localdate()


def _n(request_id: str) -> services.Notification:
    return services.Notification(request_id, _today(), _today())


def _pending(tenant: Any, kind: str = IDENTITY) -> list[notices.Notice]:
    with tenant_context(tenant.code):
        return notices.pending(kind, "確認")


def _codes(err: pytest.ExceptionInfo[ProcedureError]) -> set[str]:
    return {e.code for e in err.value.errors}


def _person(**fields: Any) -> PersonData:
    values = {"family_name": "鈴木", "given_name": "一郎", "family_name_kana": "スズキ", "given_name_kana": "イチロウ",
              "birth_date": datetime.date(1975, 5, 5), "sex": "1", "relationship": "世帯主",
              "domicile": "東京都千代田区千代田1番", "resident_code": "12345678903"} | fields  # fmt: skip
    return PersonData(**values)


def _move_in(tenant: Any, request_id: str, previous: str, **kw: Any) -> Resident:
    with tenant_context(tenant.code):
        result = services.move_in(_n(request_id), address=services.AddressData("東京都千代田区九段南1丁目2番1号"),
                                  persons=[kw.pop("person", None) or _person()], origin="domestic",
                                  previous_address=previous, **kw)  # fmt: skip
        return Resident.objects.get(id=result.resident_ids[0])


def test_identity_notices_for_every_change_in_event_order_without_the_number_kept(
    tenant_a: Any, tenant_b: Any, make_resident: Any, foreigner: Resident
) -> None:
    person = make_resident(tenant_a, "ヤマダ", individual_number=NUMBER)
    listed = _pending(tenant_a)
    assert [n.resident_id for n in listed] == [foreigner.id, person.id]  # Japanese and foreign residents, in order
    mine = listed[1]
    assert mine.destination == notices.Destination("130001", "東京都知事", "cs")
    assert mine.content == {"name": "山田　花子", "birth_date": "1980-04-02", "sex": "女",
                            "address": "東京都千代田区千代田1番1号", "resident_code": person.resident_code,
                            "reason": "国外転入等", "effective_on": "2015-04-01"}  # fmt: skip
    with tenant_context(tenant_a.code):
        notices.send(IDENTITY, [n.history_id for n in listed], "本人確認情報の通知")
        (event,) = Event.objects.filter(type="residents.cs.identity_notice", data__resident_id=person.id)
        assert event.data["address"] == "東京都千代田区千代田1番1号"
        assert NUMBER not in str(event.data) and event.data["individual_number_cipher"]  # the outbox: ciphertext only
        assert all(NUMBER not in str(r.content) for r in ExternalNoticeSent.objects.all())  # never kept
        read = AuditEntry.objects.filter(action="resident.individual_number_read", object_id=str(person.id))
        assert not read.exists()  # nothing revealed by sending
        assert notices.cs_individual_number(event.data, "CSへの送信") == NUMBER  # the connector opens it, audited
        assert read.count() == 1
    with tenant_context(tenant_b.code), pytest.raises(DecryptionError):  # another municipality cannot open it
        notices.cs_individual_number(event.data, "CSへの送信")
    with tenant_context(tenant_a.code):
        # A change of no item of the 本人確認情報 (the 本籍) gives none; a 転居 and a correction of the name do.
        services.correct(_n("domicile"), resident_id=person.id, changes={"domicile": "東京都新宿区西新宿2丁目8番"},
                         reason="戸籍の通知")  # fmt: skip
        services.move_within(_n("within"), resident_ids=[person.id],
                             address=services.AddressData("東京都千代田区九段南1丁目2番1号"))  # fmt: skip
        services.correct(_n("name"), resident_id=person.id, changes={"family_name": "佐藤"}, reason="戸籍の通知")
    assert [(n.reason, n.content["name"]) for n in _pending(tenant_a)] == [("転居", "山田　花子"),
                                                                          ("職権修正", "佐藤　花子")]  # fmt: skip
    assert types.get("residents.cs.identity_notice").visible_to == frozenset({"residents"})  # the registry only


def test_a_move_in_is_notified_to_the_previous_municipality_and_recorded_there(tenant_a: Any, tenant_b: Any,
                                                                               make_resident: Any) -> None:  # fmt: skip
    """The round trip: 新宿区 (B) removed the person on a 転出; 千代田区 (A) records the 転入 and sends the 転入通知
    through the channel; B's registry records it (the confirmed date), and the person leaves B's 未着 list."""
    leaving = make_resident(tenant_b, "スズキ", family_name="鈴木", given_name="一郎")
    with tenant_context(tenant_b.code):
        services.move_out(_n("out-b"), resident_ids=[leaving.id], destination_address="東京都千代田区九段南1丁目2番1号")
        services.ensure_confirmation_subscription()
        assert [r.resident_id for r in move_in_notices.awaiting("確認", days=0)] == [leaving.id]
    _move_in(tenant_a, "in-a", SHINJUKU, person=_person(resident_code=leaving.resident_code))
    assert _pending(tenant_b, MOVE_IN) == []  # another municipality's
    (notice,) = _pending(tenant_a, MOVE_IN)
    assert notice.destination == notices.Destination("131041", "東京都新宿区", "channel")
    assert (notice.content["previous_address"], notice.content["resident_code"]) == (SHINJUKU, leaving.resident_code)
    with tenant_context(tenant_a.code):
        notices.send(MOVE_IN, [notice.history_id], "転入通知")
        (message,) = ChannelMessage.objects.filter(type="residents.transfer.move_in_notice")
        assert message.to_tenant == "131041" and message.data["resident_codes"] == [leaving.resident_code]
    Dispatcher().run_once()  # hands the message over to B
    Dispatcher().run_once()  # B's registry consumes it
    with tenant_context(tenant_b.code):
        assert move_in_notices.awaiting("確認", days=0) == []
    assert _pending(tenant_a, MOVE_IN) == []


def test_which_move_ins_give_a_move_in_notice_and_where(tenant_a: Any, make_resident: Any) -> None:
    make_resident(tenant_a, "ヤマダ")  # from abroad: no 転入通知
    assert _pending(tenant_a, MOVE_IN) == []
    # 未届転入: to the 最終住民登録地 when recorded, else to the (unnotified) previous address.
    _move_in(tenant_a, "unnotified", "大阪府大阪市北区中之島1丁目3番", unnotified=True,
             last_registered_address=SHINJUKU)  # fmt: skip
    _move_in(tenant_a, "osaka", "大阪府大阪市北区中之島1丁目3番", unnotified=True,
             person=_person(resident_code="98765432103", family_name_kana="サトウ"))  # fmt: skip
    _move_in(
        tenant_a, "unknown", "府中市宮西町1番", person=_person(resident_code="11111111113", family_name_kana="アベ")
    )
    first, second, unknown = _pending(tenant_a, MOVE_IN)
    assert first.destination == notices.Destination("131041", "東京都新宿区", "cs")  # 新宿区 is not a tenant here
    assert first.content["last_registered_address"] == SHINJUKU
    assert first.content["previous_address"] == "大阪府大阪市北区中之島1丁目3番（未届）"
    assert second.destination == notices.Destination("271004", "大阪府大阪市", "cs")  # not on the platform: the CS
    assert unknown.destination is None
    with tenant_context(tenant_a.code):
        with pytest.raises(ProcedureError) as err:
            notices.send(MOVE_IN, [unknown.history_id], "転入通知")
        assert _codes(err) == {"no_destination"}
        notices.send(MOVE_IN, [second.history_id], "転入通知")
        (event,) = Event.objects.filter(type="residents.cs.move_in_notice")
        assert event.data["previous_address"].startswith("大阪府大阪市") and "individual_number" not in event.data
    # … and the automatic run sends the one it can, leaving the unknown one in the list.
    with tenant_context(tenant_a.code):
        assert notices.send_automatically()[MOVE_IN] == 1
    assert [n.history_id for n in _pending(tenant_a, MOVE_IN)] == [unknown.history_id]


def test_manual_linkage_holds_the_automatic_sending(tenant_a: Any, tenant_b: Any, make_resident: Any) -> None:
    first = make_resident(tenant_a, "ヤマダ")
    run = batch.start_direct(tenant_a.code, "residents.cs_send", {})
    assert run.status == Run.Status.SUCCEEDED, run.error_message
    assert "本人確認情報" in run.summary and "山田" not in run.summary
    assert _pending(tenant_a) == []
    with tenant_context(tenant_a.code):
        for manual, reason, code in ((True, " ", "required"), (True, "長" * 201, "too_long"),
                                     (False, "戻す", "unchanged")):  # fmt: skip
            with pytest.raises(ProcedureError) as err:
                notices.switch_linkage(manual, reason)
            assert code in _codes(err)
        assert not CsManualLinkage.objects.exists()
        notices.switch_linkage(True, "CSサーバ保守のため")
        assert AuditEntry.objects.filter(action="residents.cs_linkage.manual", purpose="CSサーバ保守のため").exists()
        services.move_within(_n("within"), resident_ids=[first.id],
                             address=services.AddressData("東京都千代田区九段南1丁目2番1号"))  # fmt: skip
        assert notices.send_automatically() is None
    with tenant_context(tenant_b.code):
        assert not notices.is_manual()  # the switch is this municipality's own
    run = batch.start_direct(tenant_a.code, "residents.cs_send", {})
    assert "手動連携中" in run.summary
    (held,) = _pending(tenant_a)
    with tenant_context(tenant_a.code):
        notices.switch_linkage(False, "保守終了")
        assert not ExternalNoticeSent.objects.filter(history_id=held.history_id).exists()  # switching sends nothing
        notices.send(IDENTITY, [held.history_id], "手動送信")  # by hand
        assert notices.send_automatically() == {IDENTITY: 0, MOVE_IN: 0}


def test_a_resend_may_carry_a_corrected_reason(tenant_a: Any, make_resident: Any, foreigner: Resident) -> None:
    person = make_resident(tenant_a, "ヤマダ")
    (_, mine) = _pending(tenant_a)
    cases = [
        (IDENTITY, True, "存在しない事由", "invalid"),
        (IDENTITY, False, "職権記載", "resend_only"),
        (notices.IMMIGRATION, True, "職権記載", "not_changeable"),
    ]
    with tenant_context(tenant_a.code):
        for kind, resend, reason, code in cases:
            with pytest.raises(ProcedureError) as err:
                notices.send(kind, [mine.history_id], "再送信", resend=resend, reason=reason)
            assert code in _codes(err), (kind, code)
        assert not ExternalNoticeSent.objects.exists()
        notices.send(IDENTITY, [n.history_id for n in notices.pending(IDENTITY, "確認")], "送信")
        notices.send(IDENTITY, [mine.history_id], "異動事由の訂正", resend=True, reason="職権記載")
        again = ExternalNoticeSent.objects.get(resend=True)
        assert (again.resident_id, again.content["reason"], again.content["original_reason"]) == (
            person.id, "職権記載", "国外転入等")  # fmt: skip
        event = Event.objects.filter(type="residents.cs.identity_notice").latest("id")
        assert (event.data["reason"], event.data["resend"]) == ("職権記載", True)


def test_a_failed_delivery_records_nothing_and_the_page_shows_it(
    supervisor: Client, tenant_a: Any, make_resident: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_resident(tenant_a, "ヤマダ", individual_number=NUMBER)
    (notice,) = _pending(tenant_a)

    def refused(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("CSサーバに接続できません")

    monkeypatch.setattr(notices, "publish", refused)
    with tenant_context(tenant_a.code):
        with pytest.raises(ProcedureError) as err:
            notices.send(IDENTITY, [notice.history_id], "送信")
        assert _codes(err) == {"delivery_failed"}
        assert not ExternalNoticeSent.objects.exists() and not Event.objects.filter(type__startswith="residents.cs")
        assert AuditEntry.objects.filter(action="residents.external_notice.failed").exists()
    page = supervisor.post(PAGE, {"purpose": "送信", "kind": IDENTITY, "action": "send",
                                  "history_id": [notice.history_id]})  # fmt: skip
    html = page.content.decode()
    assert page.status_code == 400 and 'role="alert"' in html and "CSサーバに接続できません" in html
    assert NUMBER not in html
    with tenant_context(tenant_a.code):
        assert not ExternalNoticeSent.objects.exists()


def test_another_municipality_neither_sees_nor_sends_them(tenant_a: Any, tenant_b: Any, make_resident: Any) -> None:
    make_resident(tenant_a, "ヤマダ", individual_number=NUMBER)
    (notice,) = _pending(tenant_a)
    assert _pending(tenant_b) == []
    with tenant_context(tenant_b.code):
        with pytest.raises(ProcedureError) as err:
            notices.send(IDENTITY, [notice.history_id], "送信")
        assert _codes(err) == {"not_found"}
        assert notices.send_automatically() == {IDENTITY: 0, MOVE_IN: 0}
        assert not Event.objects.filter(type__startswith="residents.cs").exists()
    assert [n.history_id for n in _pending(tenant_a)] == [notice.history_id]


def test_the_page_switches_and_resends(clerk: Client, supervisor: Client, tenant_a: Any, make_resident: Any) -> None:
    make_resident(tenant_a, "ヤマダ")
    (notice,) = _pending(tenant_a)
    switch = {"purpose": "切替", "kind": IDENTITY, "action": "manual", "switch_reason": "CS障害"}
    assert clerk.post(PAGE, switch).status_code == 403  # supervisors only
    refused = supervisor.post(PAGE, {**switch, "switch_reason": ""})
    assert refused.status_code == 400 and "切り替える理由" in refused.content.decode()
    done = supervisor.post(PAGE, switch)
    assert done.status_code == 302
    shown = supervisor.get(done["Location"]).content.decode()
    assert 'id="manual-on"' in shown and "CS障害" in shown and "山田" in shown
    assert supervisor.post(PAGE, {"purpose": "送信", "kind": IDENTITY, "action": "send",
                                  "history_id": [notice.history_id]}).status_code == 302  # fmt: skip
    sent = supervisor.get(PAGE, {"purpose": "照会", "kind": IDENTITY, "view": "sent"}).content.decode()
    assert 'id="reason"' in sent and "職権修正" in sent
    resent = supervisor.post(PAGE, {"purpose": "再送信", "kind": IDENTITY, "action": "resend", "reason": "職権修正",
                                    "history_id": [notice.history_id]})  # fmt: skip
    assert resent.status_code == 302
    assert "当初: 国外転入等" in supervisor.get(resent["Location"]).content.decode()
    back = supervisor.post(PAGE, {**switch, "action": "automatic", "switch_reason": "復旧"})
    assert 'id="manual-off"' in supervisor.get(back["Location"]).content.decode()


@pytest.mark.parametrize("kind", [IDENTITY, MOVE_IN])
def test_listing_reads_a_fixed_number_of_queries(kind: str, tenant_a: Any) -> None:
    """The CS kinds list like the others: the history in chunks, the earlier entries and the tenants once per chunk."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with tenant_context(tenant_a.code), CaptureQueriesContext(connection) as ctx:
            assert notices.pending(kind, "確認")
        return len(ctx.captured_queries)

    _move_in(tenant_a, "first", SHINJUKU)
    few = queries()
    for i, kana in enumerate(("イトウ", "ウエダ", "エンドウ")):
        _move_in(tenant_a, kana, SHINJUKU, person=_person(resident_code=f"2222222222{i}", family_name_kana=kana))
    assert queries() == few
