"""児童手当 rules: worked examples published by municipalities, the October 2024 transition, birthdays,
payment months, errors, and agreement of the vectorised and scalar versions. Pure: no database.

Where a source gives ages or school grades rather than dates, the birth dates below are chosen to give
those ages or grades in the month computed; each test names its source.
"""

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiban.apps.child_allowance.rules import (
    Child,
    base_rules,
    family_monthly_amounts,
    first_payable_month,
    is_payable,
    last_payable_month,
    monthly_amounts,
    months_paid_on,
    payment_month_for,
    reaches_age_on,
    school_year_end,
)
from kiban.platform.rules import ParameterNotInForce, Reform

D = dt.date
JAN_2025 = D(2025, 1, 1)  # a month under the amended law
JAN_2024 = D(2024, 1, 1)  # a month under the earlier law

# Children by school stage in the school year April 2024 – March 2025 (JAN_2025):
HIGH_SCHOOL = Child(D(2008, 5, 10))  # 高校1年
JUNIOR_HIGH = Child(D(2011, 5, 10))  # 中学1年
PRIMARY = Child(D(2014, 5, 10))  # 小学4年


def amounts(children, month, **kw):
    """Scalar and vectorised results, checked equal, as a list."""
    scalar = family_monthly_amounts(children, month, **kw)
    n = len(children)
    vector = monthly_amounts(
        np.zeros(n, dtype=np.int64),
        np.array([c.birth_date for c in children], dtype="datetime64[D]"),
        month,
        supported=np.array([c.supported for c in children], dtype=bool),
        income=None if kw.get("income") is None else np.full(n, kw["income"], dtype=np.int64),
        dependants=np.full(n, kw.get("dependants", 0), dtype=np.int64),
    )
    assert vector.dtype == np.int64
    assert vector.tolist() == scalar
    return scalar


# --- worked examples published by municipalities ----------------------------------------------------------


def test_high_school_junior_high_and_primary_child_get_10000_10000_30000():
    """富加町 (岐阜県)「児童手当」令和6年10月(12月支給分)からの制度改正, 改正後の手当月額:
    第1子・第2子 10,000円, 第3子以降 30,000円 (3歳~18歳の年度末). https://www.town.tomika.gifu.jp/docs/564.html"""
    assert amounts([HIGH_SCHOOL, JUNIOR_HIGH, PRIMARY], JAN_2025) == [10000, 10000, 30000]


def test_third_child_under_3_gets_30000():
    """富加町, same table: 3歳未満 第1子・第2子 15,000円, 第3子以降 30,000円.
    https://www.town.tomika.gifu.jp/docs/564.html"""
    family = [Child(D(2020, 6, 15)), Child(D(2022, 8, 1)), Child(D(2023, 9, 20))]  # 4, 2 and 1 years old
    assert amounts(family, JAN_2025) == [10000, 15000, 30000]


def test_supported_university_age_child_makes_the_youngest_the_third():
    """長岡市 FAQ「児童手当の多子加算」: 大学生年代まで (22歳の誕生日後の最初の3月31日まで) の養育している子を
    上から数え, 大学生年代の子は「監護相当・生計費の負担についての確認書」が要る.
    https://qa.city.nagaoka.niigata.jp/faq/show/7009"""
    student = D(2004, 6, 1)  # 20 years old in January 2025: past 高校生年代, within 大学生年代
    assert amounts([Child(student, supported=True), HIGH_SCHOOL, JUNIOR_HIGH], JAN_2025) == [0, 10000, 30000]
    assert amounts([Child(student, supported=False), HIGH_SCHOOL, JUNIOR_HIGH], JAN_2025) == [0, 10000, 10000]


def test_child_past_university_age_is_not_counted():
    """日向市 広報ひゅうが 令和6年9月号「児童手当制度が改正されます」: 「第3子以降」とは, 22歳の誕生日後の最初の
    3月31日まで養育している児童のうち3番目以降. https://mykoho.jp/ (宮崎県日向市, 広報ひゅうが 令和6年9月号 No.832)"""
    graduated = Child(D(2002, 6, 1), supported=True)  # 22歳到達後の3月31日 (2025-03-31) までは数える
    assert amounts([graduated, HIGH_SCHOOL, JUNIOR_HIGH], D(2025, 3, 1)) == [0, 10000, 30000]
    assert amounts([graduated, HIGH_SCHOOL, JUNIOR_HIGH], D(2025, 4, 1)) == [0, 10000, 10000]


def test_first_payment_under_the_amended_law_is_december_2024_for_october_and_november():
    """日向市 広報ひゅうが 令和6年9月号: 拡充後の最初の支給は令和6年12月 (令和6年10月・11月分);
    支給月は 4,6,8,10,12,2月の年6回."""
    assert months_paid_on(D(2024, 12, 10)) == (D(2024, 10, 1), D(2024, 11, 1))
    assert months_paid_on(D(2025, 2, 10)) == (D(2024, 12, 1), D(2025, 1, 1))
    assert [payment_month_for(D(2025, m, 1)).month for m in range(1, 13)] == [2, 4, 4, 6, 6, 8, 8, 10, 10, 12, 12, 2]


def test_before_the_amendment_three_payments_of_four_months():
    """富加町, 改正前の支払期月: 年3回 (2,6,10月), 各前月までの4か月分. https://www.town.tomika.gifu.jp/docs/564.html"""
    assert months_paid_on(D(2024, 6, 10)) == tuple(D(2024, m, 1) for m in (2, 3, 4, 5))
    assert months_paid_on(D(2024, 2, 10)) == (D(2023, 10, 1), D(2023, 11, 1), D(2023, 12, 1), D(2024, 1, 1))
    # The last payment under the old schedule, October 2024, pays June to September.
    assert months_paid_on(D(2024, 10, 10)) == tuple(D(2024, m, 1) for m in (6, 7, 8, 9))


def test_under_3_amount_is_paid_through_the_month_of_the_third_birthday():
    """浜松市 FAQ「3歳の誕生日を迎える児童の手当月額はどのようになるのですか?」: 誕生日の月の分までは15,000円,
    誕生日の翌月分から第1・2子 10,000円. https://www.hamamatsu-pippi.net/sodan/faq/docs/2014031200320/"""
    child = Child(D(2022, 6, 20))
    assert amounts([child], D(2025, 6, 1)) == [15000]
    assert amounts([child], D(2025, 7, 1)) == [10000]


def test_old_rules_income_limit_gives_the_special_payment():
    """広野町 (福島県)「児童手当の請求」: 特例給付 月額5,000円; 所得限度額 扶養親族の数 0人 622万円, 1人 660万円,
    2人 698万円, 3人 736万円. http://www.town.hirono.fukushima.jp/i/jidohoiku/zidouteatenoseikyuu_33.html"""
    two = [Child(D(2015, 5, 10)), Child(D(2021, 5, 10))]  # 8 and 2 years old in January 2024
    for dependants, limit in [(0, 6_220_000), (1, 6_600_000), (2, 6_980_000), (3, 7_360_000)]:
        assert amounts(two, JAN_2024, income=limit - 1, dependants=dependants) == [10000, 15000]
        assert amounts(two, JAN_2024, income=limit, dependants=dependants) == [5000, 5000]


def test_old_rules_upper_limit_stops_the_special_payment_from_june_2022():
    """中野区「児童手当特例給付の一部廃止」: 令和4年6月分から, 所得上限限度額 (扶養親族等 0人 858万円, 1人 896万円,
    2人 934万円, 3人 972万円, 4人 1010万円, 5人 1048万円) 以上は支給されない.
    https://www.city.tokyo-nakano.lg.jp/dept/242900/d032524.html ; 三芳町「令和4年度制度改正(児童手当・特例給付)」
    https://www.town.saitama-miyoshi.lg.jp/kosodate/mokuteki/teate/2022-0512-1119-23.html"""
    child = [Child(D(2015, 5, 10))]
    for dependants, upper in [(0, 8_580_000), (1, 8_960_000), (2, 9_340_000), (3, 9_720_000), (5, 10_480_000)]:
        assert amounts(child, D(2022, 6, 1), income=upper - 1, dependants=dependants) == [5000]
        assert amounts(child, D(2022, 6, 1), income=upper, dependants=dependants) == [0]
        assert amounts(child, D(2022, 5, 1), income=upper, dependants=dependants) == [5000]


def test_old_rules_third_child_counted_up_to_18_only():
    """「児童手当の金額 2018」支給額の例 (third-party explainer of the 内閣府 rules): 4歳, 10歳, 16歳, 19歳を養育 →
    支給対象は4歳と10歳; 16歳が第1子, 10歳が第2子, 4歳が第3子で10歳 10,000円, 4歳 15,000円; 19歳は数えない.
    https://xn--u9j7nsa9a4561bh9rhy7b.net/kingaku.html"""
    month = D(2018, 3, 1)
    family = [
        Child(D(1998, 10, 1), supported=True),  # 19
        Child(D(2001, 10, 1), supported=True),  # 16
        Child(D(2007, 10, 1)),  # 10
        Child(D(2013, 10, 1)),  # 4
    ]
    assert amounts(family, month, income=0) == [0, 0, 10000, 15000]


def test_old_rules_three_junior_high_children_get_10000_each():
    """Same page: 13歳, 14歳, 15歳 (中学1-3年) → 中学生は一律 10,000円. 6ヶ月と2歳 → それぞれ 15,000円."""
    month = D(2018, 3, 1)
    assert amounts([Child(D(2002, 9, 1)), Child(D(2003, 9, 1)), Child(D(2004, 9, 1))], month, income=0) == [10000] * 3
    assert amounts([Child(D(2015, 9, 1)), Child(D(2017, 9, 1))], month, income=0) == [15000, 15000]


def test_payment_starts_the_month_after_application_and_ends_in_the_month_the_reason_ceased():
    """児童手当法 8条2項: 認定の請求をした日の属する月の翌月から, 支給すべき事由が消滅した日の属する月まで
    (社労士 study note citing 8条, https://kagoshima-sr.com/?p=6434); 1日生まれも誕生月の翌月から
    (https://hoken-room.jp/student/10972)."""
    assert first_payable_month(D(2025, 1, 31)) == D(2025, 2, 1)
    assert first_payable_month(D(2025, 2, 1)) == D(2025, 3, 1)
    assert last_payable_month(D(2025, 3, 15)) == D(2025, 3, 1)  # moved out on 15 March: March is paid
    assert is_payable(D(2025, 3, 1), D(2024, 12, 5), D(2025, 3, 15))
    assert not is_payable(D(2025, 4, 1), D(2024, 12, 5), D(2025, 3, 15))
    assert not is_payable(D(2024, 12, 1), D(2024, 12, 5))
    # A child born on the 1st is not paid for its birth month either.
    assert amounts([Child(D(2025, 1, 1))], JAN_2025) == [0]
    assert amounts([Child(D(2025, 1, 1))], D(2025, 2, 1)) == [15000]


def test_fifteen_day_rule_after_a_move_or_birth():
    """児童手当法 8条3項: 住所変更等の後15日以内に請求したときは, その日の属する月の翌月から."""
    born = D(2025, 1, 25)
    assert first_payable_month(D(2025, 2, 9), event_on=born) == D(2025, 2, 1)  # 15th day
    assert first_payable_month(D(2025, 2, 10), event_on=born) == D(2025, 3, 1)  # 16th day
    with pytest.raises(ValueError, match="cannot precede"):
        first_payable_month(D(2025, 1, 20), event_on=born)


# --- the October 2024 transition -------------------------------------------------------------------------


def test_september_2024_old_rules_october_2024_new_rules():
    family = [Child(D(2008, 5, 10), supported=True), JUNIOR_HIGH, PRIMARY]
    # September: the high-schooler is not paid but counts; the primary-school third child gets 15,000.
    assert amounts(family, D(2024, 9, 1), income=5_000_000, dependants=3) == [0, 10000, 15000]
    # October: the high-schooler is paid and the third child gets 30,000; income no longer matters.
    assert amounts(family, D(2024, 10, 1)) == [10000, 10000, 30000]
    assert amounts(family, D(2024, 10, 1), income=50_000_000, dependants=0) == [10000, 10000, 30000]
    # A high-income family: September only the special payment for under-15s, October the full amounts.
    assert amounts(family, D(2024, 9, 1), income=8_000_000, dependants=3) == [0, 5000, 5000]
    assert amounts(family, D(2024, 9, 1), income=10_000_000, dependants=3) == [0, 0, 0]


def test_months_before_2024_10_need_the_income():
    with pytest.raises(ValueError, match="income"):
        family_monthly_amounts([PRIMARY], D(2024, 9, 1))
    with pytest.raises(ValueError, match="income and dependants"):
        monthly_amounts([1], np.array(["2014-05-10"], dtype="datetime64[D]"), D(2024, 9, 1))


# --- birthdays ---------------------------------------------------------------------------------------------


def test_born_on_1_april_belongs_to_the_earlier_school_year():
    """年齢計算ニ関スル法律: age is reached the day before the birthday, so 1 April births reach 18 on 31 March;
    学校教育法 17条 draws the same line for school years (早生まれ)."""
    assert reaches_age_on(D(2007, 4, 1), 18) == D(2025, 3, 31)
    assert school_year_end(D(2007, 4, 1), 18) == D(2025, 3, 31)
    assert school_year_end(D(2007, 4, 2), 18) == D(2026, 3, 31)
    assert amounts([Child(D(2007, 4, 1))], D(2025, 3, 1)) == [10000]
    assert amounts([Child(D(2007, 4, 1))], D(2025, 4, 1)) == [0]
    assert amounts([Child(D(2007, 4, 2))], D(2025, 4, 1)) == [10000]


def test_third_birthday_on_the_first_of_a_month():
    """児童手当法 6条1項1号イ: 月の初日に生まれた児童は出生の日から三年を経過しない児童を3歳未満とする, so a child
    born on the 1st keeps 15,000 yen through the month of its third birthday like every other child."""
    on_first = Child(D(2022, 6, 1))
    assert reaches_age_on(on_first.birth_date, 3) == D(2025, 5, 31)
    assert amounts([on_first], D(2025, 6, 1)) == [15000]
    assert amounts([on_first], D(2025, 7, 1)) == [10000]
    end_of_month = Child(D(2022, 5, 31))
    assert amounts([end_of_month], D(2025, 5, 1)) == [15000]
    assert amounts([end_of_month], D(2025, 6, 1)) == [10000]


def test_born_on_29_february():
    """民法 143条2項: a year from 29 February ends on 28 February in a common year."""
    leap = Child(D(2020, 2, 29))
    assert reaches_age_on(leap.birth_date, 3) == D(2023, 2, 28)
    assert amounts([leap], D(2023, 2, 1), income=0) == [15000]
    assert amounts([leap], D(2023, 3, 1), income=0) == [10000]


def test_twins_are_ranked_in_input_order_and_the_family_total_is_the_same():
    twins = [Child(D(2010, 5, 1)), Child(D(2016, 7, 7)), Child(D(2016, 7, 7))]
    assert amounts(twins, JAN_2025) == [10000, 10000, 30000]


# --- errors ------------------------------------------------------------------------------------------------


def test_months_before_the_2012_law_are_refused():
    with pytest.raises(ParameterNotInForce, match="2012-04-01"):
        family_monthly_amounts([PRIMARY], D(2012, 3, 1), income=0)


def test_bad_inputs_are_refused_with_clear_errors():
    births = np.array(["2014-05-10", "2016-05-10"], dtype="datetime64[D]")
    with pytest.raises(ValueError, match="expected \\(2,\\)"):
        monthly_amounts([1, 1], births, JAN_2025, supported=[True])
    with pytest.raises(ValueError, match="integer"):
        monthly_amounts([1, 1], births, JAN_2024, income=[1.5, 2.5], dependants=[0, 0])
    with pytest.raises(ValueError, match="negative"):
        monthly_amounts([1, 1], births, JAN_2024, income=[-1, 0], dependants=[0, 0])
    with pytest.raises(ValueError, match="family_id must be integers"):
        monthly_amounts(["a", "b"], births, JAN_2025)
    with pytest.raises(ValueError, match="NaT"):
        monthly_amounts([1], np.array(["NaT"], dtype="datetime64[D]"), JAN_2025)
    with pytest.raises(ValueError, match="negative"):
        family_monthly_amounts([PRIMARY], JAN_2024, income=-5)
    with pytest.raises(ValueError, match="dependants"):
        family_monthly_amounts([PRIMARY], JAN_2024, income=0, dependants=-1)
    with pytest.raises(ValueError, match="not a payment month"):
        months_paid_on(D(2025, 3, 10))
    with pytest.raises(ValueError, match="not a payment month"):
        months_paid_on(D(2024, 8, 10))  # August was not a payment month before the amendment


def test_empty_input():
    assert monthly_amounts(np.array([], dtype=np.int64), np.array([], dtype="datetime64[D]"), JAN_2025).tolist() == []
    assert family_monthly_amounts([], JAN_2025) == []


# --- reforms ----------------------------------------------------------------------------------------------


def test_what_if_reform_costs_the_difference_and_leaves_the_base_alone():
    from kiban.platform.rules import compare_cost

    rng = np.random.default_rng(7)
    n = 10_000
    family = np.sort(rng.integers(0, 4000, n))
    births = np.datetime64("2004-01-01") + rng.integers(0, 21 * 365, n).astype("timedelta64[D]")
    month = D(2025, 6, 1)

    def compute(rules):
        return monthly_amounts(family, births, month, rules=rules)

    reform = Reform(
        "40,000 yen for third children", parameters={"amount_to_primary_end_third_or_later": [(month, 40000)]}
    )
    result = compare_cost(base_rules(), reform, compute)
    thirds = int(
        np.count_nonzero(compute(base_rules()) == 30000)
        - np.count_nonzero(compute(reform.apply(base_rules())) == 30000)
    )
    assert result.difference == 10000 * thirds > 0
    assert result.losers == 0
    assert base_rules().parameters.value_at("amount_to_primary_end_third_or_later", month) == 30000


# --- the vectorised and scalar versions agree ------------------------------------------------------------

_months = st.dates(min_value=D(2012, 4, 1), max_value=D(2031, 12, 1)).map(lambda d: d.replace(day=1))
_child = st.builds(Child, st.dates(min_value=D(1988, 1, 1), max_value=D(2032, 1, 1)), st.booleans())
_family = st.tuples(
    st.lists(_child, min_size=1, max_size=6),
    st.integers(min_value=0, max_value=12_000_000),
    st.integers(min_value=0, max_value=6),
)


@settings(max_examples=200, deadline=None)
@given(families=st.lists(_family, min_size=1, max_size=8), month=_months)
def test_vectorised_and_scalar_agree(families, month):
    fam, births, supported, income, dependants, expected = [], [], [], [], [], []
    for family_id, (children, fam_income, fam_dependants) in enumerate(families):
        expected += family_monthly_amounts(children, month, income=fam_income, dependants=fam_dependants)
        for child in children:
            fam.append(family_id)
            births.append(child.birth_date)
            supported.append(child.supported)
            income.append(fam_income)
            dependants.append(fam_dependants)
    # Shuffle rows: the vectorised version must not depend on input order beyond twins' tie-break.
    order = np.argsort(np.array(fam) * -1, kind="stable")
    got = monthly_amounts(
        np.array(fam, dtype=np.int64)[order],
        np.array(births, dtype="datetime64[D]")[order],
        month,
        supported=np.array(supported)[order],
        income=np.array(income, dtype=np.int64)[order],
        dependants=np.array(dependants, dtype=np.int64)[order],
    )
    assert got.dtype == np.int64
    assert got.tolist() == np.array(expected, dtype=np.int64)[order].tolist()
