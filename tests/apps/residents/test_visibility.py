"""操作権限設定 (住民記録システム標準仕様書 10.4, j1390): per user, 戸籍の表示・個人番号・住民票コード・在留資格等
hidden on the counter's screens; 続柄 never (実装しない機能); set by supervisors only; a correction by a user who
may not see the 本籍 neither shows nor empties it."""

from __future__ import annotations

from typing import Any

from django.test import Client

from kiban.apps.residents import visibility
from kiban.apps.residents.models import HiddenItems, Resident
from kiban.apps.residents.permissions import CLERK, SUPERVISOR
from kiban.platform.audit.models import AuditEntry
from kiban.platform.tenants.context import tenant_context
from tests.apps.residents.counter_helpers import _register, _state
from tests.conftest import sign_in

URL = "/staff/residents/visibility/"


def _hide(supervisor: Client, user: Any, *items: str) -> Any:
    return supervisor.post(URL, {"user": user.pk, "items": list(items)})


def test_a_supervisor_hides_items_from_one_clerk_only(
    tenant_a: Any, make_staff: Any, make_resident: Any, supervisor: Client
) -> None:
    person = make_resident(tenant_a, domicile="北海道札幌市中央区北一条西2丁目")
    hiding, other = make_staff(tenant_a, "clerk1", [CLERK.code]), make_staff(tenant_a, "clerk2", [CLERK.code])
    page = supervisor.get(URL).content.decode()
    assert "clerk1" in page and "戸籍の表示" in page and "続柄" in page  # 続柄 named only as not hideable
    assert 'value="relationship"' not in page
    assert _hide(supervisor, hiding, "domicile", "resident_code").status_code == 302
    with tenant_context(tenant_a.code):
        code = Resident.objects.get(id=person.id).resident_code
        assert AuditEntry.objects.filter(action="residents.visibility.set", object_id=str(hiding.pk)).exists()
    record = f"/staff/residents/{person.id}/"
    hidden = sign_in(hiding).get(record, {"purpose": "確認"}).content.decode()
    shown = sign_in(other).get(record, {"purpose": "確認"}).content.decode()
    assert "北一条西" not in hidden and code not in hidden and "本籍" not in hidden and "住民票コード" not in hidden
    assert "北一条西" in shown and code in shown
    assert "世帯主" in hidden  # 続柄 is always shown
    with tenant_context(tenant_a.code):
        assert visibility.hidden_for(hiding.pk) == {"domicile", "resident_code"}
        assert visibility.hidden_for(other.pk) == frozenset()


def test_relationship_or_unknown_items_and_other_municipalities_users_are_refused(
    tenant_a: Any, tenant_b: Any, make_staff: Any, supervisor: Client
) -> None:
    clerk = make_staff(tenant_a, "clerk1", [CLERK.code])
    elsewhere = make_staff(tenant_b, "clerk9", [CLERK.code])
    refused = _hide(supervisor, clerk, "relationship")
    assert refused.status_code == 400 and "非表示にできない項目です: relationship" in refused.content.decode()
    assert _hide(supervisor, elsewhere, "domicile").status_code == 400
    with tenant_context(tenant_a.code):
        assert not HiddenItems.objects.exists()
    assert sign_in(clerk).get(URL).status_code == 403  # supervisors only


def test_a_hidden_subject_closes_its_wizard_and_a_correction_keeps_the_hidden_domicile(
    tenant_a: Any, make_staff: Any, make_resident: Any, supervisor: Client
) -> None:
    person = make_resident(tenant_a, domicile="北海道札幌市中央区北一条西2丁目")
    boss = make_staff(tenant_a, "boss2", [SUPERVISOR.code])
    assert _hide(supervisor, boss, "domicile", "residence_status").status_code == 302
    client = sign_in(boss)
    assert client.get("/staff/residents/procedures/residence-status/", {"resident": person.id}).status_code == 403
    start = client.get("/staff/residents/procedures/correction/", {"resident": person.id})
    html = start.content.decode()
    assert start.status_code == 200 and 'name="domicile"' not in html and "北一条西" not in html
    data = {"state": _state(start), "action": "next", "effective_on": "R6.4.1", "notified_on": "R6.4.1",
            "reason": "誤記", "family_name": "山田", "given_name": "華子", "family_name_kana": "ヤマダ",
            "given_name_kana": "ハナコ", "birth_date": "S55.4.2", "sex": "2", "relationship": "世帯主"}  # fmt: skip
    confirm = client.post("/staff/residents/procedures/correction/", data)
    assert confirm.status_code == 200, confirm.content.decode()[:2000]
    recorded = client.post("/staff/residents/procedures/correction/", {"state": _state(confirm), "action": "record"})
    assert recorded.status_code == 302
    _register(supervisor)
    with tenant_context(tenant_a.code):
        corrected = Resident.objects.get(id=person.id)
        assert corrected.given_name == "華子" and corrected.domicile == "北海道札幌市中央区北一条西2丁目"  # not emptied
