"""世帯主変更依頼通知書 and 世帯主変更通知書 (標準仕様書 4.0.5, j500): a householder who leaves two or more behind may
leave the household without one (世帯主不在); it is listed with the member ranked highest in 5.2 before the removal,
who receives the request notice; setting the householder by authority (世帯主変更, 4.2.0.2) prints the change notice
to the same member. Refusals write nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kiban.apps.residents import householder_notices, services
from kiban.apps.residents.models import HOUSEHOLDER, Procedure, Resident
from kiban.apps.residents.validation import PersonData, ProcedureError
from kiban.platform.audit.models import AuditEntry
from kiban.platform.tenants.context import tenant_context
from tests.apps.residents.counter_helpers import _register, _state
from tests.apps.residents.test_certificates import no_certifier

D = datetime.date
TODAY = timezone.localdate


def _n(request_id: str, **kw: Any) -> services.Notification:
    return services.Notification(request_id, TODAY(), TODAY(), **kw)


def _family(tenant: Any) -> tuple[int, dict[str, int]]:
    """A householder, his wife, a son and the householder's mother (5.2: 世帯主, 妻, 子, 母)."""

    def p(given: str, rel: str, born: D, sex: str = "1") -> PersonData:
        return PersonData(family_name="山田", given_name=given, family_name_kana="ヤマダ", given_name_kana="タロウ",
                          birth_date=born, sex=sex, relationship=rel)  # fmt: skip

    persons = [p("次郎", "子", D(2010, 1, 1)), p("ハル", "母", D(1950, 1, 1), "2"), p("太郎", "世帯主", D(1980, 1, 1)),
               p("花子", "妻", D(1982, 1, 1), "2")]  # fmt: skip
    with tenant_context(tenant.code):
        result = services.move_in(services.Notification("fam", D(2020, 4, 1), D(2020, 4, 1)),
                                  address=services.AddressData("東京都千代田区九段南1丁目2番1号"), persons=persons,
                                  origin="abroad")  # fmt: skip
    ids = dict(zip(["son", "mother", "head", "wife"], result.resident_ids, strict=True))
    return result.household_ids[0], ids


def _codes(err: pytest.ExceptionInfo[ProcedureError]) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in err.value.errors]


def test_a_householder_who_dies_may_leave_the_household_undecided(tenant_a: Any) -> None:
    household, ids = _family(tenant_a)
    with tenant_context(tenant_a.code):
        with pytest.raises(ProcedureError) as err:  # as before: two or more stay, a new householder is needed
            services.death(_n("d-0"), resident_id=ids["head"])
        assert _codes(err) == [("new_householder_id", "required")]
        result = services.death(_n("d-1"), resident_id=ids["head"], householder_undecided=True)
        assert not Resident.objects.filter(household_id=household, relationship=HOUSEHOLDER, status="registered")
        wife = Resident.objects.get(id=ids["wife"])
        assert wife.relationship == "妻"  # 続柄 kept until the 世帯主変更
        assert Procedure.objects.get(id=result.procedure_id).payload["undecided_households"] == {
            str(household): [ids["wife"], ids["son"], ids["mother"]]  # 5.2 before the removal
        }
        rows = householder_notices.undecided("世帯主変更依頼")
        assert [(r.household_id, r.recipient_id, r.members, r.former_householder) for r in rows] == [
            (household, ids["wife"], 3, "山田　太郎")
        ]
        # later procedures leave it as it is: a birth into it, the son moving away
        baby = PersonData(family_name="山田", given_name="三郎", family_name_kana="ヤマダ", given_name_kana="サブロウ",
                          birth_date=TODAY(), sex="1", relationship="子")  # fmt: skip
        services.birth(_n("b-1"), household_id=household, person=baby)
        assert householder_notices.undecided("確認")[0].members == 4
        pdf = householder_notices.request_notice(household, "世帯主変更依頼通知書の出力")
        assert pdf.startswith(b"%PDF")
        assert AuditEntry.objects.filter(action="residents.householder_notice.request",
                                         object_id=str(ids["wife"])).exists()  # fmt: skip


def test_set_by_authority_the_change_notice_goes_to_the_same_member(tenant_a: Any) -> None:
    household, ids = _family(tenant_a)
    with tenant_context(tenant_a.code):
        services.move_out(_n("o-1"), resident_ids=[ids["head"], ids["wife"]], destination_address="大阪市",
                          householder_undecided=True)  # fmt: skip
        assert householder_notices.undecided("確認")[0].recipient_id == ids["son"]  # the wife left too
        relationships = {ids["mother"]: HOUSEHOLDER, ids["son"]: "子の子"}
        notified = services.change_householder(_n("h-0"), household_id=household, relationships=relationships)
        assert householder_notices.change_notices([notified.procedure_id]) == {}  # notified: no notice of ours
        with pytest.raises(ProcedureError):
            householder_notices.change_notice(notified.procedure_id, "確認")
        assert householder_notices.undecided("確認") == []  # decided
        with pytest.raises(ProcedureError) as err:
            householder_notices.request_notice(household, "確認")
        assert _codes(err) == [("household_id", "not_found")]


def test_the_change_by_authority_prints_the_change_notice(tenant_a: Any) -> None:
    household, ids = _family(tenant_a)
    with tenant_context(tenant_a.code):
        services.remove_by_authority(_n("r-1"), resident_ids=[ids["head"]], reason="実態調査",
                                     householder_undecided=True)  # fmt: skip
        change = services.change_householder(_n("h-1", by_authority=True), household_id=household,
                                             relationships={ids["wife"]: "母", ids["son"]: HOUSEHOLDER,
                                                            ids["mother"]: "父の母"})  # fmt: skip
        assert householder_notices.change_notices([change.procedure_id]) == {change.procedure_id: household}
        assert householder_notices.change_notice(change.procedure_id, "世帯主変更通知書の出力").startswith(b"%PDF")
        assert AuditEntry.objects.filter(action="residents.householder_notice.change",
                                         object_id=str(ids["wife"])).exists()  # fmt: skip


def test_leaving_undecided_is_only_for_the_householder_leaving_others(tenant_a: Any) -> None:
    _household, ids = _family(tenant_a)
    with tenant_context(tenant_a.code):
        before = Procedure.objects.count()
        with pytest.raises(ProcedureError) as err:  # the householder moving within still needs a new one
            services.move_within(_n("w-1"), resident_ids=[ids["head"]], address=services.AddressData("千代田区3番"),
                                 relationships={ids["head"]: HOUSEHOLDER})  # fmt: skip
        assert {e.code for e in err.value.errors} == {"householder_missing"}
        assert Procedure.objects.count() == before
        services.death(_n("d-1"), resident_id=ids["son"], householder_undecided=True)  # not the householder: no effect
        assert householder_notices.undecided("確認") == []


def test_without_a_certifier_no_notice(tenant_a: Any) -> None:
    household, ids = _family(tenant_a)
    no_certifier(tenant_a)
    with tenant_context(tenant_a.code):
        services.death(_n("d-1"), resident_id=ids["head"], householder_undecided=True)
        with pytest.raises(ProcedureError) as err:
            householder_notices.request_notice(household, "確認")
        assert _codes(err) == [("certifier", "not_configured")]


def test_other_municipalities_households_are_not_listed(tenant_a: Any, tenant_b: Any) -> None:
    household, ids = _family(tenant_b)
    with tenant_context(tenant_b.code):
        services.death(_n("d-1"), resident_id=ids["head"], householder_undecided=True)
    with tenant_context(tenant_a.code):
        assert householder_notices.undecided("確認") == []
        with pytest.raises(ProcedureError):
            householder_notices.request_notice(household, "確認")


# --- The counter -------------------------------------------------------------------------------------------------

LIST = "/staff/residents/householder-requests/"


def test_the_list_and_the_request_notice_at_the_counter(clerk: Client, tenant_a: Any) -> None:
    household, ids = _family(tenant_a)
    assert clerk.get(LIST).status_code == 200 and "利用目的" in clerk.get(LIST).content.decode()  # asks the purpose
    assert "世帯主が定まっていない世帯はありません" in clerk.get(LIST, {"purpose": "確認"}).content.decode()
    with tenant_context(tenant_a.code):
        services.death(_n("d-1"), resident_id=ids["head"], householder_undecided=True)
    page = clerk.get(LIST, {"purpose": "世帯主変更依頼"}).content.decode()
    assert f"{household:010d}" in page and "山田　太郎" in page and 'class="set-by-authority"' in page
    pdf = clerk.get(f"{LIST}{household}/notice/", {"purpose": "世帯主変更依頼通知書の出力"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert clerk.get(f"{LIST}{household + 999}/notice/", {"purpose": "確認"}).status_code == 404
    with tenant_context(tenant_a.code):
        assert AuditEntry.objects.filter(action="resident.listed", purpose="世帯主変更依頼").exists()


def test_set_by_authority_at_the_counter_offers_the_change_notice(
    clerk: Client, supervisor: Client, tenant_a: Any
) -> None:
    household, ids = _family(tenant_a)
    with tenant_context(tenant_a.code):
        services.death(_n("d-1"), resident_id=ids["head"], householder_undecided=True)
    url = "/staff/residents/procedures/householder/"
    start = clerk.get(url, {"household": household})
    today = TODAY().isoformat()
    data = {"effective_on": today, "notified_on": today, "by_authority": "on", f"rel_{ids['wife']}": "世帯主",
            f"rel_{ids['son']}": "子", f"rel_{ids['mother']}": "夫の母"}  # fmt: skip
    confirm = clerk.post(url, {"state": _state(start), "action": "next", **data})
    assert confirm.status_code == 200, confirm.content.decode()[:2000]
    assert clerk.post(url, {"state": _state(confirm), "action": "record"}).status_code == 302
    listed = _register(supervisor).content.decode()
    assert "世帯主変更通知書を印刷" in listed
    with tenant_context(tenant_a.code):
        change = Procedure.objects.get(kind="世帯主変更")
    pdf = clerk.get(f"/staff/residents/householder-changes/{change.id}/notice/", {"purpose": "世帯主変更通知書の出力"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "世帯主が定まっていない世帯はありません" in clerk.get(LIST, {"purpose": "確認"}).content.decode()


def test_leaving_undecided_through_the_api(tenant_a: Any, client_token: Any) -> None:
    household, ids = _family(tenant_a)
    token = client_token(tenant_a, businesses=["residents"], scopes="residents:read residents:write")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    today = TODAY().isoformat()
    body = {"request_id": "api-d", "effective_on": today, "notified_on": today, "resident_id": ids["head"]}
    refused = client.post(f"/api/v1/tenants/{tenant_a.code}/procedures/death", body, content_type="application/json")
    assert refused.status_code == 422
    body["householder_undecided"] = True
    done = client.post(f"/api/v1/tenants/{tenant_a.code}/procedures/death", body, content_type="application/json")
    assert done.status_code == 200
    with tenant_context(tenant_a.code):
        assert [r.household_id for r in householder_notices.undecided("確認")] == [household]


def test_without_a_certifier_the_counter_says_why(clerk: Client, tenant_a: Any) -> None:
    household, ids = _family(tenant_a)
    with tenant_context(tenant_a.code):
        services.death(_n("d-1"), resident_id=ids["head"], householder_undecided=True)
    no_certifier(tenant_a)
    page = clerk.get(f"{LIST}{household}/notice/", {"purpose": "世帯主変更依頼通知書の出力"})
    assert page.status_code == 400 and "認証者（市区町村長）が登録されていない" in page.content.decode()
