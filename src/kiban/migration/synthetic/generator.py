"""Deterministic synthetic households of one municipality (``generate``) and sizes per prefecture.

How it stays deterministic and fast:
- Households are made in blocks of ``BLOCK`` households; each block has its own ``random.Random`` seeded from
  ``numpy.random.SeedSequence((seed, municipality, block))``, so the output depends only on (code, N, seed,
  base_date), never on how much of the iterator was consumed or on any global state.
- Names, ages and places are drawn by ``bisect`` over cumulative weights prepared once per process; Faker is read
  once for its name tables and never called per person.
- 住民票コード and 個人番号 are not drawn but computed from the person's number: an affine bijection modulo 10^10
  (10^11) of ``municipality index × 5,000,000 + person_no``, its multiplier and offset derived from the seed, then
  the check digit. Distinct inputs give distinct numbers, within a municipality and across municipalities for the
  same seed, with no bookkeeping.

Household composition (see ``tables.py`` for the sources): family type by the 2020 census shares, then ages by
the national age pyramid restricted to what the role allows, children 20–42 years younger than each parent.
Married couples are of opposite sex (Japanese law knows no same-sex marriage and the 続柄 妻/夫 follows it);
a small share of two-adult households are same-sex partners recorded as 同居人, the usual municipal practice.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from functools import cache
from typing import Protocol

import numpy as np

from kiban.platform.tenants.catalog import Municipality, MunicipalityKind, lookup, municipalities
from kiban.platform.tenants.codes import InvalidLocalGovernmentCode

from . import names, tables
from .model import FEMALE, HOUSEHOLDER, MALE, SyntheticHousehold, SyntheticPerson
from .places import Place, all_places, places_of

BLOCK = 512
NUMBER_CHUNK = 4096
MAX_RESIDENTS = 5_000_000  # per municipality: keeps person numbers apart in the 住民票コード space (Yokohama: 3.8 M)
_KANJI_DIGITS = "〇一二三四五六七八九"
_BUILDING_PREFIXES = ("コーポ", "メゾン", "ハイツ", "パークハウス", "グランド", "レジデンス", "サンハイム")
_BUILDING_SUFFIXES = ("", "ハイツ", "マンション", "コート", "ヒルズ", "荘")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SAME_SEX_PARTNER_SHARE = 0.003  # of couple households (approximate)
FOREIGN_HOUSEHOLD_SHARE = 0.031  # of households: gives about 2.7% of persons, foreign households being smaller

# A draft member before numbering: (relationship, age, sex, family pair, given pair, status, nationality)
_Draft = tuple[str, int, str, tuple[str, str], tuple[str, str], str | None, str | None]


class _PersonMaker(Protocol):
    """The local ``person`` helper: relationship, age, sex and optional surname to a draft."""

    def __call__(self, relationship: str, age: int, sex: str, surname: tuple[str, str] = ..., /) -> _Draft: ...


class AgeSampler:
    """Draw (age, sex) from the national pyramid restricted to ages lo..hi, reweighted by age bands."""

    __slots__ = ("_cells", "_cumulative", "_total")

    def __init__(self, lo: int, hi: int, sexes: str = MALE + FEMALE, bands: Sequence[tuple[int, float]] = ()):
        male, female = tables.single_year_weights()
        cells: list[tuple[int, str]] = []
        weights: list[float] = []
        for age in range(lo, min(hi, tables.MAX_AGE) + 1):
            factor = 1.0
            for band_from, band_factor in bands:  # bands: (from age, factor) in increasing order
                if age >= band_from:
                    factor = band_factor
            for sex, table in ((MALE, male), (FEMALE, female)):
                if sex in sexes:
                    cells.append((age, sex))
                    weights.append(table[age] * factor)
        cumulative: list[float] = []
        running = 0.0
        for weight in weights:
            running += weight
            cumulative.append(running)
        self._cells = cells
        self._cumulative = cumulative
        self._total = running

    def draw(self, rng: random.Random) -> tuple[int, str]:
        return self._cells[min(bisect(self._cumulative, rng.random() * self._total), len(self._cells) - 1)]


@cache
def _samplers() -> dict[str, AgeSampler]:
    # The band factors shape each role's ages (single young adults and old people living alone, older couples
    # without children); they were tuned so that the whole population's age groups come out within about one
    # point of the pyramid (see docs/migration/synthetic.md).
    return {
        "single": AgeSampler(18, 104, bands=((18, 1.1), (25, 0.9), (35, 0.4), (60, 0.9), (70, 1.6), (80, 2.0))),
        # Tokyo's special wards: people living alone are mostly young workers and students.
        "single_urban": AgeSampler(18, 104, bands=((18, 1.5), (35, 0.6), (60, 0.8), (70, 1.1), (80, 1.3))),
        "husband": AgeSampler(22, 100, MALE, bands=((22, 0.15), (35, 0.2), (55, 0.9), (65, 1.8), (75, 2.2), (85, 2.0))),
        "mother": AgeSampler(24, 70, FEMALE, bands=((24, 0.4), (30, 0.8), (40, 1.2), (50, 1.0), (60, 0.6))),
        "lone_parent": AgeSampler(24, 90, bands=((24, 1.0), (50, 1.0), (65, 0.8))),
        "middle_head": AgeSampler(35, 60, MALE),
        "old_head": AgeSampler(62, 95),
        "lodger": AgeSampler(20, 70),
    }


def _cumulative(weights: Sequence[float]) -> tuple[float, ...]:
    out: list[float] = []
    running = 0.0
    for weight in weights:
        running += weight
        out.append(running)
    return tuple(out)


def _pick(rng: random.Random, cumulative: Sequence[float]) -> int:
    return min(bisect(cumulative, rng.random() * cumulative[-1]), len(cumulative) - 1)


def _pick_pair(rng: random.Random, pool: names.WeightedPairs) -> tuple[str, str]:
    return pool.pairs[min(bisect(pool.cumulative, rng.random() * pool.total), len(pool.pairs) - 1)]


def _given(rng: random.Random, pools: names.NamePools, sex: str) -> tuple[str, str]:
    return _pick_pair(rng, pools.male if sex == MALE else pools.female)


def _other(sex: str) -> str:
    return FEMALE if sex == MALE else MALE


def _spouse_age(rng: random.Random, husband_age: int) -> int:
    return max(18, min(tables.MAX_AGE, husband_age - max(-4, min(8, round(rng.gauss(2.0, 3.0))))))


def _children(rng: random.Random, count: int, parent_ages: Sequence[int]) -> list[int]:
    """Ages of ``count`` children: each 20–42 years younger than every parent, eldest first."""
    hi = min(parent_ages) - 20
    lo = max(0, max(parent_ages) - 42)
    if hi < lo:
        return []
    ages = [_age_between(rng, lo, hi)]
    for _ in range(count - 1):
        ages.append(max(lo, ages[-1] - _between(rng, 1, 4)))
    return ages


def _seed_state(*parts: int) -> int:
    state = np.random.SeedSequence(parts).generate_state(2, dtype=np.uint64)
    return int(state[0]) << 64 | int(state[1])


class _Numbers:
    """住民票コード and 個人番号 from person numbers: seeded affine bijections plus the check digits.

    Made in chunks of ``NUMBER_CHUNK`` person numbers with the check digits computed by numpy: the formulas of
    ``kiban.standard.numbers`` (modulus 11, weights 2–7 from the right; remainder 0 or 1 gives 0), vectorized.
    The tests check every generated number against ``make_resident_code`` and ``validate_individual_number``.
    """

    def __init__(self, municipality_index: int, seed: int):
        state = np.random.SeedSequence((seed, 0x4E554D)).generate_state(4, dtype=np.uint64)
        self._offset = municipality_index * MAX_RESIDENTS
        self._a10 = _unit(int(state[0]) % 10**10)
        self._b10 = int(state[1]) % 10**10
        self._a11 = _unit(int(state[2]) % 10**11)
        self._b11 = int(state[3]) % 10**11
        self._chunk = -1
        self._resident_codes: list[str] = []
        self._individual_numbers: list[str] = []

    def resident_code(self, person_no: int) -> str:
        self._load(person_no)
        return self._resident_codes[(person_no - 1) % NUMBER_CHUNK]

    def individual_number(self, person_no: int) -> str:
        self._load(person_no)
        return self._individual_numbers[(person_no - 1) % NUMBER_CHUNK]

    def _load(self, person_no: int) -> None:
        chunk = (person_no - 1) // NUMBER_CHUNK
        if chunk == self._chunk:
            return
        inputs = range(self._offset + chunk * NUMBER_CHUNK + 1, self._offset + (chunk + 1) * NUMBER_CHUNK + 1)
        tens = [(self._a10 * n + self._b10) % 10**10 for n in inputs]
        elevens = [(self._a11 * n + self._b11) % 10**11 for n in inputs]
        self._resident_codes = [f"{x:010d}{c}" for x, c in zip(tens, _check_digits(tens, 10), strict=True)]
        self._individual_numbers = [f"{x:011d}{c}" for x, c in zip(elevens, _check_digits(elevens, 11), strict=True)]
        self._chunk = chunk


def _check_digits(values: list[int], width: int) -> list[int]:
    """Modulus-11 check digits with weights 2,3,4,5,6,7,2,… from the rightmost digit (0 when the remainder ≤ 1)."""
    array = np.array(values, dtype=np.int64)
    total = np.zeros(len(values), dtype=np.int64)
    for position in range(width):  # position 0 is the rightmost digit
        total += (array // 10**position % 10) * (2 + position % 6)
    remainder = total % 11
    digits: list[int] = np.where(remainder <= 1, 0, 11 - remainder).tolist()
    return digits


def _unit(value: int) -> int:
    """A multiplier invertible modulo a power of ten: odd and not a multiple of 5."""
    value |= 1
    return value + 2 if value % 5 == 0 else value


def resolve(municipality_code: str) -> Municipality:
    """The catalog entry, or ``ValueError`` saying why the code is not a municipality."""
    try:
        return lookup(municipality_code)
    except (LookupError, InvalidLocalGovernmentCode, ValueError) as error:
        raise ValueError(f"unknown municipality code {municipality_code!r}: {error}") from None


class _Generator:
    def __init__(self, municipality: Municipality, residents: int, seed: int, base_date: date):
        self.municipality = municipality
        self.residents = residents
        self.seed = seed
        self.base = base_date
        self.code = int(municipality.code)
        self.places = places_of(municipality)
        self.elsewhere = all_places()
        self.numbers = _Numbers(sorted(municipalities()).index(municipality.code), seed)
        self.japanese = names.japanese()
        self.samplers = _samplers()
        urban = municipality.kind is MunicipalityKind.SPECIAL_WARD
        self.single_sampler = self.samplers["single_urban" if urban else "single"]
        single_share = (
            tables.SINGLE_SHARE_SPECIAL_WARDS
            if municipality.kind is MunicipalityKind.SPECIAL_WARD
            else tables.HOUSEHOLD_TYPES[0][1]
        )
        others = sum(share for _, share in tables.HOUSEHOLD_TYPES[1:])
        self.type_names = [name for name, _ in tables.HOUSEHOLD_TYPES]
        self.type_cumulative = _cumulative(
            [single_share] + [share * (100 - single_share) / others for _, share in tables.HOUSEHOLD_TYPES[1:]]
        )
        self.couple_children = _cumulative([w for _, w in tables.CHILDREN_OF_COUPLE])
        self.lone_children = _cumulative([w for _, w in tables.CHILDREN_OF_LONE_PARENT])
        self.nationalities = _cumulative([w for _, w in tables.NATIONALITIES])
        self.statuses = {
            nationality: _cumulative([w for _, w in statuses])
            for nationality, statuses in tables.STATUSES_BY_NATIONALITY.items()
        }
        base_ordinal = base_date.toordinal()
        self.base_ordinal = base_ordinal
        # Birth dates for age a at base_date lie in (base − (a+1) years, base − a years]; nobody is born on the
        # base date itself, so every event of the history lies before it.
        self.birth_window = [
            (
                _years_before(base_date, age + 1).toordinal() + 1,
                min(_years_before(base_date, age).toordinal(), base_ordinal - 1),
            )
            for age in range(tables.MAX_AGE + 1)
        ]

    # -- households ---------------------------------------------------------------------------------------------

    def __iter__(self) -> Iterator[SyntheticHousehold]:
        remaining = self.residents
        household_no = 0
        person_no = 0
        block = 0
        while remaining > 0:
            rng = random.Random(_seed_state(self.seed, self.code, block))  # noqa: S311 (synthetic data, not secrets)
            for _ in range(BLOCK):
                if remaining <= 0:
                    break
                household_no += 1
                drafts = self._drafts(rng)[:remaining]
                household = self._household(rng, household_no, person_no, drafts)
                person_no += len(drafts)
                remaining -= len(drafts)
                yield household
            block += 1

    def _drafts(self, rng: random.Random) -> list[_Draft]:
        if rng.random() < FOREIGN_HOUSEHOLD_SHARE:
            return self._foreign_drafts(rng)
        kind = self.type_names[_pick(rng, self.type_cumulative)]
        pools = self.japanese
        family = _pick_pair(rng, pools.family)
        s = self.samplers

        def person(relationship: str, age: int, sex: str, surname: tuple[str, str] = family) -> _Draft:
            return (relationship, age, sex, surname, _given(rng, pools, sex), None, None)

        if kind == "single":
            age, sex = self.single_sampler.draw(rng)
            return [person(HOUSEHOLDER, age, sex)]
        if kind in ("couple", "with_lodger"):
            husband, _ = s["husband"].draw(rng)
            wife = _spouse_age(rng, husband)
            if kind == "couple" and rng.random() < SAME_SEX_PARTNER_SHARE:
                sex = MALE if rng.random() < 0.5 else FEMALE
                other = _pick_pair(rng, pools.family)
                return [person(HOUSEHOLDER, husband, sex), person("同居人", wife, sex, other)]
            drafts = self._couple(rng, person, husband, wife)
            if kind == "with_lodger":
                age, sex = s["lodger"].draw(rng)
                drafts.append(person("同居人", age, sex, _pick_pair(rng, pools.family)))
            return drafts
        if kind == "couple_children":
            mother, _ = s["mother"].draw(rng)
            father = max(20, min(tables.MAX_AGE, mother + max(-4, min(8, round(rng.gauss(2.0, 3.0))))))
            drafts = self._couple(rng, person, father, mother)
            count = tables.CHILDREN_OF_COUPLE[_pick(rng, self.couple_children)][0]
            drafts += [person("子", age, _sex(rng)) for age in _children(rng, count, (father, mother))]
            return drafts
        if kind == "lone_parent":
            age, _ = s["lone_parent"].draw(rng)
            sex = MALE if rng.random() < tables.LONE_FATHER_SHARE else FEMALE
            count = tables.CHILDREN_OF_LONE_PARENT[_pick(rng, self.lone_children)][0]
            drafts = [person(HOUSEHOLDER, age, sex)]
            drafts += [person("子", child, _sex(rng)) for child in _children(rng, count, (age,))]
            return drafts
        return self._three_generations(rng, person)

    @staticmethod
    def _couple(rng: random.Random, person: _PersonMaker, husband: int, wife: int) -> list[_Draft]:
        if rng.random() < 0.05:  # the wife is the householder in a few couples
            return [person(HOUSEHOLDER, wife, FEMALE), person("夫", husband, MALE)]
        return [person(HOUSEHOLDER, husband, MALE), person("妻", wife, FEMALE)]

    def _three_generations(self, rng: random.Random, person: _PersonMaker) -> list[_Draft]:
        s = self.samplers
        if rng.random() < 0.5:
            # A couple in mid-life with their children and the householder's parent(s).
            head, _ = s["middle_head"].draw(rng)
            wife = _spouse_age(rng, head)
            drafts = [person(HOUSEHOLDER, head, MALE), person("妻", wife, FEMALE)]
            count = 1 + _pick(rng, (45.0, 85.0, 100.0))
            drafts += [person("子", age, _sex(rng)) for age in _children(rng, count, (head, wife))]
            parents = rng.random()
            father = min(tables.MAX_AGE, head + _between(rng, 24, 40))
            mother = max(head + 20, min(tables.MAX_AGE, father - _between(rng, 0, 5)))
            if parents < 0.55:
                drafts.append(person("父", father, MALE))
            if parents > 0.15:
                drafts.append(person("母", min(tables.MAX_AGE, mother), FEMALE))
            return drafts
        # An older householder with a married son, his wife and their children.
        head, sex = s["old_head"].draw(rng)
        drafts = [person(HOUSEHOLDER, head, sex)]
        if rng.random() < 0.5:
            if sex == MALE:
                drafts.append(person("妻", _spouse_age(rng, head), FEMALE))
            else:
                drafts.append(person("夫", min(tables.MAX_AGE, head + _between(rng, 0, 5)), MALE))
        parent_ages = [d[1] for d in drafts]
        son = max(parent_ages) - _between(rng, 24, 40)
        son = min(son, min(parent_ages) - 20)
        drafts.append(person("子", son, MALE))
        generation = [son]
        if rng.random() < 0.75:
            daughter_in_law = _spouse_age(rng, son)
            drafts.append(person("子の妻", daughter_in_law, FEMALE, _pick_pair(rng, self.japanese.family)))
            generation.append(daughter_in_law)
        count = 1 + _pick(rng, (50.0, 90.0, 100.0))
        drafts += [person("孫", age, _sex(rng)) for age in _children(rng, count, generation)]
        return drafts

    def _foreign_drafts(self, rng: random.Random) -> list[_Draft]:
        nationality = tables.NATIONALITIES[_pick(rng, self.nationalities)][0]
        statuses = tables.STATUSES_BY_NATIONALITY[nationality]
        status = statuses[_pick(rng, self.statuses[nationality])][0]
        pools = names.foreign(nationality)
        lo, hi = tables.STATUS_AGES[status]

        def person(relationship: str, age: int, sex: str, member_status: str = status) -> _Draft:
            return (
                relationship,
                age,
                sex,
                _pick_pair(rng, pools.family),
                _given(rng, pools, sex),
                member_status,
                nationality,
            )

        if status in tables.WORKER_STATUSES:  # alone, or sharing with compatriots of the same status
            size = 1 if rng.random() < 0.65 else _between(rng, 2, 4)
            sex = _sex(rng)
            return [person(HOUSEHOLDER if i == 0 else "同居人", _between(rng, lo, hi), sex) for i in range(size)]
        head_status = "技術・人文知識・国際業務" if status == "家族滞在" else status
        family_status = {"永住者": "永住者", "特別永住者": "特別永住者", "定住者": "定住者"}.get(
            head_status, "家族滞在"
        )
        head_age = _between(rng, max(lo, 24), hi)
        shape = rng.random()
        if head_status == "日本人の配偶者等" or shape < 0.4:
            return [person(HOUSEHOLDER, head_age, _sex(rng), head_status)]
        surname = _pick_pair(rng, pools.family)
        wife = _spouse_age(rng, head_age)
        drafts: list[_Draft] = [
            (HOUSEHOLDER, head_age, MALE, surname, _given(rng, pools, MALE), head_status, nationality),
            ("妻", wife, FEMALE, surname, _given(rng, pools, FEMALE), family_status, nationality),
        ]
        if shape > 0.65:
            for age in _children(rng, 1 + _pick(rng, (50.0, 90.0, 100.0)), (head_age, wife)):
                sex = _sex(rng)
                drafts.append(("子", age, sex, surname, _given(rng, pools, sex), family_status, nationality))
        return drafts

    # -- records ------------------------------------------------------------------------------------------------

    def _household(
        self, rng: random.Random, household_no: int, first_no: int, drafts: list[_Draft]
    ) -> SyntheticHousehold:
        place = self.places[int(rng.random() * len(self.places))]
        district, street = _street(rng, place)
        address = f"{place.prefecture}{place.city}{street}"
        building = None
        if rng.random() < (0.75 if len(drafts) == 1 else 0.4):
            building = _building(rng, place)
        head_age = drafts[0][1]
        # When the household came to this address: more recently for the young.
        years_here = min(max(head_age - 18, 0) + rng.random(), rng.expovariate(1.0 / max(1.0, (head_age - 18) * 0.4)))
        moved_in_ordinal = self.base_ordinal - 1 - int(years_here * 365.25)
        foreign = drafts[0][5] is not None
        from_elsewhere = foreign or rng.random() < 0.6  # 転入 from another municipality, else 転居 within it
        if from_elsewhere and not foreign:
            previous = _address_elsewhere(rng, self.elsewhere)
        elif foreign:
            previous = None  # arrived from abroad (前住所 is the country, not a Japanese address)
        else:
            previous = (
                f"{place.prefecture}{place.city}{_street(rng, self.places[int(rng.random() * len(self.places))])[1]}"
            )
        domicile = None
        if not foreign:
            domicile = (
                f"{place.prefecture}{place.city}{street.split('番')[0]}番地"
                if rng.random() < 0.35
                else _address_elsewhere(rng, self.elsewhere, domicile=True)
            )
        members = tuple(
            self._person(rng, first_no + i + 1, draft, drafts, moved_in_ordinal, from_elsewhere, previous, domicile)
            for i, draft in enumerate(drafts)
        )
        return SyntheticHousehold(household_no, place.postal_code, address, district, building, members)

    def _person(
        self,
        rng: random.Random,
        person_no: int,
        draft: _Draft,
        drafts: list[_Draft],
        moved_in_ordinal: int,
        from_elsewhere: bool,
        previous: str | None,
        domicile: str | None,
    ) -> SyntheticPerson:
        relationship, age, sex, (family, family_kana), (given, given_kana), status, nationality = draft
        lo, hi = self.birth_window[age]
        birth_ordinal = lo + int(rng.random() * (hi - lo + 1))
        birth = date.fromordinal(birth_ordinal)
        if birth_ordinal >= moved_in_ordinal:  # born at this address
            became = moved_in = birth
            previous = None
        else:
            moved_in = date.fromordinal(moved_in_ordinal)
            if from_elsewhere:
                became = moved_in
            elif rng.random() < 0.4:
                became = birth
            else:
                became = date.fromordinal(birth_ordinal + int(rng.random() * (moved_in_ordinal - birth_ordinal)))
        residence_status = card = alias = None
        period_until = None
        domicile_head = None
        if status is not None:
            residence_status = status
            if status not in tables.PERMANENT_STATUSES:
                period_until = self.base + timedelta(days=_between(rng, 30, 1800))
            card = "".join(
                (
                    _LETTERS[int(rng.random() * 26)],
                    _LETTERS[int(rng.random() * 26)],
                    f"{int(rng.random() * 10**8):08d}",
                    _LETTERS[int(rng.random() * 26)],
                    _LETTERS[int(rng.random() * 26)],
                )
            )
            if rng.random() < tables.ALIAS_SHARE.get(status, 0.0):
                alias_family = _pick_pair(rng, self.japanese.family)[0]
                alias = f"{alias_family}\u3000{_given(rng, self.japanese, sex)[0]}"
        else:
            domicile_head = self._domicile_head(rng, draft, drafts)
            if relationship in ("父", "母", "子の妻", "同居人") or (relationship == "孫"):
                domicile = _address_elsewhere(rng, self.elsewhere, domicile=True) if relationship != "孫" else domicile
        return SyntheticPerson(
            person_no,
            family,
            given,
            family_kana,
            given_kana,
            birth,
            sex,
            relationship,
            status is not None,
            nationality,
            residence_status,
            period_until,
            card,
            alias,
            self.numbers.resident_code(person_no),
            self.numbers.individual_number(person_no),
            became,
            moved_in,
            previous,
            domicile,
            domicile_head,
        )

    def _domicile_head(self, rng: random.Random, draft: _Draft, drafts: list[_Draft]) -> str:
        """筆頭者: the husband for a married couple and their children, the son for his own family."""
        relationship = draft[0]
        head = drafts[0]
        husband = next((d for d in drafts[:2] if d[0] in (HOUSEHOLDER, "夫") and d[2] == MALE), None)
        if relationship in ("子の妻", "孫"):
            son = next((d for d in drafts if d[0] == "子" and d[2] == MALE), None)
            if son is not None:
                return f"{son[3][0]}\u3000{son[4][0]}"
        if (
            relationship in ("世帯主", "妻", "夫", "子")
            and husband is not None
            and len(drafts) > 1
            and (drafts[1][0] in ("妻", "夫"))
        ):
            return f"{husband[3][0]}\u3000{husband[4][0]}"
        if relationship == "子" and head[2] == MALE:
            return f"{head[3][0]}\u3000{head[4][0]}"
        if relationship == "母" and any(d[0] == "父" for d in drafts):
            father = next(d for d in drafts if d[0] == "父")
            return f"{father[3][0]}\u3000{father[4][0]}"
        if relationship in (HOUSEHOLDER, "父", "母") and draft[1] >= 30:
            return f"{draft[3][0]}\u3000{draft[4][0]}"
        # Someone still in their parents' register: a father's name with the same surname.
        return f"{draft[3][0]}\u3000{_given(rng, self.japanese, MALE)[0]}"


def _between(rng: random.Random, lo: int, hi: int) -> int:
    """An integer in lo..hi inclusive (``randint`` without its argument checks, which cost more than the draw)."""
    return lo + int(rng.random() * (hi - lo + 1))


@cache
def _all_ages_cumulative() -> tuple[float, ...]:
    male, female = tables.single_year_weights()
    return _cumulative([m + f for m, f in zip(male, female, strict=True)])


def _age_between(rng: random.Random, lo: int, hi: int) -> int:
    """An age in lo..hi drawn by the pyramid's weights (so there are fewer toddlers than teenagers, as now)."""
    cumulative = _all_ages_cumulative()
    below = cumulative[lo - 1] if lo > 0 else 0.0
    age = bisect(cumulative, below + rng.random() * (cumulative[hi] - below))
    return max(lo, min(hi, age))


def _sex(rng: random.Random) -> str:
    return MALE if rng.random() < 0.512 else FEMALE  # about 105 boys per 100 girls at birth


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _kanji_number(n: int) -> str:
    return _KANJI_DIGITS[n] if n < 10 else ("十" if n == 10 else f"十{_KANJI_DIGITS[n - 10]}")


def _street(rng: random.Random, place: Place) -> tuple[str, str]:
    """(district, district + 番地): 「九段南一丁目」, 「九段南一丁目2番1号」 or 「大字X123番地4」."""
    if place.has_chome:
        district = f"{place.town}{_kanji_number(_between(rng, 1, 4))}丁目"
        return district, f"{district}{_between(rng, 1, 30)}番{_between(rng, 1, 25)}号"
    district = place.town
    number = _between(rng, 1, 2000)
    if rng.random() < 0.5:
        return district, f"{district}{number}番地"
    return district, f"{district}{number}番地{_between(rng, 1, 30)}"


def _building(rng: random.Random, place: Place) -> str:
    stem = place.town[:3] if place.town else place.city[-3:-1]
    prefix = _BUILDING_PREFIXES[int(rng.random() * len(_BUILDING_PREFIXES))]
    suffix = _BUILDING_SUFFIXES[int(rng.random() * len(_BUILDING_SUFFIXES))]
    return f"{prefix}{stem}{suffix}{_between(rng, 1, 9)}{_between(rng, 1, 12):02d}号室"


def _address_elsewhere(rng: random.Random, places: Sequence[Place], domicile: bool = False) -> str:
    place = places[int(rng.random() * len(places))]
    if domicile:  # 本籍 is written with 番地 only
        return f"{place.prefecture}{place.city}{place.town}{_between(rng, 1, 3000)}番地"
    return f"{place.prefecture}{place.city}{_street(rng, place)[1]}"


def generate(
    municipality_code: str, residents: int, seed: int, base_date: date = date(2026, 1, 1)
) -> Iterator[SyntheticHousehold]:
    """Households of ``municipality_code`` with exactly ``residents`` persons, the same for the same arguments.

    Raises ``ValueError`` at the call (not at the first ``next``) for an unknown municipality, a number of
    residents outside 1..5,000,000 or a negative seed.
    """
    municipality = resolve(municipality_code)
    if not isinstance(residents, int) or residents < 1:
        raise ValueError(f"residents must be a positive integer, got {residents!r}")
    if residents > MAX_RESIDENTS:
        raise ValueError(f"residents must be at most {MAX_RESIDENTS:,} per municipality, got {residents:,}")
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return iter(_Generator(municipality, residents, seed, base_date))


def municipality_sizes(prefecture: str, scale: float = 1.0) -> list[tuple[str, int]]:
    """(code, residents) for every municipality of ``prefecture`` (2-digit code like "13", or its name like
    "東京都"), sized to the catalog's population × ``scale``, at least 1 each; scale 1 reproduces the catalog."""
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale!r}")
    key = prefecture.strip()
    if key.isdigit() and len(key) == 1:
        key = "0" + key
    rows = [m for m in municipalities().values() if key in (m.prefecture_code, m.prefecture)]
    if not rows:
        raise ValueError(f"unknown prefecture {prefecture!r}: give a code 01–47 or a name like 東京都")
    return [(m.code, max(1, round(m.population * scale))) for m in sorted(rows, key=lambda m: m.code)]
