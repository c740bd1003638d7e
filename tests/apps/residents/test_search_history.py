"""検索履歴 (住民記録システム標準仕様書 2.1.1, j320): each staff user's search conditions are kept automatically, a
fixed number of them, and chosen again they search again or fill the form for a new search."""

from __future__ import annotations

from typing import Any

from kiban.apps.residents import search_history
from kiban.apps.residents.models import SearchHistory
from kiban.apps.residents.permissions import CLERK
from kiban.platform.audit.models import AuditEntry
from kiban.platform.tenants.context import tenant_context
from tests.conftest import sign_in

BASE = "/staff/residents/"


def _kept(tenant: Any, user: Any) -> list[tuple[str, str, str]]:
    with tenant_context(tenant.code):
        return [(h.kana, h.name, h.purpose) for h in search_history.recent(user.pk)]


def test_searches_are_kept_per_user_newest_first_without_repeats(
    tenant_a: Any, make_staff: Any, make_resident: Any
) -> None:
    make_resident(tenant_a)  # ヤマダ
    first, second = make_staff(tenant_a, "clerk1", [CLERK.code]), make_staff(tenant_a, "clerk2", [CLERK.code])
    one, two = sign_in(first), sign_in(second)
    assert one.get(BASE, {"kana": "ヤマダ", "purpose": "住民票の写しの交付"}).status_code == 200
    assert one.get(BASE, {"name": "山田", "purpose": "届出内容の確認"}).status_code == 200
    assert one.get(BASE, {"kana": "ヤマダ", "purpose": "住民票の写しの交付"}).status_code == 200  # again: to the top
    assert two.get(BASE, {"kana": "スズキ", "purpose": "税務調査"}).status_code == 200
    assert _kept(tenant_a, first) == [("ヤマダ", "", "住民票の写しの交付"), ("", "山田", "届出内容の確認")]
    assert _kept(tenant_a, second) == [("スズキ", "", "税務調査")]
    page = one.get(BASE).content.decode()  # the empty search page lists them, this user's only
    assert "最近の検索条件（2件）" in page and "ヤマダ" in page and "スズキ" not in page


def test_refused_searches_are_not_kept(tenant_a: Any, make_staff: Any) -> None:
    user = make_staff(tenant_a, "clerk1", [CLERK.code])
    client = sign_in(user)
    assert client.get(BASE, {"kana": "ヤマダ"}).status_code == 400  # no purpose
    assert client.get(BASE, {"purpose": "確認"}).status_code == 400  # no condition
    assert client.get(BASE, {"kana": "ヤマダ", "birth_date": "令和99年13月1日", "purpose": "確認"}).status_code == 400
    assert _kept(tenant_a, user) == []


def test_only_the_newest_are_kept(tenant_a: Any, make_staff: Any) -> None:
    user = make_staff(tenant_a, "clerk1", [CLERK.code])
    client = sign_in(user)
    for n in range(search_history.KEPT + 3):
        assert client.get(BASE, {"address": f"千代田{n}番", "purpose": "確認"}).status_code == 200
    with tenant_context(tenant_a.code):
        kept = [h.address for h in search_history.recent(user.pk)]
        assert SearchHistory.objects.filter(user_id=user.pk).count() == search_history.KEPT
    assert kept == [f"千代田{n}番" for n in range(search_history.KEPT + 2, 2, -1)]


def test_a_kept_condition_searches_again_or_fills_the_form(tenant_a: Any, make_staff: Any, make_resident: Any) -> None:
    person = make_resident(tenant_a)
    user = make_staff(tenant_a, "clerk1", [CLERK.code])
    client = sign_in(user)
    conditions = {"kana": "ヤマダ", "birth_date": person.birth_date.isoformat(), "purpose": "住民票の写しの交付"}
    assert client.get(BASE, conditions).status_code == 200
    with tenant_context(tenant_a.code):
        (entry,) = search_history.recent(user.pk)
        searches = AuditEntry.objects.filter(action="resident.listed").count()
    again = client.get(f"{BASE}?{search_history.query(entry)}")
    assert again.status_code == 200 and f"/staff/residents/{person.id}/" in again.content.decode()
    filled = client.get(BASE, {"history": entry.id})  # to be changed first: the form filled, nothing searched
    html = filled.content.decode()
    assert filled.status_code == 200 and 'value="ヤマダ"' in html and 'value="住民票の写しの交付"' in html
    assert 'id="results"' not in html
    with tenant_context(tenant_a.code):
        # the search again listed the person once more; filling the form listed nobody
        assert AuditEntry.objects.filter(action="resident.listed").count() == searches + 1
    assert [k for k, _, _ in _kept(tenant_a, user)] == ["ヤマダ"]


def test_another_users_or_municipalitys_conditions_cannot_be_opened(
    tenant_a: Any, tenant_b: Any, make_staff: Any
) -> None:
    owner, other = make_staff(tenant_a, "clerk1", [CLERK.code]), make_staff(tenant_a, "clerk2", [CLERK.code])
    elsewhere = make_staff(tenant_b, "clerk3", [CLERK.code])
    assert sign_in(owner).get(BASE, {"kana": "ヒミツ", "purpose": "確認"}).status_code == 200
    with tenant_context(tenant_a.code):
        (entry,) = search_history.recent(owner.pk)
    for client in (sign_in(other), sign_in(elsewhere)):
        page = client.get(BASE, {"history": entry.id})
        assert page.status_code == 200 and "ヒミツ" not in page.content.decode()  # an empty form


def test_a_user_clears_their_own_conditions_only(tenant_a: Any, make_staff: Any, make_resident: Any) -> None:
    make_resident(tenant_a)
    first, second = make_staff(tenant_a, "clerk1", [CLERK.code]), make_staff(tenant_a, "clerk2", [CLERK.code])
    one, two = sign_in(first), sign_in(second)
    one.get(BASE, {"kana": "ヤマダ", "purpose": "住民票の写しの交付"})
    one.get(BASE, {"name": "山田", "purpose": "届出内容の確認"})
    two.get(BASE, {"kana": "スズキ", "purpose": "税務調査"})
    assert 'value="clear-history"' in one.get(BASE).content.decode()
    cleared = one.post(BASE, {"action": "clear-history"})
    assert cleared.status_code == 200 and "検索履歴を消去しました（2件）" in cleared.content.decode()
    assert "ヤマダ" not in cleared.content.decode()
    assert _kept(tenant_a, first) == [] and _kept(tenant_a, second) == [("スズキ", "", "税務調査")]
    with tenant_context(tenant_a.code):
        assert AuditEntry.objects.filter(action="residents.search_history.cleared", object_id=str(first.pk)).exists()
    assert "最近の検索条件" not in one.get(BASE).content.decode()
