"""CSV形式のデータの取込 (住民記録システム標準仕様書 10.8, j1430): at the counter, data provided as CSV — the
転出証明書's data (e.g. read from its QR code), a 住民異動届 filled in beforehand (書かない窓口), a certificate
application, the 個人番号カード's face items — fill the wizard's first step, to be checked and completed by the clerk;
nothing is recorded by the import itself (「任意の方法でCSV形式になったデータを取り込むことができればよい」).

The CSV: UTF-8 (with or without a BOM) or Shift_JIS (CP932); a header line naming the items by their Japanese
titles as the counter labels them (氏, 名, 氏カナ, 生年月日, 性別, 続柄, 住所, 方書, 前住所, 異動日 …:
``forms.LABELS``) or by their field names; one line per person (a move-in takes up to 20). Values as a person would
write them: 性別 男/女 (or 1/2), 住民種別 日本人/外国人, dates in 和暦 or 西暦. Columns the wizard does not have are
reported, not guessed; the 個人番号 is never taken (the counter's pages do not enter it: it would travel in the
signed state).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms

from .forms import LABELS, LabelledForm, MoveInForm, PersonForm
from .validation import Problems

MAX_BYTES = 64 * 1024
MAX_ROWS = 20
NEVER = frozenset({"individual_number", "個人番号"})  # not entered at the counter's pages
VALUES = {
    "sex": {"男": "1", "女": "2", "男性": "1", "女性": "2"},
    "kind": {"日本人": "japanese", "外国人": "foreign"},
    "origin": {"国内": "domestic", "国外": "abroad"},
}


@dataclass(frozen=True)
class Imported:
    data: dict[str, str]  # the first step's fields, as a form posts them (persons as ``persons-<i>-<name>``)
    persons: int
    ignored: tuple[str, ...]  # columns the wizard does not have (or may not take)


# Short titles as forms and QR data commonly write them, besides the counter's own labels.
ALIASES = {"届出人": "notifier", "転入日": "effective_on", "転居日": "effective_on", "転出予定日": "effective_on",
           "転出先": "destination_address", "転出先住所": "destination_address",
           "転入前住所": "previous_address"}  # fmt: skip


def _field_of(header: str, form_class: type[LabelledForm]) -> str:
    header = header.strip().lstrip("\ufeff")
    by_title = {ja: name for name, (ja, _en) in {**LABELS, **form_class.labels}.items()}
    return by_title.get(header) or ALIASES.get(header) or header


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    problems = Problems()
    problems.add(
        "csv", "encoding", "CSVはUTF-8又はShift_JISで保存してください。", "Save the CSV as UTF-8 or Shift_JIS."
    )
    problems.raise_if_any()
    return ""


def read(raw: bytes, form_class: type[LabelledForm], main_fields: list[str],
         never: frozenset[str] | set[str] = frozenset()) -> Imported:  # fmt: skip
    """The wizard's first step filled from the CSV; ``ProcedureError`` (nothing filled) for a file too large, not
    UTF-8 or Shift_JIS, without a header and a line, or with more persons than a procedure takes. Columns of
    ``never`` (items hidden from the user) are left out like the 個人番号."""
    never = NEVER | set(never)
    problems = Problems()
    if len(raw) > MAX_BYTES:
        problems.add("csv", "too_large", f"CSVが大きすぎます（{MAX_BYTES // 1024}KBまで）。", "The file is too large.")
        problems.raise_if_any()
    reader = csv.reader(io.StringIO(_decode(raw)))
    lines = [line for line in reader if any(cell.strip() for cell in line)]
    if len(lines) < 2:
        problems.add(
            "csv", "empty", "見出し行とデータ行のあるCSVを選んでください。", "A header line and a line of data."
        )
    persons_form = issubclass(form_class, MoveInForm)
    if len(lines) - 1 > (MAX_ROWS if persons_form else 1):
        problems.add("csv", "too_many", f"CSVの行が多すぎます（{MAX_ROWS if persons_form else 1}行まで）。",
                     "Too many lines for this procedure.")  # fmt: skip
    problems.raise_if_any()
    fields = [_field_of(h, form_class) for h in lines[0]]
    person_fields = set(PersonForm.base_fields) if persons_form else set()
    data: dict[str, str] = {}
    ignored = sorted({h.strip() for h, f in zip(lines[0], fields, strict=False)
                      if f in never or (f not in main_fields and f not in person_fields)})  # fmt: skip
    for i, line in enumerate(lines[1:]):
        for field, value in zip(fields, line, strict=False):
            if field in never:
                continue
            value = VALUES.get(field, {}).get(value.strip(), value.strip())
            if field in person_fields:
                data[f"persons-{i}-{field}"] = value
            elif field in main_fields and i == 0:
                data[field] = value
    persons = len(lines) - 1 if persons_form else 0
    if persons_form:
        data["persons-TOTAL_FORMS"] = str(persons)
    return Imported(data, persons, tuple(ignored))


def as_choices(form: Any, data: dict[str, str]) -> dict[str, str]:
    """Values written as a choice's label (「住民票の写し」, 「本人」, 「世帯連記式」) as the form's values; others as
    they are."""
    out = dict(data)
    for name, value in data.items():
        field = form.fields.get(name)
        if isinstance(field, django_forms.ChoiceField):
            choices: Any = field.choices
            by_label: dict[str, str] = {}
            for key, label in choices:  # 「第三者 (法12条の3) (a third party)」: with or without the parentheses
                text = str(label)
                for form_of in (text, text.rsplit(" (", 1)[0], text.split(" (")[0]):
                    by_label.setdefault(form_of.strip(), str(key))
            out[name] = by_label.get(value, value)
    return out
