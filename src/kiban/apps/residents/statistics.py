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

from django.db.models import Q

from .models import Resident

AGE_CLASSES = [f"{lo}-{lo + 4}" for lo in range(0, 100, 5)] + ["100-"]
KIND_LABELS = {Resident.Kind.JAPANESE: "日本人", Resident.Kind.FOREIGN: "外国人"}


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def age_class(age: int) -> str:
    return AGE_CLASSES[min(age // 5, 20)]


def population(as_of: date) -> Counter[tuple[str, str, str, str]]:
    """(町字, 日本人/外国人, age class, sex) → residents registered on ``as_of``.

    Registration on the date comes from 住民となった年月日 and 消除日; the 町字 is the household's current one."""
    registered = Resident.objects.filter(Q(became_resident_on__lte=as_of) | Q(became_resident_on__isnull=True)).filter(
        Q(removed_on__isnull=True) | Q(removed_on__gt=as_of), birth_date__lte=as_of
    )
    counts: Counter[tuple[str, str, str, str]] = Counter()
    rows = registered.values_list("household__district", "kind", "birth_date", "sex").iterator(chunk_size=5000)
    for district, kind, birth, sex in rows:
        counts[(district or "（町字なし）", KIND_LABELS.get(kind, kind), age_class(age_on(birth, as_of)), sex)] += 1
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
