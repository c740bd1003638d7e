"""The address on a 除票の写し (法15条の4): where the person lived when they were removed (with its 方書), as the
history recorded it then — not where the household they left lives today, after it moved on without them (転居: the
household's address is rewritten in place) or had its address rewritten (軽微な修正)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from kiban.apps.residents import certificates, services
from kiban.apps.residents.models import Resident
from kiban.apps.residents.printing.content import CertificateContent
from kiban.apps.residents.validation import ProcedureError

from . import test_certificates_move_out_pending as pending
from .test_certificates import _request
from .test_procedures import chiyoda, codes, n, person  # noqa: F401 (chiyoda is a fixture)

household_of_three = pending.household_of_three
printed = pending.printed  # the fixture: what each certificate issued in the test was printed from
in_chiyoda = pytest.mark.usefixtures("chiyoda")

A = "東京都千代田区九段南1丁目2番1号　九段ハイツ101"  # where household_of_three moved in, 400 days ago
B = services.AddressData("東京都千代田区神田一丁目1番1号", "1010044", building="神田レジデンス202")
DESTINATION = "大阪府大阪市北区中之島1丁目3番20号"


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def removed_copy(printed: list[CertificateContent], resident_id: int, **kw: Any) -> CertificateContent:
    """What a 除票の写し (個人票) of one person, asked for by a third party, was printed from."""
    values: dict[str, Any] = {"kind": "removed_copy", "layout": "individual", "requester": "third_party",
                              "requester_resident_id": None, "requester_name": "債権者"}  # fmt: skip
    certificates.issue(_request([resident_id], **(values | kw)))
    return printed[-1]


def move_within(resident_ids: list[int], days: int) -> None:
    """The members still registered move together to B (転居 of the whole household: its address rewritten)."""
    services.move_within(n(days_ago(days)), resident_ids=resident_ids, address=B)


@in_chiyoda
def test_a_person_who_moved_out_or_died_before_the_household_moved_shows_the_address_they_left(
    printed: list[CertificateContent],
) -> None:
    """一郎 moves out, then 花子 dies (a household of two, 太郎 and 花子, by then); then 太郎 moves within the
    municipality. Both 除票 show A with its 方書, and the 住所を定めた年月日 of their own record."""
    head, wife, son = household_of_three()
    services.move_out(n(days_ago(100)), resident_ids=[son], destination_address=DESTINATION)
    services.death(n(days_ago(80)), resident_id=wife)
    move_within([head], 50)
    for removed in (son, wife):
        content = removed_copy(printed, removed)
        assert content.address == A
        assert content.persons[0].moved_in_on == days_ago(400)
    assert removed_copy(printed, son, layout="household").address == A
    certificates.issue(_request([head]))  # 太郎's 住民票の写し: where he lives today
    assert printed[-1].address == "東京都千代田区神田一丁目1番1号　神田レジデンス202"


@in_chiyoda
def test_a_person_removed_after_the_move_shows_the_new_address(printed: list[CertificateContent]) -> None:
    head, wife, son = household_of_three()
    move_within([head, wife, son], 100)
    services.move_out(n(days_ago(50)), resident_ids=[son], destination_address=DESTINATION)
    services.move_within(n(days_ago(20)), resident_ids=[head, wife],
                         address=services.AddressData("東京都千代田区富士見二丁目3番4号"))  # fmt: skip
    assert removed_copy(printed, son).address == "東京都千代田区神田一丁目1番1号　神田レジデンス202"


@in_chiyoda
def test_a_child_born_and_dead_on_the_same_day_shows_the_address_of_then(printed: list[CertificateContent]) -> None:
    """No entry the day before the removal: the address the removal recorded."""
    head, wife, son = household_of_three()
    household_id = Resident.objects.get(id=head).household_id
    born = person("次郎", "子", given_name_kana="ジロウ", birth_date=days_ago(100))
    (baby,) = services.birth(n(days_ago(100)), household_id=household_id, person=born).resident_ids
    services.death(n(days_ago(100)), resident_id=baby)
    move_within([head, wife, son], 50)
    assert removed_copy(printed, baby).address == A


@in_chiyoda
def test_a_household_that_never_moved_shows_its_address_as_before(printed: list[CertificateContent]) -> None:
    head, wife, son = household_of_three()
    services.death(n(days_ago(100)), resident_id=son)
    assert removed_copy(printed, son).address == A
    services.move_out(n(days_ago(20)), resident_ids=[head, wife], destination_address=DESTINATION)  # all gone
    assert removed_copy(printed, son).address == A
    assert removed_copy(printed, head, items=("householder",)).address == A


@in_chiyoda
def test_a_later_minor_correction_of_the_household_s_address_does_not_rewrite_the_removed_record(
    printed: list[CertificateContent],
) -> None:
    """The 除票 shows the address as it was recorded when the person was removed, not the corrected text.

    ``services.correct_address`` is the 軽微な修正 of 規則11条3項2号 (標準仕様書 4.2.3.2, j850 in requirements.md:
    住居表示の実施・変更, 町字 or 地番 changes, a building renamed): the address is written anew from its date, nobody
    moved, and only the registered members get an entry — the 除票 is not corrected. docs/residents/README.md: "a
    correction takes effect from its own date and earlier dates show the record as it then stood". A 誤記修正 of an
    address (the address recorded wrongly in the first place), which would arguably print the corrected text on the
    除票 too, does not exist in the code: ``services.correct`` corrects no address (j840: "no address"; j860), so
    there is nothing else to follow."""
    head, wife, son = household_of_three()
    services.move_out(n(days_ago(100)), resident_ids=[son], destination_address=DESTINATION)
    household_id = Resident.objects.get(id=head).household_id
    corrected = services.AddressData("東京都千代田区九段南一丁目2番1号", building="九段ハイツ101")
    services.correct_address(n(days_ago(50)), household_id=household_id, address=corrected, reason="住居表示の実施")
    assert removed_copy(printed, son).address == A
    services.death(n(days_ago(10)), resident_id=wife)  # removed after the correction: the corrected text
    assert removed_copy(printed, wife).address == "東京都千代田区九段南一丁目2番1号　九段ハイツ101"


@in_chiyoda
def test_a_move_in_reported_earlier_than_the_planned_date_after_the_household_moved(
    printed: list[CertificateContent],
) -> None:
    """The 転入通知 (j50) moves the 消除日 back to the move-in date after the others moved on: still A."""
    head, wife, son = household_of_three()
    services.move_out(n(days_ago(90)), resident_ids=[son], destination_address=DESTINATION)
    move_within([head, wife], 60)
    data = {"moved_in_on": days_ago(95).isoformat(), "from_tenant": "131041",
            "resident_codes": [Resident.objects.get(id=son).resident_code]}  # fmt: skip
    services.confirm_move_out({"id": "notice-1", "data": data})
    assert Resident.objects.get(id=son).removed_on == days_ago(95)
    assert removed_copy(printed, son).address == A


@in_chiyoda
def test_a_copy_of_the_wrong_kind_is_still_refused(printed: list[CertificateContent]) -> None:
    head, wife, son = household_of_three()
    services.move_out(n(days_ago(100)), resident_ids=[son], destination_address=DESTINATION)
    move_within([head, wife], 50)
    with pytest.raises(ProcedureError) as err:  # a 住民票の写し of a removed person
        certificates.issue(_request([son], layout="individual", requester_resident_id=son))
    assert codes(err) == {"wrong_status"}
    with pytest.raises(ProcedureError) as err:  # a 除票の写し of a resident
        removed_copy(printed, head)
    assert codes(err) == {"wrong_status"}
    assert printed == []
