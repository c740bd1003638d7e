"""住居表示・地番管理、番地・枝番等コード管理 (住民記録システム標準仕様書 1.3.2, j240): 住居表示・区画整理における
データ及び住所を設定することができる地番（特殊地番を含む。）をマスタ管理・表示できること。ソート機能のため、番地・
枝番・部屋番号等を数値によりコード管理できること.

- The master (``models.AddressNumber``): per town of the 住所辞書, the 住居表示 numbers (街区符号・住居番号), the 地番
  where an address may be set (特殊地番 included: 無番地, 甲乙 …) and a land readjustment's 街区・画地; staff add and
  retire them, everyone at the counter reads them by town.
- The numeric codes (``kiban.standard.addresses.number_codes`` / ``sort_key``): each number's integers, kept with it
  and used to list the master and the register's extracts in address order (2番 before 10番).
"""

from __future__ import annotations

from datetime import date

from kiban.standard.addresses import number_codes

from . import masters
from .models import AddressEntry, AddressNumber
from .validation import Problems


def of_town(town_code: str, in_force_only: bool = False) -> list[AddressNumber]:
    """The town's numbers by kind, then in numeric order (``codes``), then as written."""
    found = AddressNumber.objects.filter(town_code=town_code)
    if in_force_only:
        found = found.filter(retired_on__isnull=True)
    return sorted(found, key=lambda n: (n.kind, n.codes, n.label))


def save(*, town_code: str, kind: str, label: str, special: bool = False) -> AddressNumber:
    """A number added to a town of the dictionary; ``ProcedureError`` (nothing written) for a town not in it, an
    unknown kind, an empty label, a label without a number that is not marked 特殊地番, or one recorded already."""
    problems = Problems()
    label = label.strip()
    if not AddressEntry.objects.filter(code=town_code).exists():
        problems.add("town_code", "not_found", "住所辞書にない町字です。", "Not a town of the address dictionary.")
    if kind not in AddressNumber.Kind.values:
        problems.add("kind", "invalid", "種別を選んでください。", "Choose the kind.")
    codes = number_codes(label)
    if not label or len(label) > 64:
        problems.add("label", "invalid", "番号を64文字以内で入力してください。", "Enter the number (64 at most).")
    elif not codes and not special:
        problems.add("label", "no_number", "数字のない番号は特殊地番として登録してください。",
                     "A number without digits is registered as a special lot number.")  # fmt: skip
    elif special and kind != AddressNumber.Kind.LOT:
        problems.add("special", "lot_only", "特殊地番は地番についてのみ登録できます。", "Only a lot number is special.")
    elif AddressNumber.objects.filter(town_code=town_code, kind=kind, label=label).exists():
        problems.add("label", "duplicate", f"「{label}」は登録済みです。", "Already recorded.")
    problems.raise_if_any()
    return masters.store(AddressNumber(), "residents.address_number.saved", town_code=town_code, kind=kind,
                         label=label, special=special, codes=list(codes))  # fmt: skip


def retire(number_id: int, on: date) -> AddressNumber:
    return masters.retire(AddressNumber, number_id, on, label="番号")
