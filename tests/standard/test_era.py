"""Japanese era dates (kiban.standard.era): what a counter clerk types, and how dates are shown."""

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiban.standard.era import ERAS, FIRST_SUPPORTED_DATE, EraDateError, format_date, format_month, parse_date, to_era


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("R6.4.1", date(2024, 4, 1)),
        ("r6.4.1", date(2024, 4, 1)),
        ("R06.04.01", date(2024, 4, 1)),
        ("R6/4/1", date(2024, 4, 1)),
        ("R6-4-1", date(2024, 4, 1)),
        ("R6年4月1日", date(2024, 4, 1)),
        ("令和6年4月1日", date(2024, 4, 1)),
        ("令和 6年 4月 1日", date(2024, 4, 1)),
        ("令6.4.1", date(2024, 4, 1)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("R1.5.1", date(2019, 5, 1)),
        ("H31.4.30", date(2019, 4, 30)),
        ("平成元年1月8日", date(1989, 1, 8)),
        ("S64.1.7", date(1989, 1, 7)),
        ("S1.12.25", date(1926, 12, 25)),
        ("T15.12.25", date(1926, 12, 25)),  # the day 昭和 began is written in both eras
        ("T1.7.30", date(1912, 7, 30)),
        ("M45.7.30", date(1912, 7, 30)),  # the day 大正 began is written in both eras
        ("M45.7.29", date(1912, 7, 29)),
        ("M6.1.1", date(1873, 1, 1)),
        ("明治6年1月1日", date(1873, 1, 1)),
        ("5060401", date(2024, 4, 1)),
        ("4310430", date(2019, 4, 30)),
        ("3640107", date(1989, 1, 7)),
        ("2151225", date(1926, 12, 25)),
        ("1450729", date(1912, 7, 29)),
        ("５０６０４０１", date(2024, 4, 1)),
        ("Ｒ６．４．１", date(2024, 4, 1)),
        ("ｒ６．４．１", date(2024, 4, 1)),
        ("令和６年４月１日", date(2024, 4, 1)),
        ("2024-04-01", date(2024, 4, 1)),
        ("2024/4/1", date(2024, 4, 1)),
        ("2024.4.1", date(2024, 4, 1)),
        ("2024年4月1日", date(2024, 4, 1)),
        ("20240401", date(2024, 4, 1)),
        ("２０２４／４／１", date(2024, 4, 1)),
        (" R6.4.1 ", date(2024, 4, 1)),
        ("R6.2.29", date(2024, 2, 29)),
    ],
)
def test_parses_what_a_clerk_types(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "ja", "en"),
    [
        # unknown era
        ("X6.4.1", "元号として使えません", "Unknown era 'X'"),
        ("天保3年1月1日", "「天保」は元号として使えません", "Unknown era '天保'"),
        ("6060401", "元号の数字 6 は使えません", "Era digit 6"),
        ("0060401", "元号の数字 0 は使えません", "Era digit 0"),
        # day or month not in the calendar
        ("R6.2.30", "2月に30日はありません", "month 2 has no day 30"),
        ("R5.2.29", "2月に29日はありません", "month 2 has no day 29"),
        ("R6.4.31", "4月に31日はありません", "month 4 has no day 31"),
        ("R6.4.0", "4月に0日はありません", "month 4 has no day 0"),
        ("R6.13.1", "13月はありません", "no month 13"),
        ("2024-00-10", "0月はありません", "no month 0"),
        ("5061301", "13月はありません", "no month 13"),
        ("2023-02-29", "2月に29日はありません", "month 2 has no day 29"),
        # outside the era
        ("H32.1.1", "平成は2019年4月30日で終わりました", "Heisei era ended on 2019-04-30"),
        ("H31.5.1", "平成は2019年4月30日で終わりました", "Heisei era ended on 2019-04-30"),
        ("R1.4.30", "令和は2019年5月1日から始まりました", "Reiwa era began on 2019-05-01"),
        ("S64.1.8", "昭和は1989年1月7日で終わりました", "Showa era ended on 1989-01-07"),
        ("H1.1.7", "平成は1989年1月8日から始まりました", "Heisei era began on 1989-01-08"),
        ("T15.12.26", "大正は1926年12月25日で終わりました", "Taisho era ended on 1926-12-25"),
        ("S1.12.24", "昭和は1926年12月25日から始まりました", "Showa era began on 1926-12-25"),
        ("M45.7.31", "明治は1912年7月30日で終わりました", "Meiji era ended on 1912-07-30"),
        ("T1.7.29", "大正は1912年7月30日から始まりました", "Taisho era began on 1912-07-30"),
        ("4320101", "平成は2019年4月30日で終わりました", "Heisei era ended"),
        ("R0.5.1", "元年）から数えます", "era years start at 1"),
        ("5000401", "元年）から数えます", "era years start at 1"),
        # before the Gregorian calendar
        ("M5.12.31", "1873年1月1日", "before 1873-01-01"),
        ("明治元年9月8日", "1873年1月1日", "before 1873-01-01"),
        ("1872-12-31", "1873年1月1日", "before 1873-01-01"),
        ("0999-01-01", "1873年1月1日", "before 1873-01-01"),
        ("0000-01-01", "西暦0年はありません", "no year 0"),
        # malformed
        ("", "日付を入力してください", "Enter a date"),
        ("   ", "日付を入力してください", "Enter a date"),
        ("R6.4", "日付として読めません", "is not a date"),
        ("R6..4.1", "日付として読めません", "is not a date"),
        ("R.4.1", "日付として読めません", "is not a date"),
        ("506041", "日付として読めません", "is not a date"),
        ("50604011", "40月はありません", "no month 40"),  # 8 digits are read as YYYYMMDD
        ("令和六年四月一日", "日付として読めません", "is not a date"),
        ("tomorrow", "日付として読めません", "is not a date"),
        ("2024-4-1-1", "日付として読めません", "is not a date"),
    ],
)
def test_refuses_with_a_specific_bilingual_message(text, ja, en):
    with pytest.raises(EraDateError) as err:
        parse_date(text)
    assert ja in err.value.ja
    assert en in err.value.en
    assert str(err.value) == f"{err.value.ja} / {err.value.en}"
    assert isinstance(err.value, ValueError)


def test_non_text_is_refused():
    with pytest.raises(EraDateError, match="must be text"):
        parse_date(20240401)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("d", "long", "short", "era"),
    [
        (date(2024, 4, 1), "令和6年4月1日", "R6.4.1", ("令和", 6)),
        (date(2019, 5, 1), "令和元年5月1日", "R1.5.1", ("令和", 1)),
        (date(2019, 4, 30), "平成31年4月30日", "H31.4.30", ("平成", 31)),
        (date(1989, 1, 8), "平成元年1月8日", "H1.1.8", ("平成", 1)),
        (date(1989, 1, 7), "昭和64年1月7日", "S64.1.7", ("昭和", 64)),
        (date(1926, 12, 25), "昭和元年12月25日", "S1.12.25", ("昭和", 1)),
        (date(1926, 12, 24), "大正15年12月24日", "T15.12.24", ("大正", 15)),
        (date(1912, 7, 30), "大正元年7月30日", "T1.7.30", ("大正", 1)),
        (date(1912, 7, 29), "明治45年7月29日", "M45.7.29", ("明治", 45)),
        (date(1873, 1, 1), "明治6年1月1日", "M6.1.1", ("明治", 6)),
        (date(2100, 12, 31), "令和82年12月31日", "R82.12.31", ("令和", 82)),
    ],
)
def test_format_and_to_era(d, long, short, era):
    assert format_date(d) == long
    assert format_date(d, "long") == long
    assert format_date(d, style="short") == short
    assert to_era(d) == era


def test_dates_before_1873_cannot_be_formatted():
    for call in (lambda: format_date(date(1872, 12, 31)), lambda: to_era(date(1868, 10, 23))):
        with pytest.raises(EraDateError, match="1873"):
            call()


def test_unknown_style_and_non_dates_are_refused():
    with pytest.raises(ValueError, match="style must be 'long' or 'short'"):
        format_date(date(2024, 4, 1), "medium")
    with pytest.raises(EraDateError, match="Not a date"):
        to_era("2024-04-01")  # type: ignore[arg-type]


def test_era_table_is_contiguous():
    # Each era starts the day after the previous one's last day, or on it (the two eras that began mid-day).
    assert ERAS[0].start == date(1868, 1, 25) and FIRST_SUPPORTED_DATE == date(1873, 1, 1)
    assert [e.start for e in ERAS[1:]] == [date(1912, 7, 30), date(1926, 12, 25), date(1989, 1, 8), date(2019, 5, 1)]
    for previous, era in pairwise(ERAS):
        assert previous.last is not None
        assert era.start - timedelta(days=1) <= previous.last <= era.start
    assert ERAS[-1].last is None


def test_round_trip_for_every_date_from_1873_to_2100():
    d, end = FIRST_SUPPORTED_DATE, date(2100, 12, 31)
    while d <= end:
        long, short = format_date(d), format_date(d, "short")
        assert parse_date(long) == d, long
        assert parse_date(short) == d, short
        assert parse_date(d.isoformat()) == d
        d += timedelta(days=1)


_dates = st.dates(min_value=FIRST_SUPPORTED_DATE, max_value=date(2100, 12, 31))


@given(_dates)
def test_format_then_parse_is_identity(d):
    assert parse_date(format_date(d)) == d
    assert parse_date(format_date(d, "short")) == d
    assert parse_date(format_date(d, "short").lower()) == d


@given(_dates)
def test_seven_digit_code_round_trip(d):
    name, year = to_era(d)
    code = {"明治": 1, "大正": 2, "昭和": 3, "平成": 4, "令和": 5}[name]
    assert parse_date(f"{code}{year:02d}{d.month:02d}{d.day:02d}") == d


@given(_dates)
def test_full_width_input_reads_like_ascii(d):
    short = format_date(d, "short")
    full = "".join(chr(ord(c) + 0xFEE0) for c in short)
    assert parse_date(full) == d


@given(st.text(max_size=20))
def test_any_text_gives_a_date_or_an_era_date_error(text):
    try:
        result = parse_date(text)
    except EraDateError:
        return
    assert result >= FIRST_SUPPORTED_DATE


def test_a_month_is_named_by_the_era_of_its_first_day() -> None:
    assert format_month(2027, 6) == "令和9年6月"
    assert format_month(2019, 5) == "令和元年5月"
    assert format_month(2019, 4) == "平成31年4月"  # the era changed on 1 May 2019
    assert format_month(1989, 1) == "昭和64年1月"  # 平成 began on 8 January: the month's first day is 昭和
    with pytest.raises(EraDateError):
        format_month(1872, 12)
