"""EUC機能 (住民記録システム標準仕様書 10.1, j1360): staff draw their own lists from the register — conditions on any
item, the persons (with the items chosen) or only their number, on screen, as CSV or XML, or as address labels.

- **Data source** (``ITEMS``): the register's items under the names of the resident items of 中間標準レイアウト (those
  Kiban's layout model ``docs/migration/layouts/chukan-standard-2.7-residents.yaml`` carries: 住民票コード, 世帯番号,
  氏・名 and their カナ, 生年月日, 性別, 続柄, 住所・方書, 住民となった年月日, 住定日, 本籍・筆頭者, the foreign
  residents' items, 消除日・事由) and 年齢 (as of the day chosen). Both 住民 and 除票 (``population``). The 個人番号
  is not a data source: 番号法 limits its use to the procedures it lists, and a free list is not one of them.
- **Conditions**: the wizard offers item, operator and value per line, all or any to hold (``Condition``); the same
  can be written directly (``parse``: ``年齢 >= 65 & 町字 = 九段南 | 性別 = 女``: ``&`` binds before ``|``; operators
  ``= != > >= < <= ~`` (contains) ``^=`` (starts with)). Every condition becomes a database filter (年齢 a range of
  生年月日), so a large municipality is filtered by PostgreSQL, not in Python.
- **Output**: 該当者数 alone (one audited count), or the persons: each output is an audited list of who was read
  (``resident.listed``, with the purpose), capped at ``MAX_ROWS``. CSV is UTF-8 with a BOM (spreadsheets read it),
  or Shift_JIS (CP932) with the characters it lacks replaced by 〓 (ゲタ) and counted.

Not built (partial): the standard's own データ項目名称・桁数・コード of 中間標準レイアウト for every item (its item list
could not be read), functions (関数) in expressions, saved queries, PDF lists (the labels are PDF).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from django.db.models import Q, QuerySet
from django.utils import timezone

from kiban.platform.audit.services import Event, record, record_many
from kiban.standard.addresses import sort_key
from kiban.standard.era import EraDateError, parse_date

from . import extracts, mail_names, selectors
from .models import Resident
from .validation import Problems

MAX_ROWS = 50_000  # persons in one output (the count is not capped); a larger list is drawn in parts by condition


@dataclass(frozen=True)
class Item:
    title: str
    path: str  # the ORM path; "" for 年齢 (computed from 生年月日)
    kind: str  # text / date / number / age


ITEMS: dict[str, Item] = {
    "resident_code": Item("住民票コード", "resident_code", "text"),
    "household_number": Item("世帯番号", "household_id", "number"),
    "family_name": Item("氏", "family_name", "text"),
    "given_name": Item("名", "given_name", "text"),
    "family_name_kana": Item("氏カナ", "family_name_kana", "text"),
    "given_name_kana": Item("名カナ", "given_name_kana", "text"),
    "birth_date": Item("生年月日", "birth_date", "date"),
    "age": Item("年齢", "", "age"),
    "sex": Item("性別", "sex", "text"),
    "relationship": Item("続柄", "relationship", "text"),
    "kind": Item("住民区分", "kind", "text"),
    "status": Item("住民状態", "status", "text"),
    "postal_code": Item("郵便番号", "household__postal_code", "text"),
    "address": Item("住所", "household__address", "text"),
    "district": Item("町字", "household__district", "text"),
    "building": Item("方書", "household__building", "text"),
    "became_resident_on": Item("住民となった年月日", "became_resident_on", "date"),
    "moved_in_on": Item("住定日", "moved_in_on", "date"),
    "previous_address": Item("前住所", "previous_address", "text"),
    "domicile": Item("本籍", "domicile", "text"),
    "domicile_head": Item("筆頭者", "domicile_head", "text"),
    "nationality": Item("国籍・地域コード", "nationality", "text"),
    "residence_status": Item("在留資格", "residence_status", "text"),
    "period_of_stay_until": Item("在留期間の満了の日", "period_of_stay_until", "date"),
    "removed_on": Item("消除日", "removed_on", "date"),
    "removal_reason": Item("消除事由", "removal_reason", "text"),
}
BY_TITLE = {item.title: key for key, item in ITEMS.items()}
OPERATORS = {"=": "等しい", "!=": "等しくない", ">": "より大きい", ">=": "以上", "<": "より小さい", "<=": "以下",
             "~": "を含む", "^=": "で始まる"}  # fmt: skip
POPULATIONS = {"current": "住民", "removed": "除票", "all": "住民と除票"}
# Values shown as the register's codes are written (性別 1/2 …); a condition may name them in words.
WORDS = {"sex": {"男": "1", "女": "2"}, "kind": {"日本人": "japanese", "外国人": "foreign"},
         "status": {"住民": "registered", "除票": "removed"}}  # fmt: skip


@dataclass(frozen=True)
class Condition:
    item: str
    operator: str
    value: str


@dataclass(frozen=True)
class Query:
    """What to draw: ``groups`` of conditions that must all hold, any group sufficing (written ``a & b | c``)."""

    groups: tuple[tuple[Condition, ...], ...]
    population: str = "current"
    base_date: date | None = None  # 年齢 as of this day (today when None)


_TOKEN = re.compile(
    r"\s*(?P<item>[^\s=!<>~^&|]+)\s*(?P<op>!=|>=|<=|\^=|=|>|<|~)\s*(?P<value>[^\s=!<>~^&|][^&|]*?)\s*$"
)  # a value is not empty and does not start with an operator's character (「年齢 >>= 3」 is not read)


def parse(text: str) -> tuple[tuple[Condition, ...], ...]:
    """A condition written directly: ``年齢 >= 65 & 町字 = 九段南 | 性別 = 女`` (items by their titles); ``ValueError``
    naming the part that is not understood."""
    groups = []
    for alternative in text.split("|"):
        conditions = []
        for part in alternative.split("&"):
            match = _TOKEN.match(part)
            if not match or match.group("item") not in BY_TITLE:
                raise ValueError(part.strip() or text)
            value = match.group("value").strip().strip('"「」')
            conditions.append(Condition(BY_TITLE[match.group("item")], match.group("op"), value))
        groups.append(tuple(conditions))
    return tuple(groups)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def _age_filter(operator: str, age: int, base: date) -> Q:
    """年齢 as a range of 生年月日 on ``base``: aged N or more ⇔ born on or before base − N years."""
    at_least = lambda n: Q(birth_date__lte=_years_before(base, n))  # noqa: E731
    below = lambda n: Q(birth_date__gt=_years_before(base, n))  # noqa: E731
    return {
        "=": at_least(age) & below(age + 1),
        "!=": ~(at_least(age) & below(age + 1)),
        ">=": at_least(age),
        ">": at_least(age + 1),
        "<": below(age),
        "<=": below(age + 1),
    }[operator]


def _filter(condition: Condition, base: date, problems: Problems, at: str) -> Q:
    item = ITEMS.get(condition.item)
    if item is None:
        problems.add(at, "unknown_item", f"項目「{condition.item}」はありません。", f"No item {condition.item!r}.")
        return Q()
    if condition.operator not in OPERATORS:
        problems.add(at, "unknown_operator", f"演算子「{condition.operator}」は使えません。", "Unknown operator.")
        return Q()
    raw = WORDS.get(condition.item, {}).get(condition.value, condition.value)
    value: Any = raw
    if item.kind in ("age", "number"):
        if not raw.isdigit() or condition.operator in ("~", "^="):
            problems.add(at, "invalid", f"{item.title}は数で比べてください。", f"{item.title} compares as a number.")
            return Q()
        value = int(raw)
        if item.kind == "age":
            return _age_filter(condition.operator, value, base)
    elif item.kind == "date":
        try:
            value = parse_date(raw)
        except EraDateError as exc:
            problems.add(at, "invalid", f"{item.title}: {exc.ja}", exc.en)
            return Q()
        if condition.operator in ("~", "^="):
            problems.add(at, "invalid", f"{item.title}は日付で比べてください。", f"{item.title} compares as a date.")
            return Q()
    lookup = {"=": "exact", "!=": "exact", ">": "gt", ">=": "gte", "<": "lt", "<=": "lte", "~": "contains",
              "^=": "startswith"}[condition.operator]  # fmt: skip
    found = Q(**{f"{item.path}__{lookup}": value})
    return ~found if condition.operator == "!=" else found


def queryset(query: Query) -> QuerySet[Resident]:
    """The persons the query draws, in 住所・生年月日 order; ``ProcedureError`` naming each condition not understood."""
    problems = Problems()
    base = query.base_date or timezone.localdate()
    if query.population not in POPULATIONS:
        problems.add("population", "invalid", "対象（住民・除票）を選んでください。", "Choose the population.")
    if not query.groups or not any(query.groups):
        problems.add("conditions", "required", "条件を一つ以上入力してください。", "Enter at least one condition.")
    any_of = Q()
    for g, group in enumerate(query.groups):
        all_of = Q()
        for c, condition in enumerate(group):
            all_of &= _filter(condition, base, problems, f"conditions.{g}.{c}")
        any_of |= all_of
    problems.raise_if_any()
    found = Resident.objects.filter(any_of)
    if query.population == "current":
        found = found.filter(selectors.current())
    elif query.population == "removed":
        found = found.exclude(selectors.current())
    return found.order_by("household__address", "birth_date", "id")


def count(query: Query, purpose: str, described: str) -> int:
    """該当者数 alone: no person's item is read; the count and the condition are audited."""
    total = queryset(query).count()
    record("resident.euc.counted", "euc", "", [], f"{purpose} [{described}] {total}名"[:200])
    return total


def rows(query: Query, items: Sequence[str], purpose: str) -> list[dict[str, Any]]:
    """The persons drawn with the ``items`` chosen (at most ``MAX_ROWS``; ``ProcedureError`` beyond, nothing read),
    each audited as listed with the purpose."""
    problems = Problems()
    unknown = [i for i in items if i not in ITEMS]
    if not items or unknown:
        problems.add("items", "invalid", "出力する項目を選んでください。", "Choose the items to output.")
    if not purpose.strip():
        problems.add("purpose", "required", "利用目的を入力してください。", "Enter the purpose.")
    found = queryset(query)
    problems.raise_if_any()
    total = found.count()
    if total > MAX_ROWS:
        problems.add("conditions", "too_many",
                     f"該当者が{total}名で、一度に出力できる{MAX_ROWS}名を超えます。条件を分けてください。",
                     f"{total} persons match, more than {MAX_ROWS} at once: split the conditions.")  # fmt: skip
        problems.raise_if_any()
    base = query.base_date or timezone.localdate()
    drawn = []
    keys: dict[int, Any] = {}
    for r in found.select_related("household").iterator(chunk_size=2000):
        drawn.append({"resident_id": r.id, **{i: _value(r, i, base) for i in items}})
        keys[r.id] = (sort_key(r.household.address, r.household.building), r.birth_date, r.id)
    drawn.sort(key=lambda row: keys[row["resident_id"]])  # 住所の番地・号・部屋番号は数の順 (標準仕様書 1.3.2)
    fields = sorted({ITEMS[i].path.split("__")[-1] or "birth_date" for i in items})
    record_many(Event("resident.listed", "resident", str(row["resident_id"]), fields, purpose) for row in drawn)
    return drawn


def _value(r: Resident, item: str, base: date) -> Any:
    if item == "age":
        return base.year - r.birth_date.year - ((base.month, base.day) < (r.birth_date.month, r.birth_date.day))
    if item == "household_number":
        return r.household.number
    target: Any = r
    for part in ITEMS[item].path.split("__"):
        target = getattr(target, part)
    return "" if target is None else target


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def to_csv(drawn: Iterable[dict[str, Any]], items: Sequence[str], encoding: str = "utf-8") -> tuple[bytes, int]:
    """CSV with the items' titles as the header; UTF-8 with a BOM, or ``cp932`` with each character it lacks
    replaced by 〓 (returned: how many were replaced)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([ITEMS[i].title for i in items])
    for row in drawn:
        writer.writerow([_text(row[i]) for i in items])
    text = out.getvalue()
    if encoding == "cp932":
        replaced = 0
        chars = []
        for ch in text:
            try:
                chars.append(ch.encode("cp932"))
            except UnicodeEncodeError:
                chars.append("〓".encode("cp932"))
                replaced += 1
        return b"".join(chars), replaced
    return "\ufeff".encode() + text.encode("utf-8"), 0


def to_xml(drawn: Iterable[dict[str, Any]], items: Sequence[str]) -> bytes:
    """XML: one <住民> per person, one element per item named by its key, with its title as an attribute."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<抽出結果>"]
    for row in drawn:
        fields = "".join(f"<{i} 名称={quoteattr(ITEMS[i].title)}>{escape(_text(row[i]))}</{i}>" for i in items)
        lines.append(f"  <住民>{fields}</住民>")
    lines.append("</抽出結果>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def labels(query: Query, purpose: str) -> bytes:
    """宛名形式: address labels (〒, 住所, 氏名 様) of the persons drawn, as PDF (``extracts.address_labels_pdf``)."""
    drawn = rows(query, ["postal_code", "address", "building", "family_name", "given_name", "birth_date"], purpose)
    as_rows = [extracts.Row(d["resident_id"], f"{d['family_name']}　{d['given_name']}", "", d["birth_date"], "",
                            d["postal_code"], f"{d['address']}　{d['building']}".strip("　"), "")
               for d in drawn]  # fmt: skip
    return extracts.address_labels_pdf(mail_names.addressed(as_rows))
