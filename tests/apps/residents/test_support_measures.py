"""Support measures (支援措置): one-year periods, extension window, provisional protection, release, blocking."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from kiban.apps.residents import services, support
from kiban.apps.residents.models import SupportMeasure
from kiban.apps.residents.validation import ProcedureError
from kiban.platform.audit.models import AuditEntry
from kiban.platform.events.models import Event
from kiban.platform.tenants.context import tenant_context

D = datetime.date


def test_one_year_ends_the_day_before_the_anniversary() -> None:
    assert support.one_year_from(D(2024, 4, 1)) == D(2025, 3, 31)
    assert support.one_year_from(D(2024, 2, 29)) == D(2025, 2, 28)
    assert support.one_year_from(D(2023, 3, 1)) == D(2024, 2, 29)


def test_provisional_then_confirmed_extended_and_released(tenant_a: Any, make_resident: Any) -> None:
    person = make_resident(tenant_a)
    with tenant_context(tenant_a.code):
        provisional = support.apply(person.id, requested_by="本人", on=D(2025, 1, 10))
        assert support.in_force(person.id, D(2025, 1, 10)) and provisional.ends_on is None
        with pytest.raises(ProcedureError):
            support.apply(person.id, requested_by="本人", on=D(2025, 1, 11))  # already protected
        confirmed = support.confirm(provisional.id, on=D(2025, 2, 1))
        assert (confirmed.starts_on, confirmed.ends_on) == (D(2025, 2, 1), D(2026, 1, 31))
        with pytest.raises(ProcedureError) as err:
            support.extend(confirmed.id, on=D(2025, 12, 30))  # earlier than one month before the end
        assert err.value.errors[0].code == "too_early"
        assert [m.id for m in support.expiring(D(2026, 1, 5))] == [confirmed.id]
        extended = support.extend(confirmed.id, on=D(2026, 1, 5))
        assert (extended.starts_on, extended.ends_on) == (D(2026, 2, 1), D(2027, 1, 31))
        assert support.expiring(D(2026, 1, 5)) == []
        assert support.in_force(person.id, D(2026, 6, 1))
        assert support.in_force(person.id, D(2027, 6, 1))  # past the end: still protected until released (j410)
        assert [m.id for m in support.ended_without_extension(D(2027, 6, 1))] == [extended.id]
        assert support.ended_without_extension(D(2026, 6, 1)) == []
        with pytest.raises(ProcedureError):
            support.release(extended.id, reason=" ")
        support.release(extended.id, reason="本人の申出により終了", on=D(2026, 6, 2))
        assert not support.in_force(person.id, D(2026, 6, 2))


def test_provisional_protection_continues_after_moving_out(tenant_a: Any, make_resident: Any) -> None:
    person = make_resident(tenant_a)
    with tenant_context(tenant_a.code):
        support.apply(person.id, requested_by="配偶者暴力相談支援センター経由の申出")
        services.move_out(services.Notification("out", D(2026, 1, 10), D(2026, 1, 5)), resident_ids=[person.id],
                          destination_address="大阪市")  # fmt: skip
        assert support.in_force(person.id)


def test_a_blocked_request_is_refused_audited_and_alerted(tenant_a: Any, make_resident: Any) -> None:
    person = make_resident(tenant_a)
    with tenant_context(tenant_a.code):
        support.guard([person.id], what="住民票の写し", requester_is_self=False)  # nothing in force: allowed
        support.apply(person.id, requested_by="本人")
        support.guard([person.id], what="住民票の写し", requester_is_self=True)  # the person themselves: allowed
        with pytest.raises(support.Blocked):
            support.guard([person.id], what="住民票の写し", requester_is_self=False)
        assert (
            AuditEntry.objects.filter(action="residents.support_measure.blocked", object_id=str(person.id)).count() == 1
        )
        assert Event.objects.filter(type="residents.support_measure.blocked").count() == 1


def test_search_results_mark_protected_persons(tenant_a: Any, make_resident: Any, client_token: Any) -> None:
    person = make_resident(tenant_a)
    make_resident(tenant_a, "ヤマモト")
    with tenant_context(tenant_a.code):
        support.apply(person.id, requested_by="本人")
    token = client_token(tenant_a, businesses=["residents"], scopes="residents:read")
    found = (
        Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        .get(f"/api/v1/tenants/{tenant_a.code}/residents", {"kana": "ヤマ", "purpose": "x"})
        .json()
    )
    assert {r["id"]: r["protected"] for r in found} == {
        person.id: True,
        found[1]["id"] if found[0]["id"] == person.id else found[0]["id"]: False,
    }


def test_release_needs_a_supervisor_through_the_api(tenant_a: Any, make_resident: Any, make_staff: Any) -> None:
    from tests.conftest import sign_in

    person = make_resident(tenant_a)
    with tenant_context(tenant_a.code):
        measure = support.apply(person.id, requested_by="本人")
    url = f"/api/v1/tenants/{tenant_a.code}/support-measures/{measure.id}/release"
    clerk = sign_in(make_staff(tenant_a, "clerk", ["residents.clerk"]))
    assert clerk.post(url, {"reason": "x"}, content_type="application/json").status_code == 403
    boss = sign_in(make_staff(tenant_a, "boss", ["residents.supervisor"]))
    assert boss.post(url, {"reason": ""}, content_type="application/json").status_code == 422
    assert boss.post(url, {"reason": "審査により解除"}, content_type="application/json").status_code == 200
    with tenant_context(tenant_a.code):
        assert SupportMeasure.objects.get(id=measure.id).released_on is not None


def test_the_other_businesses_are_told_of_each_setting_and_release(tenant_a: Any, make_resident: Any) -> None:
    """抑止設定及び解除の他システム連携 (標準仕様書 3.2, j420): an event to every business for each change, with the
    identifier, whether the person is protected and until when — nothing of the reason or the requester."""
    person = make_resident(tenant_a)
    with tenant_context(tenant_a.code):
        provisional = support.apply(person.id, requested_by="本人（配偶者からの暴力）", on=D(2025, 1, 10))
        confirmed = support.confirm(provisional.id, on=D(2025, 2, 1))
        extended = support.extend(confirmed.id, on=D(2026, 1, 5))
        support.release(extended.id, reason="本人の申出により終了", on=D(2026, 6, 2))
        sent = list(Event.objects.filter(type="residents.support_measure.changed").order_by("id"))
    assert [(e.data["action"], e.data["protected"], e.data["until"]) for e in sent] == [
        ("applied", True, None), ("confirmed", True, "2026-01-31"), ("extended", True, "2027-01-31"),
        ("released", False, None),
    ]  # fmt: skip
    assert all(e.data["resident_id"] == person.id for e in sent)
    assert not any("本人" in str(e.data) or "暴力" in str(e.data) for e in sent)  # no reason, no requester
    from kiban.platform.events.types import get as event_type

    assert event_type("residents.support_measure.changed").visible_to >= {"child_allowance", "residents"}
