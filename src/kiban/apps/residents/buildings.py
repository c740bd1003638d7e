"""方書 (building names) by address: the master staff maintain (住民記録システム標準仕様書 1.3.4 方書管理, j260) and
the candidates offered when an address is entered (4.0.7 方書入力補助, j520).

The standard: 方書（アパートやマンション、寮等）を登録管理できること。また、住所に応じた方書が紐付けられていること
(1.3.4) — each building belongs to one address (番地 included); 入力された住所地番に対応する方書を候補として選択できる
こと (4.0.7) — ``candidates`` gives the buildings in force at the address typed. 実装しない機能 (4.0.7): 方書から住所
地番を候補として選択できること — nothing here looks an address up from a building's name: every read is by address.

Addresses are matched by ``address_key``: ``kiban.standard.addresses.normalize_address`` (NFKC, no spaces, kanji
numerals before 丁目・番・号 as digits, 丁目・番地・番・号・の and dashes all one mark), so 「九段南一丁目2番1号」,
「九段南１丁目２番１号」 and 「九段南1-2-1」 match.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import F

from kiban.platform.audit.actor import actor_label
from kiban.platform.audit.services import record
from kiban.platform.tenants import catalog
from kiban.platform.tenants.context import current_tenant_id
from kiban.standard.addresses import normalize_address
from kiban.standard.text import is_katakana, normalize_kana_input

from . import masters
from .models import Building, Household
from .validation import Problems


def address_key(address: str) -> str:
    """The address as buildings are matched on it (see the module's docstring)."""
    return normalize_address(address)


def candidates(address: str) -> list[str]:
    """The 方書 in force at this address (4.0.7), by kana then name; none for an empty address."""
    key = address_key(address)
    if not key:
        return []
    found = Building.objects.filter(address_key=key, retired_on__isnull=True).order_by("name_kana", "name")
    return list(found.values_list("name", flat=True))


def at(address: str) -> list[Building]:
    """Every building recorded at this address, retired ones included, for the maintenance page."""
    key = address_key(address)
    in_force_first = F("retired_on").asc(nulls_first=True)
    return list(Building.objects.filter(address_key=key).order_by(in_force_first, "name_kana", "name")) if key else []


def _municipality_prefix() -> str:
    return catalog.lookup(current_tenant_id()).full_name


def save(*, address: str, name: str, name_kana: str = "", building_id: int | None = None) -> Building:
    """Add a building at an address of this municipality, or correct one (``building_id``); ``ProcedureError``
    (nothing written) for an empty or foreign address, an empty name, kana that is not katakana, or a building of
    that name already at that address."""
    problems = Problems()
    address, name, kana = address.strip(), name.strip(), normalize_kana_input(name_kana).strip()
    existing = Building.objects.filter(id=building_id).first() if building_id is not None else None
    if building_id is not None and existing is None:
        problems.add("building", "not_found", "方書が見つかりません。", "No such building.")
    prefix = _municipality_prefix()
    if not address:
        problems.add("address", "required", "住所を入力してください。", "Enter the address.")
    elif not address_key(address).startswith(address_key(prefix)):
        problems.add("address", "not_here", f"{prefix}の住所を入力してください。",
                     "Enter an address of this municipality.")  # fmt: skip
    if not name:
        problems.add("name", "required", "方書を入力してください。", "Enter the building's name.")
    elif len(name) > Building._meta.get_field("name").max_length:  # type: ignore[operator]
        problems.add("name", "too_long", "方書が長すぎます（128文字まで）。", "The name is too long (128 characters).")
    if kana and not is_katakana(kana):
        problems.add("name_kana", "not_katakana", "方書カナはカタカナで入力してください。", "Enter katakana.")
    key = address_key(address)
    if address and name and Building.objects.filter(address_key=key, name=name).exclude(id=building_id).exists():
        problems.add("name", "duplicate", f"「{name}」はこの住所に登録済みです。", "Already recorded at this address.")
    problems.raise_if_any()
    return masters.store(existing or Building(), "residents.building.saved", address=address, address_key=key,
                         name=name, name_kana=kana)  # fmt: skip


def retire(building_id: int, retired_on: date) -> Building:
    """The building is gone (取壊し等): no longer offered, kept for the records that name it."""
    return masters.retire(Building, building_id, retired_on, field="building", label="方書")


def take_from_register() -> int:
    """The buildings of the households on the register that the master lacks, added (a start for a municipality
    beginning its master, or after a migration); returns how many. Reads addresses and buildings only, no person."""
    known = set(Building.objects.values_list("address_key", "name"))
    on_register = Household.objects.exclude(building="").values_list("address", "building").distinct()
    pairs = {(address_key(a), a.strip(), b.strip()) for a, b in on_register}
    new = {(key, name): address for key, address, name in sorted(pairs) if name and (key, name) not in known}
    actor = actor_label()
    with transaction.atomic():
        Building.objects.bulk_create(
            Building(address=address, address_key=key, name=name, recorded_by=actor)
            for (key, name), address in new.items()
        )
        record("residents.building.taken_from_register", "building", "", fields_read=["address", "building"],
               purpose=f"added {len(new)}")  # fmt: skip
    return len(new)
