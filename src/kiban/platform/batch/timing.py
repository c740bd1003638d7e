"""When a schedule is due (住民記録システム標準仕様書 9.1 バッチ処理: 年月日及び時分、毎日、毎週○曜日、
毎月ＸＸ日、毎月末).

Times are wall-clock times in Japan (Asia/Tokyo). Japan has kept no daylight saving time since 1951, so every
wall-clock time exists exactly once; the computation still goes through ``zoneinfo`` rather than a fixed +09:00.

毎月ＸＸ日 with a day the month lacks (31 in April, 29–31 in February): the run is on the month's last day. A monthly
run is never skipped silently (a missed monthly statistics run would be found only when its submission is due);
a supervisor who means "the last day of every month" chooses 毎月末 (``month_end``), which says so.

A schedule whose due time passed while no runner ran (the host was down) runs once when a runner next looks, and is
then due at its next time after that moment: missed occurrences are not run one by one.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")

ONCE, DAILY, WEEKLY, MONTHLY, MONTH_END = "once", "daily", "weekly", "monthly", "month_end"
WEEKDAYS_JA = ("月", "火", "水", "木", "金", "土", "日")  # weekday(): Monday is 0


def _at(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=JST)


def _month_day(year: int, month: int, day: int | None) -> date:
    """Day ``day`` of the month, or its last day when the month is shorter (day None: the last day)."""
    last = calendar.monthrange(year, month)[1]
    return date(year, month, last if day is None else min(day, last))


def next_due(
    kind: str,
    at: time,
    after: datetime,
    *,
    on: date | None = None,
    weekday: int | None = None,
    day: int | None = None,
) -> datetime | None:
    """The first time strictly after ``after`` when a schedule of ``kind`` is due, in JST (None: never again).

    ``on`` is the date of a ``once`` schedule, ``weekday`` (0 = Monday) of a ``weekly`` one and ``day`` (1–31) of a
    ``monthly`` one."""
    local = after.astimezone(JST)
    today = local.date()
    if kind == ONCE:
        if on is None:
            raise ValueError("a once schedule needs its date")
        due = _at(on, at)
        return due if due > local else None
    if kind == DAILY:
        due = _at(today, at)
        return due if due > local else _at(today + timedelta(days=1), at)
    if kind == WEEKLY:
        if weekday is None or not 0 <= weekday <= 6:
            raise ValueError("a weekly schedule needs its weekday (0 = Monday … 6 = Sunday)")
        due = _at(today + timedelta(days=(weekday - today.weekday()) % 7), at)
        return due if due > local else due + timedelta(days=7)
    if kind in (MONTHLY, MONTH_END):
        if kind == MONTHLY and (day is None or not 1 <= day <= 31):
            raise ValueError("a monthly schedule needs its day (1–31)")
        wanted = day if kind == MONTHLY else None
        due = _at(_month_day(today.year, today.month, wanted), at)
        if due > local:
            return due
        year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
        return _at(_month_day(year, month, wanted), at)
    raise ValueError(f"unknown schedule kind {kind!r}")
