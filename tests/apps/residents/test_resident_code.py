"""住民票コードの変更・修正 (標準仕様書 4.3.2, j880; 住民基本台帳法30条の4) and 住民票コード通知票等 (4.3.3, j890):
a change on request draws a new unused code, a correction writes the right one by authority; refusals write nothing;
the notices of a new, changed or corrected code are printed in the flow and reprinted (再出力) from the record."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kiban.apps.residents import resident_code, services, visibility
from kiban.apps.residents.models import Procedure, Resident, ResidentHistory
from kiban.apps.residents.printing import notice as notice_pdf
from kiban.apps.residents.validation import PersonData, ProcedureError
from kiban.platform.audit.models import AuditEntry
from kiban.platform.tenants.context import tenant_context
from kiban.standard import numbers
from kiban.standard.codes import ChangeReason
from tests.apps.residents.counter_helpers import _register
from tests.apps.residents.test_certificates import no_certifier
from tests.apps.residents.test_counter_views import MOVE_IN, _enter, _record

D = datetime.date
CHANGE = ChangeReason.RESIDENT_RECORD_CODE_CHANGE_REQUEST
ENTRY = ChangeReason.RESIDENT_RECORD_CODE_ENTRY


def _n(request_id: str, requested_on: datetime.date | None = None) -> services.Notification:
    today = timezone.localdate()
    return services.Notification(request_id, today, requested_on or today)


def _codes(err: pytest.ExceptionInfo[ProcedureError]) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in err.value.errors]


def _free_code(seed: int) -> str:
    return numbers.make_resident_code(f"{seed:010d}")


def test_a_change_on_request_writes_a_new_unused_code_as_its_own_history_entry(tenant_a: Any, person: Any) -> None:
    old = person.resident_code
    with tenant_context(tenant_a.code):
        result = services.change_resident_code(_n("code-1", D(2024, 5, 1)), resident_id=person.id)
        person.refresh_from_db()
        assert person.resident_code != old and numbers.is_valid_resident_code(person.resident_code)
        entry = ResidentHistory.objects.get(resident_id=person.id, procedure_id=result.procedure_id)
        assert entry.kind == CHANGE and entry.notified_on == D(2024, 5, 1)  # the 請求日
        assert entry.snapshot["resident_code"] == person.resident_code
        assert Procedure.objects.get(id=result.procedure_id).payload["previous_code"] == old
        # the old code is never given again: the next draw that hits it draws again
        assert services.code_in_use(old) and not services.code_in_use(_free_code(42))
        assert services.change_resident_code(_n("code-1"), resident_id=person.id).replayed  # a retry


def test_the_old_code_is_not_drawn_again(tenant_a: Any, person: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    old, second, fresh = person.resident_code, _free_code(5), _free_code(7)
    draws = iter([int(second[:10]), int(old[:10]), int(second[:10]), int(fresh[:10])])
    monkeypatch.setattr(services.secrets, "randbelow", lambda _: next(draws))
    with tenant_context(tenant_a.code):
        services.change_resident_code(_n("code-1"), resident_id=person.id)
        assert Resident.objects.get(id=person.id).resident_code == second
        services.change_resident_code(_n("code-2"), resident_id=person.id)  # draws the retired and the current code
        assert Resident.objects.get(id=person.id).resident_code == fresh


def test_a_correction_writes_the_code_given_with_the_reason(tenant_a: Any, person: Any) -> None:
    right = _free_code(1234567890)
    with tenant_context(tenant_a.code):
        result = services.correct_resident_code(_n("fix-1"), resident_id=person.id, resident_code=right,
                                                reason="転入時の入力誤り")  # fmt: skip
        person.refresh_from_db()
        assert person.resident_code == right
        procedure = Procedure.objects.get(id=result.procedure_id)
        assert procedure.kind == ENTRY and procedure.payload["reason"] == "転入時の入力誤り"


def test_refusals_write_nothing(tenant_a: Any, make_resident: Any) -> None:
    person, other = make_resident(tenant_a), make_resident(tenant_a, "スズキ")
    with tenant_context(tenant_a.code):
        before = (Procedure.objects.count(), ResidentHistory.objects.count())
        cases = {
            "12345": ("resident_code", "invalid"),  # malformed
            "１２３４５６７８９０１": ("resident_code", "invalid"),  # not ASCII digits
            _free_code(55)[:10] + str((int(_free_code(55)[10]) + 1) % 10): ("resident_code", "invalid"),  # check digit
            other.resident_code: ("resident_code", "in_use"),  # another resident's
            person.resident_code: ("resident_code", "unchanged"),
        }
        for i, (code, expected) in enumerate(cases.items()):
            for call in (
                lambda c=code, i=i: services.correct_resident_code(_n(f"bad-{i}"), resident_id=person.id,
                                                                   resident_code=c, reason="誤り"),
                lambda c=code, i=i: services.change_resident_code(_n(f"bad-c-{i}"), resident_id=person.id,
                                                                  resident_code=c),
            ):  # fmt: skip
                with pytest.raises(ProcedureError) as err:
                    call()
                assert _codes(err) == [expected], code
        with pytest.raises(ProcedureError) as no_reason:
            services.correct_resident_code(_n("bad-r"), resident_id=person.id, resident_code=_free_code(9), reason=" ")
        assert _codes(no_reason) == [("reason", "required")]
        with pytest.raises(ProcedureError) as no_code:
            services.correct_resident_code(_n("bad-e"), resident_id=person.id, resident_code="", reason="誤り")
        assert _codes(no_code) == [("resident_code", "required")]
        future = services.Notification("bad-f", timezone.localdate() + datetime.timedelta(days=1), timezone.localdate())
        with pytest.raises(ProcedureError) as later:
            services.change_resident_code(future, resident_id=person.id)
        assert _codes(later) == [("effective_on", "future_date")]
        services.death(_n("death-1"), resident_id=other.id)
        with pytest.raises(ProcedureError) as removed:
            services.change_resident_code(_n("bad-d"), resident_id=other.id)
        assert _codes(removed) == [("resident_id", "removed")]
        # a 除票's code stays its own: not written on another record
        with pytest.raises(ProcedureError) as removed_code:
            services.correct_resident_code(_n("bad-x"), resident_id=person.id, resident_code=other.resident_code,
                                           reason="誤り")  # fmt: skip
        assert _codes(removed_code) == [("resident_code", "in_use")]
        assert (Procedure.objects.count(), ResidentHistory.objects.count()) == (before[0] + 1, before[1] + 1)  # death
        assert Resident.objects.get(id=person.id).resident_code == person.resident_code


def test_a_code_taken_off_by_a_correction_is_not_written_on_another_record(tenant_a: Any, make_resident: Any) -> None:
    person, other = make_resident(tenant_a), make_resident(tenant_a, "スズキ")
    wrong = person.resident_code
    with tenant_context(tenant_a.code):
        services.correct_resident_code(_n("fix-1"), resident_id=person.id, resident_code=_free_code(31), reason="誤り")
        with pytest.raises(ProcedureError) as err:
            services.correct_resident_code(_n("fix-2"), resident_id=other.id, resident_code=wrong, reason="誤り")
        assert _codes(err) == [("resident_code", "in_use")]


def test_another_municipalitys_resident_is_not_found(tenant_a: Any, tenant_b: Any, make_resident: Any) -> None:
    theirs = make_resident(tenant_b)
    with tenant_context(tenant_a.code):
        with pytest.raises(ProcedureError) as err:
            services.change_resident_code(_n("code-x"), resident_id=theirs.id)
        assert _codes(err) == [("resident_id", "not_found")]
        with pytest.raises(ProcedureError):
            resident_code.render(theirs.id, 1, "確認")
    with tenant_context(tenant_b.code):
        assert Resident.objects.get(id=theirs.id).resident_code == theirs.resident_code


def test_notices_of_assignment_change_and_correction(tenant_a: Any, person: Any) -> None:
    with tenant_context(tenant_a.code):
        assert [n.kind for n in resident_code.notices(person.id)] == ["assigned"]  # moved in from abroad: a new code
        services.change_resident_code(_n("code-1", D(2024, 5, 1)), resident_id=person.id)
        services.correct_resident_code(_n("fix-1"), resident_id=person.id, resident_code=_free_code(77), reason="誤り")
        found = resident_code.notices(person.id)
        assert [n.kind for n in found] == ["assigned", "changed", "corrected"]
        assert found[-1].resident_code == _free_code(77)
        content, pdf = resident_code.render(person.id, found[1].seq, "住民票コード変更通知票の出力")
        assert pdf.startswith(b"%PDF") and content.kind == "changed" and not content.reprint
        assert content.requested_on == D(2024, 5, 1) and content.previous_code == found[0].resident_code
        assert content.mayor == "千代田区長　見本　一郎" and content.name == "山田　花子"  # the certifier in force
        again, _ = resident_code.render(person.id, found[1].seq, "再出力", reprint=True)
        assert notice_pdf.title(again) == "住民票コード変更通知票（再出力）"
        assert AuditEntry.objects.filter(action="residents.resident_code_notice.reprinted", purpose="再出力").exists()
        with pytest.raises(ProcedureError) as none:
            resident_code.render(person.id, 999, "確認")
        assert _codes(none) == [("seq", "not_found")]


def test_a_domestic_move_in_carries_its_code_over_and_has_no_notice(tenant_a: Any) -> None:
    carried = _free_code(4242)
    person = PersonData(family_name="佐藤", given_name="一郎", family_name_kana="サトウ", given_name_kana="イチロウ",
                        birth_date=D(1990, 1, 1), sex="1", relationship="世帯主", resident_code=carried)  # fmt: skip
    baby = PersonData(family_name="佐藤", given_name="二郎", family_name_kana="サトウ", given_name_kana="ジロウ",
                      birth_date=timezone.localdate(), sex="1", relationship="子")  # fmt: skip
    with tenant_context(tenant_a.code):
        moved = services.move_in(_n("in-1"), address=services.AddressData("東京都千代田区九段南1丁目2番1号"),
                                 persons=[person], previous_address="大阪府大阪市北区梅田1丁目1番")  # fmt: skip
        assert moved.code_assigned == [] and resident_code.for_procedures([moved.procedure_id]) == {}
        household = Resident.objects.get(id=moved.resident_ids[0]).household_id
        born = services.birth(_n("birth-1"), household_id=household, person=baby)
        assert born.code_assigned == born.resident_ids
        assert [(rid, n.kind) for rid, n in resident_code.for_procedures([born.procedure_id])[born.procedure_id]] == [
            (born.resident_ids[0], "assigned")
        ]


def test_without_a_certifier_no_notice_is_printed(tenant_a: Any, person: Any) -> None:
    no_certifier(tenant_a)
    with tenant_context(tenant_a.code):
        with pytest.raises(ProcedureError) as err:
            resident_code.render(person.id, resident_code.notices(person.id)[0].seq, "確認")
        assert _codes(err) == [("certifier", "not_configured")]


# --- The counter -------------------------------------------------------------------------------------------------


def _page_url(person: Any) -> str:
    return f"/staff/residents/{person.id}/resident-code/"


def test_a_supervisor_changes_the_code_and_is_offered_the_notice(
    supervisor: Client, tenant_a: Any, person: Any
) -> None:
    record = supervisor.get(f"/staff/residents/{person.id}/", {"purpose": "確認"}).content.decode()
    assert _page_url(person) in record
    data = {"purpose": "住民票コードの変更請求", "action": "change", "requested_on": "R6.5.1", "request_id": "ui-abc"}
    changed = supervisor.post(_page_url(person), data)
    assert changed.status_code == 302
    page = supervisor.get(changed["Location"])
    html = page.content.decode()
    with tenant_context(tenant_a.code):
        new = Resident.objects.get(id=person.id).resident_code
        seq = resident_code.notices(person.id)[-1].seq
    assert new != person.resident_code and new in html and "住民票コード変更通知票を印刷" in html
    pdf = supervisor.get(f"{_page_url(person)}notices/{seq}/", {"purpose": "住民票コード通知票の出力"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf["X-Notice-Kind"] == "changed"
    assert "再出力" in html and "住民票コード通知票" in html  # the new assignment's notice, listed for a reprint


def test_a_refused_correction_shows_why_and_writes_nothing(supervisor: Client, tenant_a: Any, person: Any) -> None:
    with tenant_context(tenant_a.code):
        before = Procedure.objects.count()
    page = supervisor.post(_page_url(person), {"purpose": "職権修正", "action": "correct", "resident_code": "123",
                                               "reason": ""})  # fmt: skip
    html = page.content.decode()
    assert page.status_code == 400 and "修正の理由を入力してください" in html and "検査数字" in html
    right = _free_code(99)
    full_width = right.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    done = supervisor.post(_page_url(person), {"purpose": "職権修正", "action": "correct", "resident_code": full_width,
                                               "reason": "入力誤り"})  # fmt: skip
    assert done.status_code == 302
    with tenant_context(tenant_a.code):
        assert Procedure.objects.count() == before + 1 and Resident.objects.get(id=person.id).resident_code == right


def test_clerks_reprint_but_do_not_change(clerk: Client, tenant_a: Any, person: Any) -> None:
    page = clerk.get(_page_url(person), {"purpose": "再出力"}).content.decode()
    assert "change-submit" not in page and "再出力" in page
    assert clerk.post(_page_url(person), {"purpose": "変更", "action": "change"}).status_code == 403
    with tenant_context(tenant_a.code):
        seq = resident_code.notices(person.id)[0].seq
    reprint = clerk.get(f"{_page_url(person)}notices/{seq}/", {"purpose": "再出力", "reprint": "1"})
    assert reprint.status_code == 200 and reprint.content.startswith(b"%PDF")
    assert clerk.get(f"{_page_url(person)}notices/{seq + 50}/", {"purpose": "再出力"}).status_code == 404
    with tenant_context(tenant_a.code):
        assert Resident.objects.get(id=person.id).resident_code == person.resident_code
        assert AuditEntry.objects.filter(action="residents.resident_code_notice.reprinted").count() == 1


def test_hidden_code_and_other_municipalities_are_refused(
    supervisor: Client, tenant_a: Any, tenant_b: Any, make_resident: Any, person: Any
) -> None:
    theirs = make_resident(tenant_b)
    assert supervisor.get(_page_url(theirs), {"purpose": "確認"}).status_code == 404
    assert supervisor.post(_page_url(theirs), {"purpose": "確認", "action": "change"}).status_code == 404
    assert supervisor.get(f"{_page_url(theirs)}notices/1/", {"purpose": "確認"}).status_code == 404
    with tenant_context(tenant_a.code):
        user_id = int(supervisor.session["_auth_user_id"])
        visibility.set_hidden(user_id, ["resident_code"])
    assert supervisor.get(_page_url(person), {"purpose": "確認"}).status_code == 403
    assert supervisor.get(f"{_page_url(person)}notices/1/", {"purpose": "確認"}).status_code == 403


def test_a_move_in_registered_from_the_list_offers_the_notices(
    clerk: Client, supervisor: Client, tenant_a: Any
) -> None:
    assert _record(clerk, _enter(clerk, "move-in", MOVE_IN)).status_code == 302
    listed = _register(supervisor).content.decode()
    assert listed.count("住民票コード通知票を印刷") == 2  # moved in from abroad: two new codes


# --- The API -----------------------------------------------------------------------------------------------------


def test_the_api_changes_and_corrects_with_422_on_bad_input(
    tenant_a: Any, tenant_b: Any, make_resident: Any, client_token: Any
) -> None:
    person, theirs = make_resident(tenant_a), make_resident(tenant_b)
    token = client_token(tenant_a, businesses=["residents"], scopes="residents:read residents:write")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    base = f"/api/v1/tenants/{tenant_a.code}/procedures"
    today = timezone.localdate().isoformat()
    common = {"effective_on": today, "notified_on": today, "resident_id": person.id}

    def post(path: str, **body: Any) -> Any:
        return client.post(f"{base}/{path}", {**common, **body}, content_type="application/json")

    bad = post("resident-code-correction", request_id="api-1", resident_code="12345678901", reason="誤り")
    assert bad.status_code == 422 and bad["Content-Type"].startswith("application/problem+json")
    assert [e["code"] for e in bad.json()["errors"]] == ["invalid"]
    assert post("resident-code-change", request_id="api-2", resident_id=theirs.id).status_code == 404
    changed = post("resident-code-change", request_id="api-3")
    assert changed.status_code == 200 and changed.json()["kind"] == CHANGE
    right = _free_code(8080)
    fixed = post("resident-code-correction", request_id="api-4", resident_code=right, reason="入力誤り")
    assert fixed.status_code == 200 and fixed.json()["kind"] == ENTRY
    with tenant_context(tenant_a.code):
        assert Resident.objects.get(id=person.id).resident_code == right
        assert Procedure.objects.filter(request_id__startswith="api-").count() == 2


def test_an_undone_change_puts_the_old_code_back_and_drops_its_notice(tenant_a: Any, person: Any) -> None:
    with tenant_context(tenant_a.code):
        changed = services.change_resident_code(_n("code-1"), resident_id=person.id)
        services.cancel(_n("undo-1"), procedure_id=changed.procedure_id, reason="本人以外からの請求と判明")
        assert Resident.objects.get(id=person.id).resident_code == person.resident_code
        assert [n.kind for n in resident_code.notices(person.id)] == ["assigned"]
