"""Linking a signed-in person to their resident record, through the standard registry contract only.

The claims of the identity provider (the 基本4情報 of the My Number Card) are matched on full name, date of birth and
address. Exactly one registered resident must match; none or several are refused with an explanation, never
guessed (a wrong link would show one person another's record).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from kiban.standard.contracts import registry

PURPOSE = "住民ポータルの本人確認 (portal sign-in)"


@dataclass(frozen=True)
class Match:
    resident_id: int | None
    problem: str = ""  # "not_found", "ambiguous", "claims_missing"


def match(claims: dict[str, Any]) -> Match:
    family = claims.get("family_name") or ""
    given = claims.get("given_name") or ""
    if not (family and given) and claims.get("name"):
        family, _, given = str(claims["name"]).replace("\u3000", " ").partition(" ")
    address = (claims.get("address") or {}).get("formatted", "")
    birth = claims.get("birthdate") or ""
    if not (family and given and address and birth):
        return Match(None, "claims_missing")
    try:
        birth_date = date.fromisoformat(birth)
    except ValueError:
        return Match(None, "claims_missing")
    found = registry().identify(family, given, birth_date, address, PURPOSE)
    if len(found) == 1:
        return Match(found[0])
    return Match(None, "ambiguous" if found else "not_found")
