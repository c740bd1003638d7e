"""世帯員の並び順 on the 世帯連記式 copy (住民記録システム標準仕様書 5.2, j1010): the 順位1–4 rules, newcomers at the
end, and an order set for a household and kept. The examples are the specification's own where it gives them."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from kiban.apps.residents import certificates, services
from kiban.apps.residents.certificates import Member, rule_order
from kiban.apps.residents.models import HouseholdMemberOrder, Resident
from kiban.apps.residents.validation import PersonData, ProcedureError
from kiban.platform.tenants.context import tenant_context

D = datetime.date
HOME = "東京都千代田区千代田1番"  # the householder's family register
SON_REGISTER = "東京都千代田区九段南2番"


def m(id: int, relationship: str, born: D, **kw: Any) -> Member:
    return Member(id, relationship, born, **kw)


def order(*members: Member) -> list[int]:
    return [x.id for x in rule_order(list(reversed(members)))]  # input order must not matter


def test_rank_1_householder_spouse_then_children_by_birth_date_twins_by_number() -> None:
    # 1-1 世帯主, 1-2 配偶者, 1-3 世帯主の子 (生年月日の順、同じなら宛名番号の順)
    assert order(
        m(1, "世帯主", D(1970, 1, 1)),
        m(5, "妻", D(1975, 1, 1)),
        m(3, "子", D(2000, 1, 1)),
        m(4, "子", D(2003, 6, 1)),
        m(2, "子", D(2003, 6, 1)),  # twins: the smaller 宛名番号 first
    ) == [1, 5, 3, 2, 4]


def test_rank_1_a_spouse_not_yet_notified_counts_as_the_spouse() -> None:
    assert order(m(1, "世帯主", D(1970, 1, 1)), m(2, "子", D(1990, 1, 1)), m(3, "夫（未届）", D(1972, 1, 1))) == [
        1,
        3,
        2,
    ]


def test_rank_2_a_childs_family_follows_rank_1_eldest_sons_family_before_the_second_sons() -> None:
    # 第2順位: 2-1 子, 2-2 子の配偶者, 2-3 子の子; families by the children's birth dates
    # ("長男の家族の方が次男の家族よりも並び順が先になる")
    eldest, second = "長男　一郎", "次男　二郎"
    members = [
        m(1, "世帯主", D(1950, 1, 1), domicile=HOME, domicile_head="山田　太郎", name="山田太郎"),
        m(2, "妻", D(1952, 1, 1), domicile=HOME, domicile_head="山田　太郎"),
        m(3, "子", D(1990, 1, 1), domicile=HOME, domicile_head="山田　太郎"),  # unmarried: stays in 第1順位
        m(10, "子", D(1975, 1, 1), domicile=SON_REGISTER, domicile_head=eldest),
        m(11, "子の妻", D(1976, 1, 1), domicile=SON_REGISTER, domicile_head=eldest),
        m(13, "子の子", D(2005, 1, 1), domicile=SON_REGISTER, domicile_head=eldest),
        m(12, "子の子", D(2002, 1, 1), domicile=SON_REGISTER, domicile_head=eldest),
        m(20, "子", D(1978, 1, 1), domicile="大阪府大阪市北区1番", domicile_head=second),
        m(21, "子の妻", D(1977, 1, 1), domicile="大阪府大阪市北区1番", domicile_head=second),
    ]
    assert order(*members) == [1, 2, 3, 10, 11, 12, 13, 20, 21]


def test_rank_2_without_a_family_register_a_single_childs_family_is_still_found() -> None:
    # Foreign residents have no 本籍: with one child, the child's spouse and children are that child's family.
    assert order(
        m(1, "世帯主", D(1950, 1, 1)), m(4, "子の子", D(2010, 1, 1)), m(3, "子の夫", D(1979, 1, 1)),
        m(2, "子", D(1980, 1, 1)),
    ) == [1, 2, 3, 4]  # fmt: skip


def test_rank_3_parents_with_the_register_head_first_then_siblings_then_grandparents() -> None:
    # 3-1 父母 (筆頭者の方を先に), 3-2 兄弟姉妹 (生年月日の順), 3-3 祖父母 (筆頭者の方を先に)
    head = "山田　父男"
    assert order(
        m(1, "世帯主", D(1970, 1, 1)),
        m(2, "母", D(1940, 1, 1), name="山田母子", domicile=HOME, domicile_head=head),
        m(3, "父", D(1942, 1, 1), name="山田父男", domicile=HOME, domicile_head=head),  # younger, but 筆頭者
        m(5, "弟", D(1975, 1, 1)),
        m(4, "姉", D(1968, 1, 1)),
        m(7, "父の母", D(1915, 1, 1)),
        m(6, "父の父", D(1918, 1, 1)),  # no 筆頭者 among them: by birth date
    ) == [1, 3, 2, 4, 5, 7, 6]


def test_rank_3_parents_without_a_register_head_by_birth_date() -> None:
    assert order(m(1, "世帯主", D(1970, 1, 1)), m(2, "父", D(1942, 1, 1)), m(3, "母", D(1940, 1, 1))) == [1, 3, 2]


def test_rank_4_relatives_then_related_persons_then_lodgers() -> None:
    # 4-1 親族, 4-2 縁故者, 4-3 同居人, each by birth date; the spouse's side "第３順位に倣う": parents, siblings
    assert order(
        m(1, "世帯主", D(1970, 1, 1)),
        m(2, "妻", D(1972, 1, 1)),
        m(9, "同居人", D(1930, 1, 1)),
        m(8, "縁故者", D(1990, 1, 1)),
        m(7, "縁故者", D(1960, 1, 1)),
        m(6, "妻の弟", D(1978, 1, 1)),
        m(5, "妻の兄", D(1968, 1, 1)),
        m(4, "妻の母", D(1945, 1, 1)),
        m(3, "母", D(1944, 1, 1)),  # the householder's own mother: 第3順位, before every 第4順位 person
    ) == [1, 2, 3, 4, 5, 6, 7, 8, 9]


def test_rank_4_example_1_the_wifes_elder_brother_before_her_younger_brother() -> None:
    # 例１）妻の兄と妻の弟では、前者を先に記載
    assert order(m(1, "世帯主", D(1970, 1, 1)), m(2, "妻の弟", D(1980, 1, 1)), m(3, "妻の兄", D(1965, 1, 1))) == [
        1,
        3,
        2,
    ]


def test_rank_4_example_2_twins_by_their_address_numbers() -> None:
    # 例２）妻の兄 (宛名番号 123…45) と妻の姉 (124…67) が双子で生年月日が同じ場合、宛名番号の順
    twins = D(1968, 3, 3)
    assert order(m(1, "世帯主", D(1970, 1, 1)), m(12400067, "妻の姉", twins), m(12300045, "妻の兄", twins)) == [
        1,
        12300045,
        12400067,
    ]


def test_the_four_ranks_in_one_household() -> None:
    assert order(
        m(1, "世帯主", D(1950, 1, 1)),
        m(6, "同居人", D(1940, 1, 1)),
        m(5, "父", D(1925, 1, 1)),
        m(4, "子の子", D(2000, 1, 1)),
        m(3, "子", D(1975, 1, 1)),
        m(2, "妻", D(1951, 1, 1)),
    ) == [1, 2, 3, 4, 5, 6]


# --- with the registry: newcomers at the end, an order set and kept --------------------------------------------


def _person(given: str, relationship: str, born: D, **kw: Any) -> PersonData:
    values: dict[str, Any] = {
        "family_name": "山田", "given_name": given, "family_name_kana": "ヤマダ", "given_name_kana": "タロウ",
        "birth_date": born, "sex": "1", "relationship": relationship,
    } | kw  # fmt: skip
    return PersonData(**values)


@pytest.fixture
def family(tenant_a: Any) -> dict[str, int]:
    """世帯主, 子 (born 2005) and 妻 moved in together; then the householder's mother moves in (a newcomer)."""
    with tenant_context(tenant_a.code):
        first = services.move_in(
            services.Notification("order-1", D(2020, 4, 1), D(2020, 4, 1)),
            address=services.AddressData("東京都千代田区九段南1丁目2番1号"),
            origin="abroad",
            persons=[
                _person("太郎", "世帯主", D(1975, 1, 1)),
                _person("一郎", "子", D(2005, 1, 1)),
                _person("花子", "妻", D(1977, 1, 1), sex="2"),
            ],
        )
        head, son, wife = first.resident_ids
        household = Resident.objects.get(id=head).household_id
        later = services.move_in(
            services.Notification("order-2", D(2021, 4, 1), D(2021, 4, 1)),
            address=services.AddressData("東京都千代田区九段南1丁目2番1号"),
            origin="abroad",
            household_id=household,
            persons=[_person("ハナ", "母", D(1950, 1, 1), sex="2")],
        )
    return {"head": head, "son": son, "wife": wife, "mother": later.resident_ids[0], "household": household}


def _ids(household: int) -> list[int]:
    return [r.id for r in certificates.member_order(household)]


def test_members_follow_the_rules_and_a_newcomer_to_the_household_goes_last(
    tenant_a: Any, family: dict[str, int]
) -> None:
    with tenant_context(tenant_a.code):
        # by the rules the mother (第3順位) would come after the son; she joined later: last ("末尾に順次記載")
        assert _ids(family["household"]) == [family["head"], family["wife"], family["son"], family["mother"]]


def test_a_child_born_into_the_household_is_placed_by_the_rules(tenant_a: Any, family: dict[str, int]) -> None:
    with tenant_context(tenant_a.code):
        baby = services.birth(
            services.Notification("order-3", D(2022, 5, 1), D(2022, 5, 2)),
            household_id=family["household"],
            person=_person("次郎", "子", D(2022, 5, 1)),
        ).resident_ids[0]
        assert _ids(family["household"]) == [family["head"], family["wife"], family["son"], baby, family["mother"]]


def test_an_order_set_for_the_household_is_kept_and_used(tenant_a: Any, family: dict[str, int]) -> None:
    chosen = [family["mother"], family["head"], family["son"], family["wife"]]
    with tenant_context(tenant_a.code):
        certificates.set_member_order(family["household"], chosen)
        assert HouseholdMemberOrder.objects.get().resident_ids == chosen
        assert _ids(family["household"]) == chosen
        certificates.set_member_order(family["household"], None)  # the rules again, newcomers included
        assert _ids(family["household"]) == [family["head"], family["wife"], family["son"], family["mother"]]
        assert HouseholdMemberOrder.objects.count() == 2  # each setting kept (append-only)


def test_an_order_must_list_every_member_once(tenant_a: Any, family: dict[str, int]) -> None:
    with tenant_context(tenant_a.code):
        for wrong in ([family["head"], family["wife"]], [family["head"]] * 4, [*family.values()][:4][::-1][:3]):
            with pytest.raises(ProcedureError) as err:
                certificates.set_member_order(family["household"], wrong)
            assert {e.code for e in err.value.errors} == {"not_the_members"}
        with pytest.raises(ProcedureError) as err:
            certificates.set_member_order(999999, None)
        assert {e.code for e in err.value.errors} == {"not_found"}
        assert HouseholdMemberOrder.objects.count() == 0


def test_whoever_joins_after_an_order_was_set_follows_it_at_the_end(tenant_a: Any, family: dict[str, int]) -> None:
    chosen = [family["wife"], family["head"], family["mother"], family["son"]]
    with tenant_context(tenant_a.code):
        certificates.set_member_order(family["household"], chosen)
        lodger = services.move_in(
            services.Notification("order-4", D(2023, 4, 1), D(2023, 4, 1)),
            address=services.AddressData("東京都千代田区九段南1丁目2番1号"),
            origin="abroad",
            household_id=family["household"],
            persons=[_person("同居", "同居人", D(1940, 1, 1))],
        ).resident_ids[0]
        assert _ids(family["household"]) == [*chosen, lodger]
