"""The catalog of all 1,741 municipalities, shipped as ``data/municipalities.csv`` (sources in its header)."""

from __future__ import annotations

import csv
import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .codes import InvalidLocalGovernmentCode, validate_code

CATALOG_PATH = Path(__file__).with_name("data") / "municipalities.csv"


class MunicipalityKind(enum.StrEnum):
    """Kinds of municipality (地方自治法 252条の19 指定都市, 252条の22 中核市, 281条 特別区, 市町村)."""

    DESIGNATED_CITY = "designated_city"  # 政令指定都市
    CORE_CITY = "core_city"  # 中核市
    SPECIAL_WARD = "special_ward"  # 特別区
    CITY = "city"  # 市
    TOWN = "town"  # 町
    VILLAGE = "village"  # 村

    @property
    def label_ja(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    MunicipalityKind.DESIGNATED_CITY: "政令指定都市",
    MunicipalityKind.CORE_CITY: "中核市",
    MunicipalityKind.SPECIAL_WARD: "特別区",
    MunicipalityKind.CITY: "市",
    MunicipalityKind.TOWN: "町",
    MunicipalityKind.VILLAGE: "村",
}


@dataclass(frozen=True, slots=True)
class Municipality:
    code: str
    prefecture_code: str
    prefecture: str
    name: str
    kana: str
    kind: MunicipalityKind
    population: int

    @property
    def full_name(self) -> str:
        """The prefecture and the municipality, as an address begins: 東京都千代田区, 北海道札幌市."""
        return f"{self.prefecture}{self.name}"


class UnknownMunicipality(LookupError):
    """A valid-looking code that is not in the catalog."""


def _read(path: Path) -> dict[str, Municipality]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        catalog: dict[str, Municipality] = {}
        for row in rows:
            code = validate_code(row["code"])
            catalog[code] = Municipality(
                code=code,
                prefecture_code=row["prefecture_code"],
                prefecture=row["prefecture"],
                name=row["name"],
                kana=row["kana"],
                kind=MunicipalityKind(row["kind"]),
                population=int(row["population"]),
            )
    return catalog


@cache
def municipalities() -> dict[str, Municipality]:
    """All municipalities by code, read once from the shipped data file."""
    return _read(CATALOG_PATH)


def lookup(code: str) -> Municipality:
    """The catalog entry for ``code``; raises with the reason if the code is malformed or unknown."""
    validate_code(code)
    try:
        return municipalities()[code]
    except KeyError:
        raise UnknownMunicipality(
            f"{code}: a well-formed code, but not one of the {len(municipalities())} municipalities in the catalog"
        ) from None


_COUNTY = re.compile(r"^[^都道府県市区町村郡]{1,6}郡")


def _by_prefix(text: str, candidates: Iterable[Municipality]) -> list[Municipality]:
    """The candidates whose name ``text`` starts with (directly, or after a county's name: 「邑楽郡千代田町」), longest
    name first."""
    rest = _COUNTY.sub("", text, count=1)
    found = [m for m in candidates if text.startswith(m.name) or rest.startswith(m.name)]
    return sorted(found, key=lambda m: -len(m.name))


def in_address(text: str) -> Municipality | None:
    """The municipality an address or a 本籍 is in, read from its beginning: the prefecture and the municipality's name
    as in the catalog (「東京都千代田区千代田1番」, 「神奈川県横浜市中区…」: a designated city's ward falls in the city,
    「群馬県邑楽郡千代田町…」: a county's name is passed over). Without the prefecture the name alone must be the one
    municipality of that name (「千代田区…」 yes, 「府中市…」 no: Tokyo's and Hiroshima's). ``None`` when it cannot be
    told; never a guess."""
    compact = "".join(text.split())
    if not compact:
        return None
    all_ = municipalities().values()
    prefectures = {m.prefecture for m in all_}
    prefecture = next((p for p in prefectures if compact.startswith(p)), None)
    if prefecture is not None:
        found = _by_prefix(compact[len(prefecture) :], (m for m in all_ if m.prefecture == prefecture))
        return found[0] if found else None
    found = _by_prefix(compact, all_)
    if not found or (len(found) > 1 and found[1].name == found[0].name):
        return None
    return found[0]


__all__ = [
    "InvalidLocalGovernmentCode",
    "Municipality",
    "MunicipalityKind",
    "UnknownMunicipality",
    "in_address",
    "lookup",
    "municipalities",
]
