"""Synthetic populations: determinism, exact sizes, realism against the sources, valid numbers. No database."""

from __future__ import annotations

import itertools
import re
from datetime import date
from functools import cache

import pytest

from kiban.migration.synthetic import (
    SyntheticHousehold,
    generate,
    generate_history,
    municipality_sizes,
    progress,
)
from kiban.migration.synthetic.places import municipality_of_postal_code
from kiban.migration.synthetic.tables import age_pyramid
from kiban.platform.tenants.catalog import municipalities
from kiban.standard.numbers import make_resident_code, validate_individual_number, validate_residence_card_number

KANAZAWA = "172014"  # a core city: national household shares apply
CHIYODA = "131016"  # a special ward
YOKOHAMA = "141003"  # a designated city: postal codes are those of its wards
BASE = date(2026, 1, 1)


@cache
def population(code: str = KANAZAWA, residents: int = 20_000, seed: int = 7) -> tuple[SyntheticHousehold, ...]:
    return tuple(generate(code, residents, seed))


def persons(households: tuple[SyntheticHousehold, ...]) -> list:
    return [person for household in households for person in household.members]


def age(born: date, on: date = BASE) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def test_same_arguments_give_identical_households() -> None:
    assert tuple(generate(KANAZAWA, 3_000, 11)) == tuple(generate(KANAZAWA, 3_000, 11))


def test_output_does_not_depend_on_how_far_another_iterator_was_consumed() -> None:
    first = generate(KANAZAWA, 3_000, 11)
    partial = list(itertools.islice(first, 500))
    second = generate(KANAZAWA, 3_000, 11)
    list(itertools.islice(generate(KANAZAWA, 3_000, 12), 700))  # interleaved work with another seed
    assert list(itertools.islice(second, 500)) == partial
    assert list(first) == list(second)


def test_different_seeds_give_different_populations() -> None:
    assert tuple(generate(KANAZAWA, 1_000, 1)) != tuple(generate(KANAZAWA, 1_000, 2))


@pytest.mark.parametrize("residents", [1, 2, 3, 17, 1_000, 20_000])
def test_total_persons_is_exactly_n_numbered_one_to_n(residents: int) -> None:
    numbers = [person.person_no for person in persons(tuple(generate(CHIYODA, residents, 3)))]
    assert numbers == list(range(1, residents + 1))


def test_every_household_has_exactly_one_householder_listed_first() -> None:
    for household in population():
        relationships = [member.relationship for member in household.members]
        assert relationships.count("世帯主") == 1
        assert relationships[0] == "世帯主"


def test_household_numbers_are_consecutive() -> None:
    assert [h.household_no for h in population()] == list(range(1, len(population()) + 1))


def test_ages_agree_with_relationships() -> None:
    for household in population():
        members = household.members
        by_relation: dict[str, list] = {}
        for member in members:
            by_relation.setdefault(member.relationship, []).append(member)
        head = members[0]
        spouses = by_relation.get("妻", []) + by_relation.get("夫", [])
        parents_of_children = [head, *spouses]
        for child in by_relation.get("子", []):
            for parent in parents_of_children:
                gap = age(parent.birth_date) - age(child.birth_date)
                assert 18 <= gap <= 45, (household, child, parent)
        for elder in by_relation.get("父", []) + by_relation.get("母", []):
            assert 18 <= age(elder.birth_date) - age(head.birth_date) <= 45, household
        for spouse in spouses:
            assert spouse.sex != head.sex
            assert age(spouse.birth_date) >= 18
        for grandchild in by_relation.get("孫", []):
            assert age(head.birth_date) - age(grandchild.birth_date) >= 36, household
        assert age(head.birth_date) >= 18


def test_individual_numbers_and_resident_codes_have_valid_check_digits() -> None:
    for person in persons(population()):
        assert validate_individual_number(person.individual_number) == person.individual_number
        assert make_resident_code(person.resident_code[:10]) == person.resident_code
        assert re.fullmatch(r"\d{11}", person.resident_code)


def test_numbers_are_unique_within_a_municipality_and_across_a_prefecture_run() -> None:
    everyone = persons(population()) + persons(population(CHIYODA, 5_000, 7))
    assert len({p.individual_number for p in everyone}) == len(everyone)
    assert len({p.resident_code for p in everyone}) == len(everyone)


def test_foreign_residents_are_between_one_and_a_half_and_three_and_a_half_percent() -> None:
    people = persons(population())
    share = sum(p.foreign for p in people) / len(people)
    assert 0.015 <= share <= 0.035


def test_foreign_residents_have_their_items_and_japanese_nationals_a_domicile() -> None:
    people = persons(population())
    foreign = [p for p in people if p.foreign]
    assert {p.nationality for p in foreign} >= {"中国", "ベトナム", "韓国", "フィリピン"}
    assert {p.residence_status for p in foreign} >= {"永住者", "特別永住者", "技術・人文知識・国際業務", "留学"}
    assert any(p.alias for p in foreign)
    for p in foreign:
        assert p.residence_card_number is not None
        validate_residence_card_number(p.residence_card_number)
        assert p.domicile is None and p.domicile_head is None
        assert (p.period_of_stay_until is None) == (p.residence_status in ("永住者", "特別永住者"))
    for p in people:
        if not p.foreign:
            assert p.domicile and p.domicile_head
            assert p.nationality is None and p.residence_status is None and p.residence_card_number is None


def test_share_aged_65_and_over_is_within_two_points_of_the_pyramid() -> None:
    rows = age_pyramid()
    expected = sum(m + f for start, _, m, f in rows if start >= 65) / sum(m + f for _, _, m, f in rows)
    people = persons(population())
    share = sum(age(p.birth_date) >= 65 for p in people) / len(people)
    assert abs(share - expected) < 0.02, (share, expected)


def test_every_five_year_group_is_within_two_points_of_the_pyramid() -> None:
    rows = age_pyramid()
    total = sum(m + f for _, _, m, f in rows)
    people = persons(population())
    for start, end, m, f in rows:
        share = sum(start <= age(p.birth_date) <= end for p in people) / len(people)
        assert abs(share - (m + f) / total) < 0.02, (start, share, (m + f) / total)


def test_one_person_households_follow_the_census() -> None:
    households = population()
    share = sum(len(h.members) == 1 for h in households) / len(households)
    assert 0.34 <= share <= 0.42  # 令和2年国勢調査: 38.0% of households
    wards = population(CHIYODA, 20_000, 7)
    assert sum(len(h.members) == 1 for h in wards) / len(wards) > share  # more people live alone in the wards


def test_names_have_full_width_katakana_readings() -> None:
    katakana = re.compile(r"[\u30A0-\u30FF\u3000 ]+")
    for p in persons(population()):
        assert katakana.fullmatch(p.family_name_kana) and katakana.fullmatch(p.given_name_kana), p


def test_spouses_and_children_share_the_householders_family_name() -> None:
    for household in population():
        head = household.members[0]
        for member in household.members:
            if member.relationship in ("妻", "夫", "子") and not member.foreign:
                assert (member.family_name, member.family_name_kana) == (head.family_name, head.family_name_kana)


@pytest.mark.parametrize("code", [KANAZAWA, CHIYODA, YOKOHAMA, "134023"])  # 134023: 青ヶ島村, about 170 people
def test_postal_codes_belong_to_the_municipality(code: str) -> None:
    households = tuple(generate(code, 300, 5))
    for household in households[:60]:
        assert re.fullmatch(r"\d{7}", household.postal_code)
        assert municipality_of_postal_code(household.postal_code)[:4] == code[:4]
        if code != YOKOHAMA:
            assert municipality_of_postal_code(household.postal_code) == code[:5]
        assert household.district in household.address


def test_addresses_look_like_japanese_addresses() -> None:
    household = population(CHIYODA, 2_000, 7)[0]
    assert household.address.startswith("東京都千代田区")
    assert re.search(r"(\d+番\d+号|\d+番地\d*)$", household.address)


def test_residence_dates_are_consistent() -> None:
    for p in persons(population()):
        assert p.birth_date <= p.became_resident_on <= p.moved_in_on < BASE
        if p.became_resident_on == p.birth_date == p.moved_in_on:
            assert p.previous_address is None


def test_history_is_chronological_never_before_birth_and_deterministic() -> None:
    kinds: set[str] = set()
    for household in population()[:3000]:
        events = generate_history(household, 7)
        assert events == generate_history(household, 7)
        births = {m.person_no: m.birth_date for m in household.members}
        assert [e.effective_on for e in events] == sorted(e.effective_on for e in events)
        for event in events:
            kinds.add(event.kind)
            assert event.effective_on < BASE
            if event.person_no:
                assert event.effective_on >= births[event.person_no]
                assert event.notified_on >= event.effective_on
            else:  # a former member, described in the detail
                born = date.fromisoformat(re.search(r"生年月日 (\d{4}-\d{2}-\d{2})", event.detail).group(1))
                assert event.effective_on > born
    assert kinds == {"birth", "move_in", "move_within", "death", "move_out"}


def test_municipality_sizes_of_tokyo() -> None:
    sizes = municipality_sizes("13")
    catalog = [m for m in municipalities().values() if m.prefecture_code == "13"]
    assert len(sizes) == 62
    assert sum(n for _, n in sizes) == sum(m.population for m in catalog)
    assert 13_500_000 < sum(n for _, n in sizes) < 14_500_000
    small = municipality_sizes("13", scale=0.01)
    assert 135_000 < sum(n for _, n in small) < 145_000
    assert min(n for _, n in small) >= 1
    assert municipality_sizes("東京都") == sizes


def test_unknown_municipality_code_is_a_value_error_with_the_reason() -> None:
    with pytest.raises(ValueError, match="unknown municipality code '131017'"):
        generate("131017", 10, 1)  # wrong check digit
    with pytest.raises(ValueError, match="unknown municipality code '999999'"):
        generate("999999", 10, 1)
    with pytest.raises(ValueError, match="unknown municipality code 'abc'"):
        generate("abc", 10, 1)


@pytest.mark.parametrize("residents", [0, -5])
def test_fewer_than_one_resident_is_a_value_error(residents: int) -> None:
    with pytest.raises(ValueError, match="residents must be a positive integer"):
        generate(KANAZAWA, residents, 1)


def test_bad_seed_scale_and_prefecture_are_value_errors() -> None:
    with pytest.raises(ValueError, match="seed"):
        generate(KANAZAWA, 10, -1)
    with pytest.raises(ValueError, match="unknown prefecture"):
        municipality_sizes("48")
    with pytest.raises(ValueError, match="scale"):
        municipality_sizes("13", scale=0)


def test_progress_passes_items_through_when_not_on_a_terminal() -> None:
    assert list(progress(range(5), 5, "seeding")) == [0, 1, 2, 3, 4]
