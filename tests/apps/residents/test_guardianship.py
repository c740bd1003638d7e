"""成年被後見人 (住民記録システム標準仕様書 9.4, j1310): set and ended by a supervisor, the notice to the municipality
moved to when such a person moves out; refusals write nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kiban.apps.residents import guardianship, services
from kiban.apps.residents.models import AdultGuardianship
from kiban.apps.residents.validation import ProcedureError
from kiban.platform.audit.models import AuditEntry
from kiban.platform.tenants.context import tenant_context

D = datetime.date


def _codes(err: pytest.ExceptionInfo[ProcedureError]) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in err.value.errors]


def test_set_ended_and_refused_with_the_reason(tenant_a: Any, make_resident: Any) -> None:
    person = make_resident(tenant_a)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with tenant_context(tenant_a.code):
        with pytest.raises(ProcedureError) as future:
            guardianship.start(person.id, tomorrow)
        assert _codes(future) == [("started_on", "future_date")]
        with pytest.raises(ProcedureError) as nobody:
            guardianship.start(999_999, D(2020, 1, 1))
        assert _codes(nobody) == [("resident", "not_found")]
        with pytest.raises(ProcedureError) as not_set:
            guardianship.end(person.id, D(2021, 1, 1), "審判の取消し")
        assert _codes(not_set) == [("resident", "not_set")]
        assert AdultGuardianship.objects.count() == 0
        guardianship.start(person.id, D(2020, 1, 1))
        with pytest.raises(ProcedureError) as twice:
            guardianship.start(person.id, D(2020, 2, 1))
        assert _codes(twice) == [("resident", "already")]
        with pytest.raises(ProcedureError) as bad_end:
            guardianship.end(person.id, D(2019, 1, 1), " ")
        assert _codes(bad_end) == [("ended_on", "invalid"), ("reason", "required")]
        ended = guardianship.end(person.id, D(2021, 1, 1), "後見開始の審判の取消し")
        assert ended.ended_on == D(2021, 1, 1) and guardianship.active(person.id) is None
        assert AdultGuardianship.objects.count() == 1  # kept


def test_the_notice_for_a_person_under_guardianship_who_moves_out(tenant_a: Any, make_resident: Any) -> None:
    person, other = make_resident(tenant_a), make_resident(tenant_a, "スズキ")
    with tenant_context(tenant_a.code):
        guardianship.start(person.id, D(2020, 1, 1))
        assert guardianship.move_out_notice(person.id, "確認") is None  # has not moved out
        planned = timezone.localdate() + datetime.timedelta(days=5)
        for who, request_id in ((person, "out-1"), (other, "out-2")):
            services.move_out(services.Notification(request_id, planned, timezone.localdate()),
                              resident_ids=[who.id], destination_address="大阪府大阪市北区梅田1丁目1番")  # fmt: skip
        notice = guardianship.move_out_notice(person.id, "転入地への通知")
        assert notice is not None and notice.destination_address == "大阪府大阪市北区梅田1丁目1番"
        assert notice.planned_on == planned and notice.started_on == D(2020, 1, 1)
        assert notice.municipality == "東京都千代田区" and person.family_name in notice.name
        assert guardianship.move_out_notice(other.id, "確認") is None  # not under guardianship
        assert AuditEntry.objects.filter(action="residents.guardianship.notice", purpose="転入地への通知").exists()


def test_the_page_is_for_supervisors_and_prints_the_notice(
    clerk: Client, supervisor: Client, tenant_a: Any, make_resident: Any
) -> None:
    person = make_resident(tenant_a)
    url = f"/staff/residents/{person.id}/guardianship/"
    assert clerk.get(url, {"purpose": "確認"}).status_code == 403
    assert "guardianship-link" not in clerk.get(f"/staff/residents/{person.id}/", {"purpose": "確認"}).content.decode()
    assert url in supervisor.get(f"/staff/residents/{person.id}/", {"purpose": "確認"}).content.decode()
    refused = supervisor.post(url, {"purpose": "設定", "action": "start", "on": "令和99年13月1日"})
    assert refused.status_code == 400
    assert supervisor.post(url, {"purpose": "設定", "action": "start", "on": "R2.1.1"}).status_code == 302
    record = supervisor.get(f"/staff/residents/{person.id}/", {"purpose": "確認"}).content.decode()
    assert "成年被後見人（設定あり）" in record
    with tenant_context(tenant_a.code):
        services.move_out(services.Notification("out-1", timezone.localdate(), timezone.localdate()),
                          resident_ids=[person.id], destination_address="大阪府大阪市北区梅田1丁目1番")  # fmt: skip
    page = supervisor.get(url, {"purpose": "転入地への通知"}).content.decode()
    assert (
        "成年被後見人の転出に係る通知書" in page and "大阪府大阪市北区梅田1丁目1番" in page and "令和2年1月1日" in page
    )
