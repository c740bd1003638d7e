"""The municipality's address dictionary (住所辞書管理, 住民記録システム標準仕様書 1.3.3, j250).

- ``refresh``: brought up to date from the national address book (monthly, or when needed): new towns get the next
  free code, towns gone from the national data are marked abolished (kept: 本籍 and old records use old names),
  names corrected by staff are kept.
- ``save``: staff add or correct an entry ("住所情報は、職員でも容易に修正できること").
- ``lookup``: entry assistance — a postal code gives the address; the first kana of each level
  (「ト ヒ シ」) find it; the municipality's own entries come first, then the rest of the country.

Address codes are 11 digits: the municipality's (or ward's) 5-digit JIS X 0402 code, then 3 digits of 大字 and 3
of 小字 (the standard leaves those two to the municipality: Kiban numbers the towns 001, 002 … in reading order at
the first refresh, then appends; 小字 000 when a town has none).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from kiban.platform.audit.services import record
from kiban.platform.tenants import catalog
from kiban.platform.tenants.context import current_tenant_id
from kiban.standard import address_book
from kiban.standard.text import is_katakana, normalize_kana_input

from .models import AddressEntry
from .validation import Problems


@dataclass(frozen=True)
class Refreshed:
    added: int
    abolished: int
    kept: int


@dataclass(frozen=True)
class Suggestion:
    """One lookup result: the address to fill in, and the dictionary code when it is the municipality's own."""

    address: str
    postal_code: str
    kana: str
    code: str = ""


def municipality_codes(tenant_code: str) -> list[str]:
    """The 5-digit codes whose towns belong to the municipality: its own, or its wards' for a designated city."""
    municipality = catalog.lookup(tenant_code)
    jis = tenant_code[:5]
    if municipality.kind is catalog.MunicipalityKind.DESIGNATED_CITY:
        prefecture = municipality.prefecture
        return [c for c, name in address_book.municipalities(prefecture) if c[:4] == jis[:4] and c != jis
                and name.startswith(municipality.name)]  # fmt: skip
    return [jis]


def refresh(today: date) -> Refreshed:
    """Bring the current municipality's dictionary up to date with the national address book."""
    tenant_code = current_tenant_id()
    towns = address_book.towns(municipality_codes(tenant_code))
    with transaction.atomic():
        existing = {(e.city, e.town, e.koaza): e for e in AddressEntry.objects.select_for_update()}
        next_code: dict[str, int] = {}
        for e in existing.values():
            next_code[e.code[:5]] = max(next_code.get(e.code[:5], 0), int(e.code[5:8]))
        added = kept = 0
        current = set()
        for name in towns:
            key = (name.city, name.town, "")
            current.add(key)
            entry = existing.get(key)
            if entry is not None:
                kept += 1
                if entry.abolished_on is not None and entry.source == AddressEntry.Source.NATIONAL:
                    entry.abolished_on = None
                    entry.save(update_fields=["abolished_on"])
                continue
            number = next_code.get(name.jisx0402, 0) + 1
            next_code[name.jisx0402] = number
            AddressEntry.objects.create(
                code=f"{name.jisx0402}{number:03d}000", postal_code=name.postal_code, prefecture=name.prefecture,
                city=name.city, town=name.town, town_kana=name.town_kana,
            )  # fmt: skip
            added += 1
        gone = [e for key, e in existing.items() if key not in current and e.source == AddressEntry.Source.NATIONAL
                and e.abolished_on is None]  # fmt: skip
        for e in gone:
            e.abolished_on = today
            e.save(update_fields=["abolished_on"])
        record("residents.address_dictionary.refreshed", "address_dictionary", tenant_code,
               purpose=f"added {added}, abolished {len(gone)}")  # fmt: skip
    return Refreshed(added, len(gone), kept)


def save(*, town: str, town_kana: str, postal_code: str = "", koaza: str = "", koaza_kana: str = "",
         code: str = "", city: str = "") -> AddressEntry:  # fmt: skip
    """A staff entry: corrects the entry with ``code`` (names, kana, postal code), or adds a town (or a 小字 of a
    town) with the next free code. The municipality and prefecture are the tenant's."""
    problems = Problems()
    kana = normalize_kana_input(town_kana).strip()
    if not town.strip():
        problems.add("town", "required", "大字・町名を入力してください。", "Enter the town name.")
    if not is_katakana(kana):
        problems.add("town_kana", "not_katakana", "大字・町名カナはカタカナで入力してください。",
                     "Enter the town's kana.")  # fmt: skip
    if koaza_kana and not is_katakana(koaza_kana):
        problems.add("koaza_kana", "not_katakana", "小字カナはカタカナで入力してください。", "Enter the 小字's kana.")
    digits = unicodedata.normalize("NFKC", postal_code).replace("-", "").strip()
    if digits and not (len(digits) == 7 and digits.isdigit()):
        problems.add("postal_code", "invalid", "郵便番号は7桁の数字です。", "The postal code is 7 digits.")
    entry = AddressEntry.objects.filter(code=code).first() if code else None
    if code and entry is None:
        problems.add("code", "not_found", f"住所コード {code} は辞書にありません。", f"No entry {code}.")
    municipality = catalog.lookup(current_tenant_id())
    own = dict(
        (c, n) for c, n in address_book.municipalities(municipality.prefecture)
        if c in municipality_codes(municipality.code)
    ) or {municipality.code[:5]: municipality.name}  # fmt: skip
    jis = next((c for c, n in own.items() if n == city), None) if city else next(iter(own))
    if not code and jis is None:
        problems.add("city", "invalid", f"「{city}」はこの団体の市区町村（区）ではありません。",
                     "Not this municipality or one of its wards.")  # fmt: skip
    problems.raise_if_any()
    with transaction.atomic():
        if entry is None:
            assert jis is not None
            same_town = AddressEntry.objects.filter(code__startswith=jis, town=town.strip()).order_by("code").first()
            if koaza and same_town is not None:
                last = AddressEntry.objects.filter(code__startswith=same_town.code[:8]).order_by("-code").first()
                new_code = f"{same_town.code[:8]}{int(last.code[8:]) + 1 if last else 1:03d}"
            else:
                last = AddressEntry.objects.filter(code__startswith=jis).order_by("-code").first()
                new_code = f"{jis}{(int(last.code[5:8]) if last else 0) + 1:03d}{'001' if koaza else '000'}"
            entry = AddressEntry(code=new_code, prefecture=municipality.prefecture, city=own[jis],
                                 source=AddressEntry.Source.STAFF)  # fmt: skip
        entry.town, entry.town_kana, entry.postal_code = town.strip(), kana, digits
        entry.koaza, entry.koaza_kana = koaza.strip(), normalize_kana_input(koaza_kana).strip()
        entry.source = AddressEntry.Source.STAFF
        entry.save()
        record("residents.address_dictionary.saved", "address_entry", entry.code)
    return entry


def lookup(*, postal_code: str = "", kana: str = "", limit: int = 30) -> list[Suggestion]:
    """Entry assistance by postal code or by kana initials: the municipality's entries in force first, then the
    national address book (for 前住所, 転出先 and 本籍 elsewhere)."""
    own: list[Suggestion] = []
    entries = AddressEntry.objects.filter(abolished_on__isnull=True)
    national: list[address_book.AddressName] = []
    if postal_code:
        digits = unicodedata.normalize("NFKC", postal_code).replace("-", "").strip()
        entries = entries.filter(postal_code=digits)
        national = address_book.by_postal_code(digits)
    elif kana:
        national = address_book.by_kana_initials(kana, limit)
        parts = normalize_kana_input(unicodedata.normalize("NFKC", kana)).split()
        entries = entries.filter(town_kana__startswith=parts[-1]) if len(parts) == 1 else entries.none()
    else:
        return []
    for e in entries.order_by("code")[:limit]:
        own.append(Suggestion(e.address, e.postal_code, e.town_kana + e.koaza_kana, e.code))
    seen = {s.address for s in own}
    rest = [Suggestion(n.address, n.postal_code, n.prefecture_kana + n.city_kana + n.town_kana) for n in national
            if n.address not in seen]  # fmt: skip
    return (own + rest)[:limit]
