"""児童手当 (child allowance): who is paid how much for which month, and which months a payment covers.

Pure computation: no Django, no database. Parameters (amounts, ages, limits, payment months) come from
``params/child_allowance.yaml`` through :mod:`kiban.platform.rules`; a month is always computed with the
parameters in force on its first day, so months before 2024-10 follow the old rules and months from
2024-10 the amended ones (令和6年法律第47号, 施行 2024-10-01).

Two implementations of the same rules, kept side by side on purpose:

- :func:`monthly_amounts`, vectorised over numpy arrays (one row per child), for whole cities;
- :func:`family_monthly_amounts`, a plain loop over one family's children, written to read like the law.

A property test checks that they agree. The legal points each relies on:

- **Age** is reached at the end of the day before the birthday (年齢計算ニ関スル法律, 民法 143条), so a child
  born on 1 April reaches 18 on 31 March and finishes 高校生年代 a year earlier than one born on 2 April
  (the same line 学校教育法 17条 draws for school years). "X歳に達する日以後の最初の3月31日" is
  :func:`school_year_end`.
- **Under 3** (児童手当法 6条1項1号イ, with its bracket for children born on the 1st of a month): the
  under-3 amount is paid up to and including the month of the third birthday, the lower amount from the
  month after — for every child, including those born on the 1st (浜松市 FAQ "3歳の誕生日を迎える児童の
  手当月額", https://www.hamamatsu-pippi.net/sodan/faq/docs/2014031200320/).
- **Rank** (第1子, 第2子, 第3子以降) counts, oldest first, the children paid for plus older children still
  within the counting age whom the recipient supports (``supported``): to the school year of 18 before
  2024-10, of 22 from 2024-10. Twins born the same day are ranked in input order (the family total is the same).
- **Months**: payment for a child starts the month after recognition (認定請求の翌月, 児童手当法 8条2項;
  :func:`first_payable_month`) and a child born during a month is paid from the next month, so
  :func:`monthly_amounts` pays nothing for the month of birth. It ends with the month in which the reason
  ceased (事由消滅月, 8条2項; :func:`last_payable_month`).
- **Income** (before 2024-10 only): ``income`` is the 所得額 as computed for 児童手当 (after the deductions of
  児童手当法施行令 3条, 4条), compared with the limits for the number of 扶養親族等 (施行令 1条): at or above
  the 所得制限限度額 only the 特例給付 of 5,000 yen is paid, and from June 2022 at or above the 所得上限限度額
  nothing. The +60,000 yen per 老人控除対象配偶者/老人扶養親族 in the limits is not modelled.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from kiban.platform.rules import ParameterSet, RuleSet, load_parameters

__all__ = [
    "PARAMETERS_FILE",
    "Child",
    "base_rules",
    "family_monthly_amounts",
    "first_payable_month",
    "is_payable",
    "last_payable_month",
    "month_start",
    "monthly_amounts",
    "months_paid_on",
    "payment_month_for",
    "reaches_age_on",
    "school_year_end",
]

PARAMETERS_FILE = Path(__file__).with_name("params") / "child_allowance.yaml"

REQUIRED_PARAMETERS = (
    "paid_until_school_year_of_age",
    "counted_until_school_year_of_age",
    "primary_school_end_age",
    "amount_under_3",
    "amount_under_3_third_or_later",
    "amount_to_primary_end",
    "amount_to_primary_end_third_or_later",
    "amount_after_primary",
    "amount_after_primary_third_or_later",
    "income_limit_applies",
    "income_limit_base",
    "income_limit_per_dependant",
    "upper_limit_applies",
    "upper_limit_base",
    "upper_limit_per_dependant",
    "special_payment_amount",
    "payment_months",
)

# 児童手当法 8条3項: an application within 15 days after a move or birth counts from that month.
APPLICATION_GRACE_DAYS = 15


# --- dates -----------------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    """The first day of ``day``'s month (months are identified by their first day)."""
    return dt.date(day.year, day.month, 1)


def _add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def _anniversary(birth: dt.date, years: int) -> dt.date:
    """The ``years``-th birthday; for 29 February in a common year, 1 March (民法 143条2項 ただし書)."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:  # 29 February
        return dt.date(birth.year + years, 3, 1)


def reaches_age_on(birth: dt.date, age: int) -> dt.date:
    """The day on which a person born on ``birth`` reaches ``age``: the day before the birthday.

    年齢計算ニ関スル法律 1項, 2項 and 民法 143条: age counts from the day of birth and a year ends at the end
    of the day before the anniversary.
    """
    return _anniversary(birth, age) - dt.timedelta(days=1)


def school_year_end(birth: dt.date, age: int) -> dt.date:
    """X歳に達する日以後の最初の3月31日: the end of the school year in which the child reaches ``age``."""
    reached = reaches_age_on(birth, age)
    march_31 = dt.date(reached.year, 3, 31)
    return march_31 if reached <= march_31 else dt.date(reached.year + 1, 3, 31)


def _third_birthday_month(birth: dt.date) -> dt.date:
    """The last month paid at the under-3 amount: the birth month three years on.

    A child born on the 2nd or later reaches 3 on the day before the birthday, in the birthday's month,
    and the lower amount starts the month after (額の改定, 児童手当法 9条). A child born on the 1st reaches
    3 on the last day of the month before, but 6条1項1号イ counts it as under 3 until three years from
    birth have passed (月の初日に生まれた児童については、出生の日から三年を経過しない児童), which is again
    the birthday's month. A child born on 29 February reaches 3 on 28 February.
    """
    return _add_months(month_start(birth), 36)


# --- the base rules ----------------------------------------------------------------------------------


@functools.cache
def base_rules() -> RuleSet:
    """The rules as enacted, from the parameter file shipped with this package (loaded once)."""
    parameters = load_parameters(PARAMETERS_FILE, required=REQUIRED_PARAMETERS)
    return RuleSet("child_allowance", parameters, formulas={"monthly_amounts": _monthly_amounts_formula})


def _payment_months(parameters: ParameterSet, on: dt.date) -> tuple[int, ...]:
    raw = parameters.value_at("payment_months", on)
    return tuple(int(part) for part in str(raw).split(","))


# --- months of entitlement and payment -------------------------------------------------------------------


def first_payable_month(applied_on: dt.date, *, event_on: dt.date | None = None) -> dt.date:
    """The first month paid after an application (認定請求) made on ``applied_on``.

    児童手当法 8条2項: payment starts the month after the month of the application. 8条3項: if the
    application follows a move (or a birth) within 15 days of it, payment starts the month after the event.
    """
    if event_on is not None:
        if applied_on < event_on:
            raise ValueError(f"the application ({applied_on}) cannot precede the event ({event_on})")
        if applied_on <= event_on + dt.timedelta(days=APPLICATION_GRACE_DAYS):
            return _add_months(month_start(event_on), 1)
    return _add_months(month_start(applied_on), 1)


def last_payable_month(ceased_on: dt.date) -> dt.date:
    """The last month paid when the reason for payment ceased on ``ceased_on`` (事由消滅月, 8条2項)."""
    return month_start(ceased_on)


def is_payable(
    month: dt.date, applied_on: dt.date, ceased_on: dt.date | None = None, *, event_on: dt.date | None = None
) -> bool:
    """Whether ``month`` lies between the first payable month and the month the reason ceased."""
    m = month_start(month)
    if m < first_payable_month(applied_on, event_on=event_on):
        return False
    return ceased_on is None or m <= last_payable_month(ceased_on)


def payment_month_for(month: dt.date, *, rules: RuleSet | None = None) -> dt.date:
    """The month in which the allowance for ``month`` is paid (支払期月, 児童手当法 8条4項).

    Each month is paid in the first 支払期月 after it, under the schedule in force for that month: before
    2024-10 February, June and October (four months each), from 2024-10 every even month (two months each).
    So September 2024 is paid in October 2024 and October 2024 in December 2024.
    """
    parameters = (rules or base_rules()).parameters
    m = month_start(month)
    schedule = _payment_months(parameters, m)
    for n in range(1, 13):
        candidate = _add_months(m, n)
        if candidate.month in schedule:
            return candidate
    raise ValueError(f"payment_months {schedule} has no month")  # pragma: no cover - validated data


def months_paid_on(payment_date: dt.date, *, rules: RuleSet | None = None) -> tuple[dt.date, ...]:
    """The months of entitlement a regular payment in ``payment_date``'s month covers, oldest first.

    Raises ValueError if that month is not a 支払期月 (payments outside them, 8条4項 ただし書, are
    arrears or final payments and are not scheduled here).
    """
    rules = rules or base_rules()
    paid_in = month_start(payment_date)
    first = month_start(rules.parameters["payment_months"].first_effective)
    covered = tuple(
        m
        for m in (_add_months(paid_in, -n) for n in range(12, 0, -1))
        if m >= first and payment_month_for(m, rules=rules) == paid_in
    )
    if not covered:
        raise ValueError(f"{paid_in:%Y-%m} is not a payment month (支払期月) of 児童手当")
    return covered


# --- the scalar version: one family, read like the law ----------------------------------------------


@dataclass(frozen=True)
class Child:
    """One child of the family. ``supported``: the recipient supports a child past the paid age
    (監護に相当する世話等をし、その生計費を負担), so it still counts for 第3子以降 until the counting age."""

    birth_date: dt.date
    supported: bool = False


def family_monthly_amounts(
    children: Sequence[Child],
    month: dt.date,
    *,
    income: int | None = None,
    dependants: int = 0,
    rules: RuleSet | None = None,
) -> list[int]:
    """Monthly amount in yen for each child of one family for ``month`` (0 for children not paid).

    ``income`` (所得額, yen) and ``dependants`` (扶養親族等の数) are needed only for months before 2024-10.
    """
    parameters = (rules or base_rules()).parameters
    m = month_start(month)
    _check_family_inputs(income, dependants)
    paid_age = parameters.int_at("paid_until_school_year_of_age", m)
    counted_age = parameters.int_at("counted_until_school_year_of_age", m)
    primary_age = parameters.int_at("primary_school_end_age", m)

    paid: list[bool] = []
    counted: list[bool] = []
    for child in children:
        born_before = month_start(child.birth_date) < m
        is_paid = born_before and m <= month_start(school_year_end(child.birth_date, paid_age))
        in_count_age = born_before and m <= month_start(school_year_end(child.birth_date, counted_age))
        paid.append(is_paid)
        counted.append(is_paid or (child.supported and in_count_age))

    oldest_first = sorted((i for i in range(len(children)) if counted[i]), key=lambda i: (children[i].birth_date, i))
    rank = {i: position for position, i in enumerate(oldest_first, start=1)}

    over_limit = above_upper = False
    if parameters.bool_at("income_limit_applies", m):
        if income is None:
            raise ValueError(f"{m:%Y-%m} is under the income limit rules: the family's income (所得額) is needed")
        limit = (
            parameters.int_at("income_limit_base", m) + parameters.int_at("income_limit_per_dependant", m) * dependants
        )
        over_limit = income >= limit
        if parameters.bool_at("upper_limit_applies", m):
            upper = (
                parameters.int_at("upper_limit_base", m)
                + parameters.int_at("upper_limit_per_dependant", m) * dependants
            )
            above_upper = income >= upper

    amounts: list[int] = []
    for i, child in enumerate(children):
        if not paid[i]:
            amounts.append(0)
            continue
        if over_limit:
            amounts.append(0 if above_upper else parameters.int_at("special_payment_amount", m))
            continue
        third = rank[i] >= 3
        suffix = "_third_or_later" if third else ""
        if m <= _third_birthday_month(child.birth_date):
            band = "amount_under_3"
        elif m <= month_start(school_year_end(child.birth_date, primary_age)):
            band = "amount_to_primary_end"
        else:
            band = "amount_after_primary"
        amounts.append(parameters.int_at(band + suffix, m))
    return amounts


def _check_family_inputs(income: int | None, dependants: int) -> None:
    if income is not None and income < 0:
        raise ValueError(f"income (所得額) cannot be negative: {income}")
    if dependants < 0:
        raise ValueError(f"the number of dependants (扶養親族等の数) cannot be negative: {dependants}")


# --- the vectorised version: whole cities ----------------------------------------------------------------


@dataclass(frozen=True)
class ChildColumns:
    """One row per child. Families are identified by ``family_id``; income and dependants are per family
    (repeated on each child's row) and may be None for months from 2024-10."""

    family_id: npt.NDArray[np.int64]
    birth_date: npt.NDArray[np.datetime64]
    supported: npt.NDArray[np.bool_]
    income: npt.NDArray[np.int64] | None
    dependants: npt.NDArray[np.int64] | None

    @classmethod
    def from_arrays(
        cls,
        family_id: npt.ArrayLike,
        birth_date: npt.ArrayLike,
        supported: npt.ArrayLike | None = None,
        income: npt.ArrayLike | None = None,
        dependants: npt.ArrayLike | None = None,
    ) -> ChildColumns:
        fam = np.asarray(family_id)
        if fam.ndim != 1:
            raise ValueError("family_id must be a one-dimensional array")
        if fam.size and fam.dtype.kind not in "iu":
            raise ValueError(f"family_id must be integers, got dtype {fam.dtype}")
        n = fam.shape[0]
        births = np.asarray(birth_date, dtype="datetime64[D]")
        sup = np.zeros(n, dtype=bool) if supported is None else np.asarray(supported, dtype=bool)
        inc = None if income is None else np.asarray(income)
        deps = None if dependants is None else np.asarray(dependants)
        for name, arr in (("birth_date", births), ("supported", sup), ("income", inc), ("dependants", deps)):
            if arr is not None and arr.shape != (n,):
                raise ValueError(f"{name} has shape {arr.shape}, expected ({n},) like family_id")
        if np.isnat(births).any():
            raise ValueError("birth_date has missing values (NaT)")
        for name, arr in (("income", inc), ("dependants", deps)):
            if arr is not None and arr.size:
                if arr.dtype.kind not in "iu":
                    raise ValueError(f"{name} must be integer yen/counts (int64), got dtype {arr.dtype}")
                if int(arr.min()) < 0:
                    raise ValueError(f"{name} cannot be negative")
        return cls(
            fam.astype(np.int64, copy=False),
            births,
            sup,
            None if inc is None else inc.astype(np.int64, copy=False),
            None if deps is None else deps.astype(np.int64, copy=False),
        )


def monthly_amounts(
    family_id: npt.ArrayLike,
    birth_date: npt.ArrayLike,
    month: dt.date,
    *,
    supported: npt.ArrayLike | None = None,
    income: npt.ArrayLike | None = None,
    dependants: npt.ArrayLike | None = None,
    rules: RuleSet | None = None,
) -> npt.NDArray[np.int64]:
    """Monthly amount in yen (int64) per child for ``month``, over arrays with one row per child.

    ``income`` and ``dependants`` (per child row, the family's values) are required for months under the
    income limit (before 2024-10). Pass ``rules`` to run a reform instead of the base rules.
    """
    rules = rules or base_rules()
    columns = ChildColumns.from_arrays(family_id, birth_date, supported, income, dependants)
    result: npt.NDArray[np.int64] = rules.formula("monthly_amounts")(columns, month_start(month), rules.parameters)
    return result


def _month_index(day: dt.date) -> int:
    """Months since January 1970 (numpy's datetime64[M] origin)."""
    return (day.year - 1970) * 12 + day.month - 1


def _monthly_amounts_formula(c: ChildColumns, m: dt.date, p: ParameterSet) -> npt.NDArray[np.int64]:
    n = c.family_id.shape[0]
    month = _month_index(m)
    births = c.birth_date
    birth_month = births.astype("datetime64[M]").astype(np.int64)
    calendar_month = birth_month % 12 + 1
    day = (births - births.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    # The school-year cohort: born 2 April of year Y to 1 April of Y+1 -> cohort Y. The school year in which
    # a child reaches age a then ends on 31 March of cohort + a + 1 (see school_year_end for the law).
    year = births.astype("datetime64[Y]").astype(np.int64) + 1970
    cohort = year - ((calendar_month < 4) | ((calendar_month == 4) & (day == 1)))

    def end_of_school_year(age: int) -> npt.NDArray[np.int64]:
        return (cohort + age + 1 - 1970) * 12 + 2  # March

    born_before = birth_month < month
    paid = born_before & (month <= end_of_school_year(p.int_at("paid_until_school_year_of_age", m)))
    in_count_age = born_before & (month <= end_of_school_year(p.int_at("counted_until_school_year_of_age", m)))
    counted = paid | (c.supported & in_count_age)

    # Rank among counted children of the same family, oldest first (ties in input order).
    rank = np.zeros(n, dtype=np.int64)
    idx = np.flatnonzero(counted)
    if idx.size:
        order = idx[np.lexsort((idx, births[idx].astype(np.int64), c.family_id[idx]))]
        fam = c.family_id[order]
        positions = np.arange(order.size, dtype=np.int64)
        starts = np.r_[True, fam[1:] != fam[:-1]]
        group_start = np.maximum.accumulate(np.where(starts, positions, 0))
        rank[order] = positions - group_start + 1
    third = rank >= 3

    def pick(band: str) -> npt.NDArray[np.int64]:
        return np.where(third, p.int_at(band + "_third_or_later", m), p.int_at(band, m)).astype(np.int64)

    under_3 = month <= birth_month + 36
    to_primary_end = month <= end_of_school_year(p.int_at("primary_school_end_age", m))
    amount = np.where(
        under_3,
        pick("amount_under_3"),
        np.where(to_primary_end, pick("amount_to_primary_end"), pick("amount_after_primary")),
    )

    if p.bool_at("income_limit_applies", m):
        if c.income is None or c.dependants is None:
            raise ValueError(f"{m:%Y-%m} is under the income limit rules: income and dependants are needed")
        limit = p.int_at("income_limit_base", m) + p.int_at("income_limit_per_dependant", m) * c.dependants
        over = c.income >= limit
        special = np.full(n, p.int_at("special_payment_amount", m), dtype=np.int64)
        if p.bool_at("upper_limit_applies", m):
            upper = p.int_at("upper_limit_base", m) + p.int_at("upper_limit_per_dependant", m) * c.dependants
            special = np.where(c.income >= upper, 0, special)
        amount = np.where(over, special, amount)

    result: npt.NDArray[np.int64] = np.where(paid, amount, 0).astype(np.int64)
    return result
