"""The 世帯主 on a 除票の写し (法15条の4): the removed person, if they were 世帯主, else the 世帯主 of the household
they left as it stood when they were removed — not whoever heads that household today (after a later 世帯主変更,
when the householder left with them, when the household is gone altogether)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from kiban.apps.residents import certificates, services
from kiban.apps.residents.models import Resident
from kiban.platform.tenants.context import tenant_context

from .test_certificates import _printed, _request
from .test_certificates_move_out_pending import household_of_three
from .test_procedures import n

DESTINATION = "大阪府大阪市北区中之島1丁目3番20号"


@pytest.fixture
def chiyoda(tenant_a: Any) -> Iterator[Any]:
    with tenant_context(tenant_a.code):
        yield tenant_a


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def householder_on_removed_copy(resident_id: int) -> str | None:
    """The 世帯主 printed on a 除票の写し of one person with 世帯主・続柄, asked for by a third party."""
    request = _request([resident_id], kind="removed_copy", layout="individual", requester="third_party",
                       requester_resident_id=None, requester_name="債権者", items=("householder",))  # fmt: skip
    lines = _printed(certificates.issue(request).pdf).splitlines()
    return lines[lines.index("世帯主") + 1] if "世帯主" in lines else None  # the line after the label


def test_the_householder_of_the_day_of_removal_not_the_one_after_a_later_change(chiyoda: Any) -> None:
    head, wife, son = household_of_three()
    services.move_out(n(days_ago(100)), resident_ids=[son], destination_address=DESTINATION)
    services.change_householder(n(days_ago(50)), household_id=Resident.objects.get(id=head).household_id,
                                relationships={wife: "世帯主", head: "夫"})  # fmt: skip
    assert householder_on_removed_copy(son) == "山田　太郎"  # not 花子, 世帯主 since


def test_the_householder_who_left_with_the_person_not_the_one_who_stayed(chiyoda: Any) -> None:
    head, _wife, son = household_of_three()
    services.move_out(n(days_ago(100)), resident_ids=[head, son], destination_address=DESTINATION)  # 花子 stays
    assert householder_on_removed_copy(son) == "山田　太郎"
    assert householder_on_removed_copy(head) == "山田　太郎"  # a 世帯主 removed is their own 世帯主


def test_the_householder_of_a_household_that_is_gone(chiyoda: Any) -> None:
    head, wife, son = household_of_three()
    services.death(n(days_ago(100)), resident_id=son)
    services.move_out(n(days_ago(20)), resident_ids=[head, wife], destination_address=DESTINATION)
    assert householder_on_removed_copy(son) == "山田　太郎"
