"""Statistical tables the generator draws from, each with its source.

Figures marked "approximate" are rounded or partly estimated; they shape realistic data, they are not statistics
to publish. The age pyramid is a data file (``data/age_pyramid.csv``, source in its header).
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

AGE_PYRAMID_PATH = Path(__file__).with_name("data") / "age_pyramid.csv"
MAX_AGE = 104


@cache
def age_pyramid() -> tuple[tuple[int, int, int, int], ...]:
    """Rows (age_from, age_to, male, female) of the national population by 5-year group, in thousands."""
    with AGE_PYRAMID_PATH.open(encoding="utf-8", newline="") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return tuple((int(r["age_from"]), int(r["age_to"]), int(r["male"]), int(r["female"])) for r in rows)


@cache
def single_year_weights() -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Population by single year of age 0..MAX_AGE for (male, female): each 5-year group spread evenly."""
    male = [0.0] * (MAX_AGE + 1)
    female = [0.0] * (MAX_AGE + 1)
    for age_from, age_to, m, f in age_pyramid():
        width = age_to - age_from + 1
        for age in range(age_from, age_to + 1):
            male[age] = m / width
            female[age] = f / width
    return tuple(male), tuple(female)


# 一般世帯 by family type (世帯の家族類型), share of households, 令和2年国勢調査 (2020 census)
# 人口等基本集計 結果の概要: 単独世帯 38.0%, 夫婦のみ 20.1%, 夫婦と子供 25.0%, ひとり親と子供 9.0%,
# 核家族以外の世帯 (mostly three generations) 6.8%,
# 非親族を含む世帯 0.9% (approximate: rounded shares as published in the summary; they add up to 99.8%).
# The household size distribution is not drawn directly: it follows from these types and the numbers of children
# below, and comes out near the census one (1 person 38%, 2 persons about 28%, mean about 2.2; approximate).
HOUSEHOLD_TYPES: tuple[tuple[str, float], ...] = (
    ("single", 38.0),
    ("couple", 20.1),
    ("couple_children", 25.0),
    ("lone_parent", 9.0),
    ("three_generations", 6.8),
    ("with_lodger", 0.9),
)

# Tokyo's special wards: 単独世帯 about 50% of households (令和2年国勢調査, 東京都区部; approximate). The other
# types keep their national proportions among the rest.
SINGLE_SHARE_SPECIAL_WARDS = 50.0

# Number of children in couple-with-children and lone-parent households (approximate, fitted to the census size
# distribution above: 夫婦と子供 households average about 3.6 persons, ひとり親と子供 about 2.4).
CHILDREN_OF_COUPLE: tuple[tuple[int, float], ...] = ((1, 42.0), (2, 43.0), (3, 13.0), (4, 2.0))
CHILDREN_OF_LONE_PARENT: tuple[tuple[int, float], ...] = ((1, 65.0), (2, 28.0), (3, 7.0))
LONE_FATHER_SHARE = 1.3 / 9.0  # 男親と子供 1.3% vs 女親と子供 7.7% of households (2020 census)

# Share of residents who are foreign (外国人住民): 3,410,992 at the end of 2023 (出入国在留管理庁「在留外国人統計」
# 令和5年末) against 124.35 million (人口推計 2023-10-01): 2.74%.
FOREIGN_SHARE = 0.0274

# Nationality (国籍・地域) of foreign residents, persons. 出入国在留管理庁「令和5年末現在における在留外国人数について」
# (press release 2024-03-22): 中国 821,838, ベトナム 565,026, 韓国 410,156, フィリピン 322,046, ブラジル 211,840.
# 6th to 10th from the release of 2023-10-13 (令和5年6月末): ネパール 156,333, インドネシア 122,028, ミャンマー 69,613,
# 米国 62,425, 台湾 60,220. The rest (about 609,000 of 195 nationalities) is drawn as 米国 / その他 below (approximate).
NATIONALITIES: tuple[tuple[str, int], ...] = (
    ("中国", 821_838),
    ("ベトナム", 565_026),
    ("韓国", 410_156),
    ("フィリピン", 322_046),
    ("ブラジル", 211_840),
    ("ネパール", 156_333),
    ("インドネシア", 122_028),
    ("ミャンマー", 69_613),
    ("米国", 62_425),
    ("台湾", 60_220),
)

# Residence status (在留資格) by nationality, relative weights (approximate). National totals at the end of 2023
# (same release): 永住者 891,569, 技能実習 404,556, 技術・人文知識・国際業務 362,346, 留学 340,883, 特別永住者 281,218;
# 家族滞在, 定住者, 特定技能, 日本人の配偶者等 follow at about 150,000–270,000 each. How they split by nationality is
# the generator's estimate (特別永住者 nearly all 韓国/朝鮮, 技能実習 mostly ベトナム・インドネシア・フィリピン・
# ミャンマー,
# 定住者 mostly ブラジル・フィリピン), not a published cross-table.
STATUSES_BY_NATIONALITY: dict[str, tuple[tuple[str, float], ...]] = {
    "中国": (
        ("永住者", 35),
        ("技術・人文知識・国際業務", 15),
        ("留学", 17),
        ("家族滞在", 10),
        ("技能実習", 4),
        ("日本人の配偶者等", 4),
        ("定住者", 4),
        ("経営・管理", 3),
        ("特定技能", 2),
        ("特別永住者", 0.1),
    ),
    "ベトナム": (
        ("技能実習", 35),
        ("特定技能", 20),
        ("技術・人文知識・国際業務", 15),
        ("留学", 9),
        ("家族滞在", 6),
        ("永住者", 5),
        ("日本人の配偶者等", 1),
    ),
    "韓国": (
        ("特別永住者", 60),
        ("永住者", 18),
        ("技術・人文知識・国際業務", 8),
        ("留学", 4),
        ("日本人の配偶者等", 5),
        ("家族滞在", 3),
    ),
    "フィリピン": (
        ("永住者", 45),
        ("定住者", 17),
        ("日本人の配偶者等", 10),
        ("技能実習", 10),
        ("特定技能", 8),
        ("技術・人文知識・国際業務", 3),
    ),
    "ブラジル": (("永住者", 55), ("定住者", 35), ("日本人の配偶者等", 8), ("永住者の配偶者等", 2)),
    "ネパール": (
        ("家族滞在", 30),
        ("留学", 25),
        ("技能", 12),
        ("技術・人文知識・国際業務", 20),
        ("永住者", 5),
        ("特定技能", 5),
    ),
    "インドネシア": (("技能実習", 50), ("特定技能", 25), ("留学", 7), ("技術・人文知識・国際業務", 8), ("永住者", 5)),
    "ミャンマー": (("技能実習", 40), ("特定技能", 20), ("留学", 15), ("技術・人文知識・国際業務", 15), ("永住者", 5)),
    "米国": (("永住者", 40), ("技術・人文知識・国際業務", 20), ("日本人の配偶者等", 20), ("教育", 10), ("家族滞在", 5)),
    "台湾": (("永住者", 45), ("技術・人文知識・国際業務", 25), ("留学", 15), ("日本人の配偶者等", 10)),
}

# Statuses without a period of stay (在留期間 無期限) and those that cannot bring a family (技能実習, 特定技能1号,
# 留学 rarely does: modelled as single or sharing with compatriots as 同居人).
PERMANENT_STATUSES = frozenset({"永住者", "特別永住者"})
WORKER_STATUSES = frozenset({"技能実習", "特定技能", "留学"})
# Adult age band (inclusive) of each status's holders (approximate).
STATUS_AGES: dict[str, tuple[int, int]] = {
    "技能実習": (19, 35),
    "特定技能": (20, 40),
    "留学": (18, 30),
    "技術・人文知識・国際業務": (22, 50),
    "技能": (25, 55),
    "経営・管理": (30, 65),
    "教育": (25, 60),
    "家族滞在": (22, 50),
    "日本人の配偶者等": (22, 60),
    "永住者の配偶者等": (22, 60),
    "定住者": (20, 70),
    "永住者": (25, 85),
    "特別永住者": (20, 95),
}
# Share of foreign residents who register a 通称 (alias name), by status (approximate: common among special
# permanent residents, rare otherwise).
ALIAS_SHARE: dict[str, float] = {"特別永住者": 0.6, "永住者": 0.1, "日本人の配偶者等": 0.1, "定住者": 0.05}
