"""Population by district, nationality group, age and sex (住民基本台帳人口), as a CSV fit for open data.

The tabulation follows what municipalities publish monthly from the register (and what 総務省「住民基本台帳に基づく
人口、人口動態及び世帯数調査」 collects): 日本人住民 and 外国人住民 separately, by sex, in five-year age classes
(0–4 … 95–99, 100 and over), by 町字. Ages are completed years on the base date (年齢計算ニ関スル法律).
Counts only: no person can be picked out of a row (a cell is a count of people, never a name).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date

from .models import Household, Resident

AGE_CLASSES = [f"{lo}-{lo + 4}" for lo in range(0, 100, 5)] + ["100-"]
KIND_LABELS: dict[str, str] = {Resident.Kind.JAPANESE: "日本人", Resident.Kind.FOREIGN: "外国人"}


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def age_class(age: int) -> str:
    return AGE_CLASSES[min(age // 5, 20)]


def population(as_of: date) -> Counter[tuple[str, str, str, str]]:
    """(町字, 日本人/外国人, age class, sex) → residents registered on ``as_of``, from the history (a person who
    left and came back counts only while registered; a planned move-out counts until its date, 標準仕様書 j1420).
    The 町字 is the household's current one."""
    from .contract import KibanRegistry

    districts = dict(Household.objects.values_list("id", "district"))
    counts: Counter[tuple[str, str, str, str]] = Counter()
    for p in KibanRegistry().population_as_of(as_of, "住民基本台帳人口の集計"):
        if p.birth_date > as_of:
            continue
        district = districts.get(p.household_id) or "（町字なし）"
        counts[(district, KIND_LABELS.get(p.kind, p.kind), age_class(age_on(p.birth_date, as_of)), p.sex)] += 1
    return counts


def population_csv(as_of: date) -> str:
    """基準日,町字,区分,年齢階級,男,女,計 — one row per district, group and age class, then the totals."""
    counts = population(as_of)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["基準日", "町字", "区分", "年齢階級", "男", "女", "計"])
    keys = sorted({(d, k, a) for d, k, a, _ in counts}, key=lambda t: (t[0], t[1], AGE_CLASSES.index(t[2])))
    total = Counter[str]()
    for district, kind, age in keys:
        men, women = counts[(district, kind, age, "1")], counts[(district, kind, age, "2")]
        total["1"] += men
        total["2"] += women
        writer.writerow([as_of.isoformat(), district, kind, age, men, women, men + women])
    writer.writerow([as_of.isoformat(), "総数", "", "", total["1"], total["2"], total["1"] + total["2"]])
    return out.getvalue()
