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

from kiban.standard.codes import ChangeReason

from . import services
from .models import Household, Resident

AGE_CLASSES = [f"{lo}-{lo + 4}" for lo in range(0, 100, 5)] + ["100-"]
KIND_LABELS: dict[str, str] = {Resident.Kind.JAPANESE: "日本人", Resident.Kind.FOREIGN: "外国人"}


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def age_class(age: int) -> str:
    return AGE_CLASSES[min(age // 5, 20)]


def population(as_of: date) -> Counter[tuple[str, str, str, str]]:
    """(町字, 日本人/外国人, age class, sex) → residents registered on ``as_of``, from the history (a person who
    left and came back counts only while registered; a planned move-out counts until its date, 標準仕様書 6.1 j1080).
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


# 住民基本台帳関係年報 (標準仕様書 6.1 統計, j1080): the figures of 総務省「住民基本台帳に基づく人口、人口動態及び
# 世帯数調査」 — population and households on the last day, and the movements of the period by kind. 転入 and 転出
# include moves from and to abroad, as that survey counts them; everything else recorded or removed is その他.
MOVEMENTS = ("転入", "出生", "その他記載", "転出", "死亡", "その他消除")
_MOVEMENT_OF: dict[str, str] = {
    ChangeReason.MOVE_IN_DOMESTIC: "転入",
    ChangeReason.MOVE_IN_FROM_ABROAD: "転入",
    ChangeReason.BIRTH: "出生",
    ChangeReason.ENTRY_NATURALIZATION: "その他記載",
    ChangeReason.ENTRY_LOSS_OF_NATIONALITY: "その他記載",
    ChangeReason.ENTRY_EX_OFFICIO: "その他記載",
    ChangeReason.MOVE_OUT_DOMESTIC: "転出",
    ChangeReason.MOVE_OUT_ABROAD: "転出",
    ChangeReason.DEATH: "死亡",
    ChangeReason.REMOVAL_NATURALIZATION: "その他消除",
    ChangeReason.REMOVAL_LOSS_OF_NATIONALITY: "その他消除",
    ChangeReason.REMOVAL_EX_OFFICIO: "その他消除",
}


def annual_report(start: date, end: date) -> dict[str, dict[str, int]]:
    """日本人 / 外国人 / 計 → 人口(男, 女, 計) and 世帯数 on ``end``, and the persons of each movement kind whose
    change took effect from ``start`` to ``end`` (both included). Undone procedures (異動の取消し) never count:
    the history read is the one in effect (``services.history_in_effect``). A household counts in the group of its
    members (日本人のみ / 外国人のみ counted in their group, 混合世帯 in both, once in 計, as the survey does)."""
    from .contract import KibanRegistry

    rows: dict[str, dict[str, int]] = {
        k: dict.fromkeys(("男", "女", "計", "世帯数", *MOVEMENTS), 0) for k in (*KIND_LABELS.values(), "計")
    }
    households: dict[str, set[int]] = {k: set() for k in rows}
    for p in KibanRegistry().population_as_of(end, "住民基本台帳関係年報の集計"):
        for group in (KIND_LABELS.get(p.kind, p.kind), "計"):
            rows[group]["男" if p.sex == "1" else "女"] += 1
            rows[group]["計"] += 1
            households[group].add(p.household_id)
    for group, ids in households.items():
        rows[group]["世帯数"] = len(ids)
    moves = services.history_in_effect().filter(
        effective_on__gte=start, effective_on__lte=end, kind__in=list(_MOVEMENT_OF)
    )
    for kind, snapshot_kind in moves.values_list("kind", "snapshot__kind").iterator(chunk_size=10000):
        for group in (KIND_LABELS.get(snapshot_kind, snapshot_kind), "計"):
            rows[group][_MOVEMENT_OF[kind]] += 1
    return rows


def annual_report_csv(start: date, end: date) -> str:
    """期間開始,期間終了,区分,男,女,計,世帯数,転入,出生,その他記載,転出,死亡,その他消除 — 日本人, 外国人, 計."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    header = ["男", "女", "計", "世帯数", *MOVEMENTS]
    writer.writerow(["期間開始", "期間終了", "区分", *header])
    for group, figures in annual_report(start, end).items():
        writer.writerow([start.isoformat(), end.isoformat(), group, *(figures[h] for h in header)])
    return out.getvalue()
