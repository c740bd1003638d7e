"""The catalog of all 1,741 municipalities, shipped as ``data/municipalities.csv`` (sources in its header)."""

from __future__ import annotations

import csv
import enum
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


__all__ = [
    "InvalidLocalGovernmentCode",
    "Municipality",
    "MunicipalityKind",
    "UnknownMunicipality",
    "lookup",
    "municipalities",
]
