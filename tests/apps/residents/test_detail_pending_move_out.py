"""The counter's record page while a 転出 waits for its planned date (転出予定, 標準仕様書 1.1.5 j50): the person moving
out is a 現存者 until that date, so their page lists the household as it stands on the day (the others with the
世帯主・続柄 of that day), and each member's page lists the person leaving, marked 転出予定 as on their own page.
From the planned date on, the person who left is a 除票 without a household and the others' pages no longer list
them."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kiban.apps.residents import services
from kiban.apps.residents.models import Resident
from kiban.platform.tenants.context import tenant_context
from kiban.standard.era import format_date

from .test_certificates_move_out_pending import AHEAD, household_of_three, householder_moves_out
from .test_procedures import n, person

BASE = "/staff/residents"
TODAYS_HOUSEHOLD = ["山田 太郎（世帯主）", "山田 花子（妻）", "山田 一郎（子）"]
AFTER_THE_MOVE_OUT = ["山田 花子（世帯主）", "山田 一郎（子）"]


def _planned() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=AHEAD)


@pytest.fixture
def three(tenant_a: Any) -> list[int]:
    """太郎 (世帯主), 花子 (妻), 一郎 (子); 太郎 moves out on the planned date, 花子 becomes 世帯主 from then on."""
    with tenant_context(tenant_a.code):
        ids = household_of_three()
        householder_moves_out(ids, _planned())
    return ids


def _page(client: Client, resident_id: int) -> Any:
    page = client.get(f"{BASE}/{resident_id}/", {"purpose": "届出内容の確認"})
    assert page.status_code == 200, page.content.decode()[:1000]
    return page


def listed(page: Any) -> list[str]:
    """The household members the page lists, as 氏名（続柄）."""
    return [
        f"{row['m'].family_name} {row['m'].given_name}（{row['m'].relationship}）" for row in page.context["members"]
    ]


def members_table(page: Any) -> str:
    html: str = page.content.decode()
    start = html.find('<table class="members">')
    return html[start : html.index("</table>", start)] if start >= 0 else ""


def rows_marked_moving_out(page: Any) -> list[str]:
    """The rows of the members table marked 転出予定, as HTML."""
    return [row for row in members_table(page).split("<tr>") if 'class="badge-moving-out"' in row]


def test_before_the_planned_date_the_leaving_person_s_page_lists_the_household_of_the_day(
    clerk: Client, three: list[int]
) -> None:
    head, wife, son = three
    page = _page(clerk, head)
    assert page.context["moving_out"]
    assert listed(page) == TODAYS_HOUSEHOLD
    table = members_table(page)
    assert f'href="{BASE}/{wife}/?purpose=' in table and f'href="{BASE}/{son}/?purpose=' in table
    planned = format_date(_planned(), style="long")
    assert f'class="badge-moving-out">転出予定 {planned}' in table  # the person leaving, marked as at the top


@pytest.mark.parametrize("member", [1, 2], ids=["wife", "son"])
def test_before_the_planned_date_each_member_s_page_lists_the_person_leaving(
    clerk: Client, three: list[int], member: int
) -> None:
    head = three[0]
    page = _page(clerk, three[member])
    assert listed(page) == TODAYS_HOUSEHOLD  # 太郎 still 世帯主, 花子 not yet
    table = members_table(page)
    assert f'href="{BASE}/{head}/?purpose=' in table
    (marked,) = rows_marked_moving_out(page)
    assert f'href="{BASE}/{head}/?purpose=' in marked and f"転出予定 {format_date(_planned(), style='long')}" in marked


def test_before_the_planned_date_a_member_who_stays_has_today_s_relationship_on_their_own_record(
    clerk: Client, three: list[int]
) -> None:
    """花子's own 続柄 line says 妻 until the planned date (the 転出 makes her 世帯主 from then on), as the table."""
    wife = three[1]
    page = _page(clerk, wife)
    assert page.context["resident"].relationship == "妻"
    assert '<dt>続柄 <span lang="en">(Relationship)</span></dt><dd>妻</dd>' in page.content.decode()


def test_the_one_member_who_stays_lists_the_person_leaving(clerk: Client, tenant_a: Any) -> None:
    """A household of two: until the planned date the one who stays is not alone."""
    with tenant_context(tenant_a.code):
        head, wife = services.move_in(
            n(timezone.localdate() - datetime.timedelta(days=400)),
            address=services.AddressData("東京都千代田区九段南1丁目2番1号"),
            persons=[person("太郎"), person("花子", "妻", given_name_kana="ハナコ", sex="2")],
            previous_address="神奈川県横浜市中区1番",
        ).resident_ids
        services.move_out(n(_planned(), timezone.localdate()), resident_ids=[head],
                          destination_address="大阪府大阪市北区中之島1丁目3番20号")  # fmt: skip
    assert listed(_page(clerk, wife)) == ["山田 太郎（世帯主）", "山田 花子（妻）"]
    assert listed(_page(clerk, head)) == ["山田 太郎（世帯主）", "山田 花子（妻）"]


def test_from_the_planned_date_the_pages_are_those_after_the_move_out(
    clerk: Client, three: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    head, wife, son = three
    planned = _planned()
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: planned)  # the clock at the planned date
    leaving = _page(clerk, head)
    assert not leaving.context["moving_out"] and listed(leaving) == [] and members_table(leaving) == ""
    assert 'class="badge-removed"' in leaving.content.decode()
    for member in (wife, son):
        page = _page(clerk, member)
        assert listed(page) == AFTER_THE_MOVE_OUT
        assert f"{BASE}/{head}/" not in members_table(page) and 'class="badge-moving-out"' not in page.content.decode()


def test_a_move_out_brought_forward_by_the_move_in_notice_has_taken_effect_on_the_pages(
    clerk: Client, tenant_a: Any, three: list[int]
) -> None:
    """j50: the 転出 takes effect on the earlier of the planned date and the move-in date the destination reports."""
    head, wife, _son = three
    with tenant_context(tenant_a.code):
        data = {"moved_in_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
                "from_tenant": "131041", "resident_codes": [Resident.objects.get(id=head).resident_code]}  # fmt: skip
        services.confirm_move_out({"id": "notice-1", "data": data})
    assert listed(_page(clerk, wife)) == AFTER_THE_MOVE_OUT
    assert listed(_page(clerk, head)) == []
