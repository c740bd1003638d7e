"""Due times of schedules (住民記録システム標準仕様書 9.1: 年月日及び時分、毎日、毎週○曜日、毎月ＸＸ日、毎月末), in JST,
across month ends, leap years and the year's end."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from kiban.platform.batch import timing
from kiban.platform.batch.timing import JST, next_due


def jst(*args: int) -> datetime:
    return datetime(*args, tzinfo=JST)


TWO = time(2, 0)


def test_once_is_due_at_its_date_and_time_and_never_again() -> None:
    assert next_due("once", TWO, jst(2026, 3, 30, 12), on=date(2026, 3, 31)) == jst(2026, 3, 31, 2)
    assert next_due("once", TWO, jst(2026, 3, 31, 2), on=date(2026, 3, 31)) is None  # strictly after
    assert next_due("once", TWO, jst(2026, 4, 1), on=date(2026, 3, 31)) is None


def test_daily_is_due_later_today_or_tomorrow() -> None:
    assert next_due("daily", TWO, jst(2026, 5, 1, 1, 59)) == jst(2026, 5, 1, 2)
    assert next_due("daily", TWO, jst(2026, 5, 1, 2)) == jst(2026, 5, 2, 2)
    assert next_due("daily", TWO, jst(2026, 12, 31, 3)) == jst(2027, 1, 1, 2)


def test_times_are_japanese_wall_clock_times_whatever_the_zone_of_now() -> None:
    # 2026-05-01 17:30 UTC is 2026-05-02 02:30 in Tokyo: the 02:00 run of the 2nd has passed.
    assert next_due("daily", TWO, datetime(2026, 5, 1, 17, 30, tzinfo=UTC)) == jst(2026, 5, 3, 2)
    assert next_due("daily", TWO, datetime(2026, 5, 1, 16, 59, tzinfo=UTC)) == jst(2026, 5, 2, 2)
    assert next_due("daily", TWO, jst(2026, 5, 1)).utcoffset().total_seconds() == 9 * 3600  # type: ignore[union-attr]


def test_no_daylight_saving_in_japan_every_day_is_24_hours() -> None:
    due = next_due("daily", TWO, jst(2026, 1, 1, 3))
    for _ in range(366):
        assert due is not None and due.hour == 2
        following = next_due("daily", TWO, due)
        assert following is not None and (following - due).total_seconds() == 24 * 3600
        due = following


@pytest.mark.parametrize(
    ("after", "weekday", "expected"),
    [
        (jst(2026, 11, 30, 1), 0, jst(2026, 11, 30, 2)),  # a Monday, before the time: today
        (jst(2026, 11, 30, 2), 0, jst(2026, 12, 7, 2)),  # at the time: next week
        (jst(2026, 11, 30, 9), 6, jst(2026, 12, 6, 2)),  # Sunday after a Monday
        (jst(2026, 12, 29, 9), 4, jst(2027, 1, 1, 2)),  # Friday across the year's end
    ],
)
def test_weekly_on_a_weekday(after: datetime, weekday: int, expected: datetime) -> None:
    assert next_due("weekly", TWO, after, weekday=weekday) == expected


@pytest.mark.parametrize(
    ("after", "day", "expected"),
    [
        (jst(2026, 4, 1), 15, jst(2026, 4, 15, 2)),
        (jst(2026, 4, 15, 2), 15, jst(2026, 5, 15, 2)),
        (jst(2026, 4, 1), 31, jst(2026, 4, 30, 2)),  # day 31 in a 30-day month: its last day (documented)
        (jst(2026, 4, 30, 3), 31, jst(2026, 5, 31, 2)),  # … and 31 again where the month has it
        (jst(2026, 2, 1), 30, jst(2026, 2, 28, 2)),  # February of a common year
        (jst(2028, 2, 1), 30, jst(2028, 2, 29, 2)),  # February of a leap year
        (jst(2028, 2, 29, 2), 29, jst(2028, 3, 29, 2)),
        (jst(2026, 12, 31, 3), 31, jst(2027, 1, 31, 2)),  # across the year's end
        (jst(2026, 1, 31, 3), 31, jst(2026, 2, 28, 2)),
    ],
)
def test_monthly_on_a_day(after: datetime, day: int, expected: datetime) -> None:
    assert next_due("monthly", TWO, after, day=day) == expected


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (jst(2026, 2, 1), jst(2026, 2, 28, 2)),  # February, common year
        (jst(2028, 2, 1), jst(2028, 2, 29, 2)),  # February, leap year
        (jst(2100, 2, 1), jst(2100, 2, 28, 2)),  # 2100 is not a leap year (divisible by 100, not by 400)
        (jst(2000, 2, 1), jst(2000, 2, 29, 2)),  # 2000 is (divisible by 400)
        (jst(2026, 2, 28, 2), jst(2026, 3, 31, 2)),
        (jst(2026, 4, 30, 1), jst(2026, 4, 30, 2)),
        (jst(2026, 12, 31, 2), jst(2027, 1, 31, 2)),
    ],
)
def test_month_end(after: datetime, expected: datetime) -> None:
    assert next_due("month_end", TWO, after) == expected


def test_a_run_late_in_the_evening_is_due_on_the_japanese_day() -> None:
    late = time(23, 30)
    # 2026-02-28 14:30 UTC is 23:30 on the 28th in Tokyo, the last day of February.
    assert next_due("month_end", late, datetime(2026, 2, 28, 14, 0, tzinfo=UTC)) == jst(2026, 2, 28, 23, 30)


@pytest.mark.parametrize(
    ("kind", "extra"),
    [("once", {}), ("weekly", {}), ("weekly", {"weekday": 7}), ("monthly", {}), ("monthly", {"day": 32}),
     ("hourly", {})],
)  # fmt: skip
def test_incomplete_schedules_are_refused(kind: str, extra: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        next_due(kind, TWO, jst(2026, 1, 1), **extra)  # type: ignore[arg-type]


def test_weekday_names_start_on_monday() -> None:
    assert date(2026, 11, 30).weekday() == 0 and timing.WEEKDAYS_JA[0] == "月"
