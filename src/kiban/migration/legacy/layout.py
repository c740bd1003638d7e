"""The description of a legacy fixed-width file: record length, fields, code tables, date formats (a YAML file).

A layout is checked completely when it is loaded, and refused with every problem listed (field names and byte
positions in the message), because a wrong offset would silently shift every item after it in every record.

Conventions of the YAML (see docs/migration/legacy.md and the sample under docs/migration/layouts/):

- ``offset_base: 1``: offsets are counted from 1, as in Japanese layout documents (項目の開始位置); 0 is accepted
  too and then stated the same way. ``length`` is in bytes.
- ``type``: ``X`` single-byte CP932 (ASCII and half-width katakana, padded with spaces), ``N`` double-byte CP932
  (全角, padded with U+3000 or spaces; the length must be even), ``9`` ASCII digits (zero-padded; all spaces means
  "no value").
- The fields must cover the record exactly: no overlap and no gap (a gap is nearly always a typo in an offset; declare
  an unused area as a field with ``type: X`` and a name starting with ``filler``).
- ``date``: how a date item is written: ``era7`` (era digit + YYMMDD, 5060401 = 令和6年4月1日), ``era8`` (two-digit
  年号コード + YYMMDD, as 中間標準レイアウト writes 年号コード with two digits), ``yyyymmdd``. Read with
  ``kiban.standard.era.parse_date``.
- ``code_table``: the name of a table under ``code_tables`` translating the legacy code to the standard's value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

FIELD_TYPES = ("X", "N", "9")
DATE_FORMATS = ("era7", "era8", "yyyymmdd")
SEPARATORS = {"crlf": b"\r\n", "lf": b"\n", "none": b""}
ENCODINGS = ("cp932",)


class LayoutError(ValueError):
    """A layout YAML that cannot be used; ``problems`` lists every reason."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"layout {source} refused:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class Field:
    name: str
    title: str  # the Japanese item name (項目名)
    start: int  # 0-based byte position in the record
    length: int  # bytes
    type: str  # X, N or 9
    date: str = ""  # one of DATE_FORMATS for a date item
    code_table: str = ""
    required: bool = False
    note: str = ""

    @property
    def end(self) -> int:
        return self.start + self.length

    def position(self, base: int) -> int:
        """The field's offset as the layout document counts it."""
        return self.start + base


@dataclass(frozen=True)
class Layout:
    name: str
    encoding: str
    record_length: int
    separator: bytes
    offset_base: int
    fields: tuple[Field, ...]
    code_tables: dict[str, dict[str, str]] = field(default_factory=dict)
    source: str = ""

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def has(self, name: str) -> bool:
        return any(f.name == name for f in self.fields)


# The items the importer needs (name in the YAML → why). A layout without them is refused.
REQUIRED_FIELDS = (
    "resident_code",
    "household_number",
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "birth_date",
    "sex",
    "relationship",
    "resident_kind",
    "status",
    "address",
    "became_resident_on",
    "moved_in_on",
)


def load_layout(path: str | Path) -> Layout:
    """Read and check a layout YAML; ``LayoutError`` with every problem found."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LayoutError(str(path), [f"cannot read the YAML: {exc}"]) from exc
    return parse_layout(data, str(path))


def parse_layout(data: Any, source: str = "<layout>") -> Layout:
    problems: list[str] = []
    if not isinstance(data, dict):
        raise LayoutError(source, ["the YAML must be a mapping with record_length, fields and code_tables"])
    record_length = data.get("record_length")
    if not isinstance(record_length, int) or record_length <= 0:
        problems.append(f"record_length must be a positive number of bytes, got {record_length!r}")
        record_length = 0
    base = data.get("offset_base", 1)
    if base not in (0, 1):
        problems.append(f"offset_base must be 1 (offsets counted from 1, as in layout documents) or 0, got {base!r}")
        base = 1
    encoding = str(data.get("encoding", "cp932")).lower()
    if encoding not in ENCODINGS:
        problems.append(f"encoding must be one of {', '.join(ENCODINGS)}, got {encoding!r}")
    separator_name = str(data.get("record_separator", "crlf")).lower()
    if separator_name not in SEPARATORS:
        problems.append(f"record_separator must be one of {', '.join(SEPARATORS)}, got {separator_name!r}")
        separator_name = "crlf"
    tables = data.get("code_tables") or {}
    code_tables: dict[str, dict[str, str]] = {}
    if not isinstance(tables, dict):
        problems.append("code_tables must be a mapping of table name → {legacy code: standard value}")
        tables = {}
    for table_name, table in tables.items():
        if not isinstance(table, dict) or not table:
            problems.append(f"code table {table_name!r} must be a non-empty mapping of legacy code → standard value")
            continue
        code_tables[str(table_name)] = {str(k): str(v) for k, v in table.items()}

    fields: list[Field] = []
    raw_fields = data.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        problems.append("fields must be a non-empty list")
        raw_fields = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_fields, start=1):
        where = f"field #{i}"
        if not isinstance(raw, dict):
            problems.append(f"{where} must be a mapping with name, offset, length and type")
            continue
        name = raw.get("name")
        if not isinstance(name, str) or not name:
            problems.append(f"{where}: name is missing")
            continue
        where = f"field #{i} {name!r}"
        if name in seen:
            problems.append(f"{where}: the name is used twice")
        seen.add(name)
        offset, length, kind = raw.get("offset"), raw.get("length"), raw.get("type")
        if not isinstance(offset, int) or offset < base:
            problems.append(f"{where}: offset must be a number ≥ {base} (offset_base {base}), got {offset!r}")
            continue
        if not isinstance(length, int) or length <= 0:
            problems.append(f"{where}: length must be a positive number of bytes, got {length!r}")
            continue
        kind = str(kind)
        if kind not in FIELD_TYPES:
            problems.append(f"{where}: type must be X (1-byte), N (2-byte 全角) or 9 (digits), got {kind!r}")
            continue
        if kind == "N" and length % 2:
            problems.append(
                f"{where}: an N (全角) field holds 2-byte characters, so its length must be even, got {length}"
            )
        date_format = str(raw.get("date", "") or "")
        if date_format and date_format not in DATE_FORMATS:
            problems.append(f"{where}: date must be one of {', '.join(DATE_FORMATS)}, got {date_format!r}")
        expected = {"era7": 7, "era8": 8, "yyyymmdd": 8}.get(date_format)
        if expected is not None and (kind != "9" or length != expected):
            problems.append(f"{where}: a {date_format} date is a type 9 field of {expected} bytes")
        table = str(raw.get("code_table", "") or "")
        if table and table not in code_tables:
            problems.append(f"{where}: code_table {table!r} is not defined under code_tables")
        fields.append(
            Field(
                name=name,
                title=str(raw.get("title", "")),
                start=offset - base,
                length=length,
                type=kind,
                date=date_format,
                code_table=table,
                required=bool(raw.get("required", False)),
                note=str(raw.get("note", "") or ""),
            )
        )

    problems.extend(_coverage_problems(fields, record_length, base))
    problems.extend(_table_value_problems(fields, code_tables))
    missing = [n for n in REQUIRED_FIELDS if n not in seen]
    if missing:
        problems.append(f"the importer needs these fields, missing: {', '.join(missing)}")
    if problems:
        raise LayoutError(source, problems)
    return Layout(
        name=str(data.get("name", source)),
        encoding=encoding,
        record_length=record_length,
        separator=SEPARATORS[separator_name],
        offset_base=base,
        fields=tuple(sorted(fields, key=lambda f: f.start)),
        code_tables=code_tables,
        source=source,
    )


def _allowed_values(field_name: str) -> tuple[Callable[[str], bool], str] | None:
    """What the standard lets a code table of this field translate to, and how to say it."""
    from kiban.standard import codes

    def relationship(value: str) -> bool:
        try:
            codes.validate_relationship(value)
        except ValueError:
            return False
        return True

    statuses = {s.value for s in codes.ResidenceStatus} | {c.value for c in codes.ForeignResidentCategory}
    reasons = {r.value for r in codes.ChangeReason}
    return {
        "sex": (lambda v: v in (codes.Sex.MALE, codes.Sex.FEMALE), "1 or 2 (ISO/IEC 5218)"),
        "resident_kind": (lambda v: v in ("japanese", "foreign"), "japanese or foreign"),
        "status": (lambda v: v in ("registered", "removed"), "registered or removed"),
        "relationship": (relationship, "a 続柄 of 標準仕様書 §1.1.11 (kiban.standard.codes.validate_relationship)"),
        "last_change_reason": (lambda v: v in reasons, "a kiban.standard.codes.ChangeReason value"),
        "removal_reason": (lambda v: v in reasons, "a kiban.standard.codes.ChangeReason value"),
        "residence_status": (lambda v: v in statuses, "a 在留資格 (ResidenceStatus) or 法30条の45 category"),
    }.get(field_name)


def _table_value_problems(fields: list[Field], code_tables: dict[str, dict[str, str]]) -> list[str]:
    """A code table must translate into values the standard (and so the registry) accepts."""
    problems: list[str] = []
    for f in fields:
        allowed = _allowed_values(f.name)
        if not f.code_table or f.code_table not in code_tables or allowed is None:
            continue
        check, wanted = allowed
        for code, value in code_tables[f.code_table].items():
            if not check(value):
                problems.append(
                    f"code table {f.code_table!r} (field {f.name!r}): code {code!r} → {value!r} is not {wanted}"
                )
    return problems


def _coverage_problems(fields: list[Field], record_length: int, base: int) -> list[str]:
    """Overlaps, gaps and a total that is not the record length, each named with positions as the YAML writes them."""
    problems: list[str] = []
    position = 0
    previous: Field | None = None
    for f in sorted(fields, key=lambda f: f.start):
        if f.start < position and previous is not None:
            problems.append(
                f"fields {previous.name!r} (bytes {previous.start + base}–{previous.end - 1 + base}) and {f.name!r} "
                f"(bytes {f.start + base}–{f.end - 1 + base}) overlap"
            )
        elif f.start > position:
            problems.append(
                f"bytes {position + base}–{f.start - 1 + base} belong to no field (before {f.name!r}); "
                "declare unused bytes as a filler field"
            )
        if previous is None or f.end > position:
            position, previous = f.end, f
    if record_length and fields and position != record_length:
        if position > record_length:
            problems.append(
                f"the fields end at byte {position - 1 + base} but record_length is {record_length} "
                f"(the record would be {position} bytes)"
            )
        else:
            problems.append(
                f"the fields cover {position} bytes but record_length is {record_length} "
                f"(bytes {position + base}–{record_length - 1 + base} belong to no field)"
            )
    return problems
