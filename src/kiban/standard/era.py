"""Japanese era dates (和暦): read what a counter clerk types, and show a date the way residents read it.

Dates are stored as Gregorian ``datetime.date``; the era is a display and input format only.

Sources:
- 元号法 (昭和54年法律第43号): an era name is set by cabinet order and changes only on the succession of the throne.
- 元号を改める政令 (昭和64年政令第1号): 平成 from 1989-01-08, the day after 昭和64年1月7日.
- 元号を改める政令 (平成31年政令第143号): 令和 from 2019-05-01, the day after 平成31年4月30日.
- 大正 and 昭和 began on the day of the emperor's death (1912-07-30, 1926-12-25) by imperial rescript (詔書), during
  that day. Records carry both names for those two days, so 明治45年7月30日 and 大正15年12月25日 are accepted as
  input (and equal 大正元年7月30日 and 昭和元年12月25日); output always uses the new era.
- 明治: by 明治改元の詔 of 明治元年9月8日 the era applies from 慶応4年1月1日, which is 1868-01-25 Gregorian.
  But Japan kept the lunisolar calendar until 明治5年12月2日 (改暦ノ布告, 明治5年太政官布告第337号); the next day
  was 明治6年1月1日 = 1873-01-01, and only from then does 明治 year n equal Gregorian year 1867 + n with the same
  month and day.
  Earlier dates cannot be converted by arithmetic, and no resident record needs them: dates before 1873-01-01 are
  refused (``EraDateError``), whichever way they are written.

Input accepted by ``parse_date`` (after NFKC, so full-width digits and letters work; case and spaces ignored):
- ``R6.4.1``, ``r6.4.1``, ``R06.04.01``, ``R6/4/1``, ``R6-4-1``, ``R6年4月1日`` (letters M T S H R);
- ``令和6年4月1日``, ``令和元年5月1日``, ``令6.4.1`` (full or one-character era names);
- ``5060401``: 7-digit code, era digit (1 明治, 2 大正, 3 昭和, 4 平成, 5 令和) + YYMMDD, as in government systems;
- ``2024-04-01``, ``2024/4/1``, ``2024.4.1``, ``2024年4月1日``, ``20240401`` (Gregorian).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

__all__ = ["ERAS", "FIRST_SUPPORTED_DATE", "Era", "EraDateError", "format_date", "parse_date", "to_era"]


class EraDateError(ValueError):
    """A date that cannot be read. ``str()`` gives "Japanese / English"; ``ja`` and ``en`` give each alone."""

    def __init__(self, ja: str, en: str) -> None:
        super().__init__(f"{ja} / {en}")
        self.ja = ja
        self.en = en


@dataclass(frozen=True)
class Era:
    name: str  # 令和
    letter: str  # R
    code: int  # 5, the era digit of 7-digit date codes
    english: str  # Reiwa
    start: date  # first day
    last: date | None  # last day it may be written with (None: current era)


ERAS: tuple[Era, ...] = (
    Era("明治", "M", 1, "Meiji", date(1868, 1, 25), date(1912, 7, 30)),
    Era("大正", "T", 2, "Taisho", date(1912, 7, 30), date(1926, 12, 25)),
    Era("昭和", "S", 3, "Showa", date(1926, 12, 25), date(1989, 1, 7)),
    Era("平成", "H", 4, "Heisei", date(1989, 1, 8), date(2019, 4, 30)),
    Era("令和", "R", 5, "Reiwa", date(2019, 5, 1), None),
)
FIRST_SUPPORTED_DATE = date(1873, 1, 1)  # 明治6年1月1日, the first day of the Gregorian calendar in Japan

_BY_TOKEN: dict[str, Era] = {}
for _era in ERAS:
    _BY_TOKEN[_era.name] = _BY_TOKEN[_era.name[0]] = _BY_TOKEN[_era.letter] = _era
_BY_CODE = {era.code: era for era in ERAS}

_SEP = r"(?:[./\-]|年)"
_ERA_DATE = re.compile(
    rf"(?P<era>\D+?)(?P<year>\d{{1,3}}|元){_SEP}(?P<month>\d{{1,2}})(?:[./\-]|月)(?P<day>\d{{1,2}})日?"
)
_GREGORIAN = re.compile(r"(?P<year>\d{4})(?:[./\-]|年)(?P<month>\d{1,2})(?:[./\-]|月)(?P<day>\d{1,2})日?")
_DIGITS_7 = re.compile(r"(?P<era>\d)(?P<year>\d{2})(?P<month>\d{2})(?P<day>\d{2})")
_DIGITS_8 = re.compile(r"(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})")


def parse_date(text: str) -> date:
    """The date ``text`` denotes, in any form listed in the module docstring; ``EraDateError`` otherwise."""
    if not isinstance(text, str):
        raise EraDateError("日付を文字列で入力してください。", f"A date must be text, got {type(text).__name__}.")
    value = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).upper()
    if not value:
        raise EraDateError("日付を入力してください。", "Enter a date.")
    if match := _DIGITS_7.fullmatch(value):
        code = int(match["era"])
        if code not in _BY_CODE:
            raise EraDateError(
                f"7桁の日付コード「{text}」の元号の数字 {code} は使えません"
                "（1 明治・2 大正・3 昭和・4 平成・5 令和）。",
                f"Era digit {code} in the 7-digit date code {text!r} is unknown (1 Meiji, 2 Taisho, 3 Showa, "
                "4 Heisei, 5 Reiwa).",
            )
        return _era_date(_BY_CODE[code], int(match["year"]), int(match["month"]), int(match["day"]), text)
    if match := (_GREGORIAN.fullmatch(value) or _DIGITS_8.fullmatch(value)):
        return _gregorian_date(int(match["year"]), int(match["month"]), int(match["day"]), text)
    if match := _ERA_DATE.fullmatch(value):
        era = _BY_TOKEN.get(match["era"])
        if era is None:
            raise EraDateError(
                f"「{match['era']}」は元号として使えません（明治・大正・昭和・平成・令和、または M・T・S・H・R）。",
                f"Unknown era {match['era']!r} in {text!r}: use 明治 大正 昭和 平成 令和 or M T S H R.",
            )
        year = 1 if match["year"] == "元" else int(match["year"])
        return _era_date(era, year, int(match["month"]), int(match["day"]), text)
    raise EraDateError(
        f"「{text}」は日付として読めません。例: R6.4.1、令和6年4月1日、5060401、2024-04-01",
        f"{text!r} is not a date. Examples: R6.4.1, 令和6年4月1日, 5060401, 2024-04-01.",
    )


def _calendar_date(year: int, month: int, day: int, shown: str, text: str) -> date:
    if not 1 <= month <= 12:
        raise EraDateError(f"{shown}: {month}月はありません。", f"{text!r}: there is no month {month}.")
    try:
        return date(year, month, day)
    except ValueError:
        raise EraDateError(
            f"{shown}: {month}月に{day}日はありません。", f"{text!r}: month {month} has no day {day}."
        ) from None


def _gregorian_date(year: int, month: int, day: int, text: str) -> date:
    if year == 0:
        raise EraDateError(f"「{text}」: 西暦0年はありません。", f"{text!r}: there is no year 0.")
    result = _calendar_date(year, month, day, f"{year}年{month}月{day}日", text)
    _require_supported(result, text)
    return result


def _era_date(era: Era, year: int, month: int, day: int, text: str) -> date:
    shown = f"{era.name}{_year_text(year)}年{month}月{day}日"
    if year == 0:
        raise EraDateError(
            f"{shown}: 元号の年は1年（元年）から数えます。", f"{text!r}: era years start at 1 (元年), not 0."
        )
    result = _calendar_date(era.start.year + year - 1, month, day, shown, text)
    if result < era.start:
        raise EraDateError(
            f"{shown}: {era.name}は{_ja(era.start)}から始まりました。",
            f"{text!r}: the {era.english} era began on {era.start.isoformat()}.",
        )
    if era.last is not None and result > era.last:
        raise EraDateError(
            f"{shown}: {era.name}は{_ja(era.last)}で終わりました。",
            f"{text!r}: the {era.english} era ended on {era.last.isoformat()}.",
        )
    _require_supported(result, text)
    return result


def _require_supported(d: date, text: str) -> None:
    if d < FIRST_SUPPORTED_DATE:
        raise EraDateError(
            f"「{text}」: 明治6年1月1日（1873年1月1日、太陽暦の採用）より前の日付は扱えません。",
            f"{text!r}: dates before 1873-01-01 (明治6年1月1日, when Japan adopted the Gregorian calendar) are not "
            "supported.",
        )


def _ja(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _year_text(year: int) -> str:
    return "元" if year == 1 else str(year)


def to_era(d: date) -> tuple[str, int]:
    """(era name, era year) of ``d``: ``to_era(date(2019, 5, 1)) == ("令和", 1)``. On 1912-07-30 and 1926-12-25 the
    new era. ``EraDateError`` before 1873-01-01."""
    era = _era_of(d)
    return era.name, d.year - era.start.year + 1


def _era_of(d: date) -> Era:
    if not isinstance(d, date):
        raise EraDateError("日付ではありません。", f"Not a date: {d!r}.")
    _require_supported(d, d.isoformat())
    return next(era for era in reversed(ERAS) if d >= era.start)


def format_month(year: int, month: int) -> str:
    """A month in the era calendar, by the era of its first day: ``format_month(2027, 6) == "令和9年6月"``
    (``令和元年5月``; April 2019 is ``平成31年4月``, the era changed on 1 May)."""
    era = _era_of(date(year, month, 1))
    return f"{era.name}{_year_text(year - era.start.year + 1)}年{month}月"


def format_date(d: date, style: str = "long") -> str:
    """``d`` in the era calendar: long ``令和6年4月1日`` (``令和元年5月1日`` in the first year), short ``R6.4.1``."""
    era = _era_of(d)
    year = d.year - era.start.year + 1
    if style == "long":
        return f"{era.name}{_year_text(year)}年{d.month}月{d.day}日"
    if style == "short":
        return f"{era.letter}{year}.{d.month}.{d.day}"
    raise ValueError(f"style must be 'long' or 'short', got {style!r}")
