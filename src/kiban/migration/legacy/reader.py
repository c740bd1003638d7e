"""Import a legacy fixed-width resident file into the registry: decode, map, check, group, load — or send to review.

The steps, record by record (1-based record numbers; byte offsets as the layout counts them):

1. Cut the file into records of ``record_length`` bytes (with the layout's separator); a record of another length is
   reported with its number and stays out.
2. Decode each field with CP932. A byte sequence CP932 cannot decode is reported with the field and the byte offset
   (in the record and in the file) and the raw bytes in hex.
3. Replace each 外字 (private-use character) through the municipality's gaiji map. A character without a mapping
   sends the record to review with its bytes and the suggestion the map holds, if any. Nothing is dropped or guessed.
4. Translate codes through the layout's code tables and read dates (``kiban.standard.era.parse_date``).
5. Check the person with the registry's own rules (``kiban.apps.residents.validation.check_person``).
6. Group the registered persons by 世帯番号. A household with exactly one 世帯主 and every member clean is loaded;
   otherwise the whole household goes to review (no household is loaded without one of its members).
7. Load the good households through the registry's bulk loader, in the tenant's context, as the system actor
   ``legacy-import``, with a request id derived from the file's SHA-256: a rerun of the same file loads nothing twice.

Removed persons (除票, 住民状態 = removed) are NOT migrated: the bulk loader records persons as registered, and
making a registered record only to remove it again would write a false history (a 職権消除 dated on the migration
day instead of the real 消除日 and 事由). They are listed in ``not-migrated.csv`` and counted in the report; the
legacy file stays the 除票 archive until the registry has a path for loading them (docs/migration/legacy.md).
"""

from __future__ import annotations

import csv
import hashlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from kiban.standard.era import EraDateError, parse_date

from .gaiji import GaijiMap, cp932_bytes, is_gaiji
from .layout import Field, Layout

if TYPE_CHECKING:
    from kiban.apps.residents.bulk import LoadHousehold
    from kiban.apps.residents.validation import PersonData

NOTE = "legacy import (旧システムからのデータ移行)"
ACTOR = "legacy-import"


@dataclass
class Issue:
    """One reason a record cannot be loaded as it is."""

    record: int
    field: str
    byte_offset: int | None  # in the record, counted as the layout counts (offset_base)
    file_offset: int | None  # 0-based position in the file
    raw_hex: str
    code: str
    message: str
    suggestion: str = ""


@dataclass
class Record:
    """One decoded record: the text of each field (gaiji replaced), and what went wrong."""

    number: int
    start: int  # 0-based position of the record in the file
    raw: bytes
    text: dict[str, str] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    gaiji_used: list[str] = field(default_factory=list)  # "U+E000→髙" for the report

    def value(self, name: str) -> str:
        return self.text.get(name, "")


@dataclass
class Report:
    file: str
    sha256: str
    request_id: str
    records: int = 0
    imported_records: int = 0
    imported_households: int = 0
    review_records: int = 0
    review_households: int = 0
    removed_not_migrated: int = 0
    gaiji_replaced: int = 0
    outside_jis_x_0213: dict[str, str] = field(default_factory=dict)  # standard char → degenerated suggestion
    dry_run: bool = False
    already_imported: bool = False
    refused: str = ""  # the load was refused as a whole (nothing written)
    issues: list[Issue] = field(default_factory=list)
    not_migrated: list[dict[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        lines = [
            f"file: {self.file}",
            f"sha256: {self.sha256}",
            f"request id: {self.request_id}",
            f"records read: {self.records}",
            f"imported: {self.imported_records} records in {self.imported_households} households"
            + (" (dry run: nothing written)" if self.dry_run else ""),
            f"need review: {self.review_records} records in {self.review_households} households "
            f"({len(self.issues)} issues)",
            f"removed persons (除票) not migrated: {self.removed_not_migrated}",
            f"gaiji replaced through the map: {self.gaiji_replaced}",
        ]
        for char, suggestion in sorted(self.outside_jis_x_0213.items()):
            lines.append(
                f"  note: {char} (U+{ord(char[0]):04X}) is an MJ character outside JIS X 0213; "
                f"degenerated form for JIS X 0213-only systems: {suggestion or '(none)'}"
            )
        if self.already_imported:
            lines.append("this file was imported before (same SHA-256): nothing loaded again")
        if self.refused:
            lines.append(f"load refused, nothing written: {self.refused}")
        return "\n".join(lines)


def request_id_for(data: bytes) -> tuple[str, str]:
    """(sha256 hex, request id) of a file's bytes; the id fits the registry's 64-character request ids."""
    digest = hashlib.sha256(data).hexdigest()
    return digest, f"legacy-{digest[:57]}"


def split_records(data: bytes, layout: Layout) -> Iterator[tuple[int, int, bytes, Issue | None]]:
    """(number, start, bytes, issue) per record. CP932 trail bytes are 0x40–0xFC, so CR/LF never occur inside a
    character and splitting on them is safe."""
    size = layout.record_length
    if not layout.separator:
        for number, start in enumerate(range(0, len(data), size), start=1):
            chunk = data[start : start + size]
            issue = None
            if len(chunk) != size:
                issue = _length_issue(number, start, chunk, size)
            yield number, start, chunk, issue
        return
    sep = layout.separator
    start = 0
    number = 0
    while start < len(data):
        end = data.find(sep, start)
        if end < 0:
            end = len(data)
        chunk = data[start:end]
        if chunk in (b"", b"\x1a") and end >= len(data) - len(sep):
            break  # a final empty line or the DOS end-of-file mark
        number += 1
        issue = _length_issue(number, start, chunk, size) if len(chunk) != size else None
        yield number, start, chunk, issue
        start = end + len(sep)


def _length_issue(number: int, start: int, chunk: bytes, size: int) -> Issue:
    return Issue(
        number, "(record)", None, start, chunk[:16].hex(" ").upper() + (" …" if len(chunk) > 16 else ""),
        "record_length", f"record is {len(chunk)} bytes, the layout says {size}",
    )  # fmt: skip


def decode_record(number: int, start: int, raw: bytes, layout: Layout, gaiji: GaijiMap) -> Record:
    record = Record(number, start, raw)
    for f in layout.fields:
        if f.name.startswith("filler"):
            continue
        chunk = raw[f.start : f.end]
        text = _decode_field(record, f, chunk, layout, gaiji)
        if text is not None:
            record.text[f.name] = text
    return record


def _decode_field(record: Record, f: Field, chunk: bytes, layout: Layout, gaiji: GaijiMap) -> str | None:
    base = layout.offset_base
    try:
        text = chunk.decode(layout.encoding)
    except UnicodeDecodeError as exc:
        at = f.start + exc.start
        bad = chunk[exc.start : exc.start + 2]
        record.issues.append(
            Issue(
                record.number, f.name, at + base, record.start + at, bad.hex(" ").upper(), "decode_error",
                f"{f.title or f.name}: bytes {bad.hex(' ').upper()} at byte {at + base} of the record are not CP932 "
                f"({exc.reason})",
            )
        )  # fmt: skip
        return None
    if f.type == "X" and len(text) != len(chunk):
        record.issues.append(_type_issue(record, f, chunk, base, "X field holds double-byte characters"))
        return None
    if f.type == "N":
        if any(_width(c) != 2 for c in text.replace(" ", "")):
            record.issues.append(_type_issue(record, f, chunk, base, "N (全角) field holds single-byte characters"))
            return None
        text = text.rstrip(" \u3000")
    else:
        text = text.strip(" ")
    if f.type == "9" and text and not text.isdigit():
        record.issues.append(_type_issue(record, f, chunk, base, "numeric field holds other characters"))
        return None
    if f.type == "N":
        text = _replace_gaiji(record, f, chunk, text, base, gaiji)
    return text


def _width(ch: str) -> int:
    return len(ch.encode("cp932", errors="replace")) if not is_gaiji(ch) else 2


def _type_issue(record: Record, f: Field, chunk: bytes, base: int, what: str) -> Issue:
    return Issue(
        record.number, f.name, f.start + base, record.start + f.start, chunk.hex(" ").upper(), "field_type",
        f"{f.title or f.name}: {what} (type {f.type})",
    )  # fmt: skip


def _replace_gaiji(record: Record, f: Field, chunk: bytes, text: str, base: int, gaiji: GaijiMap) -> str:
    out: list[str] = []
    position = 0  # byte position inside the field
    for ch in text:
        size = 2 if is_gaiji(ch) else len(ch.encode("cp932"))
        if is_gaiji(ch):
            entry = gaiji.lookup(ch)
            at = f.start + position
            raw = cp932_bytes(ch).hex(" ").upper()
            if entry is None or not entry.standard:
                record.issues.append(
                    Issue(
                        record.number, f.name, at + base, record.start + at, raw, "gaiji_unmapped",
                        f"{f.title or f.name}: 外字 U+{ord(ch):04X} (CP932 {raw}) has no mapping in the gaiji map"
                        + (" (identification pending)" if entry else ""),
                        entry.suggestion if entry else "",
                    )
                )  # fmt: skip
                out.append(ch)
            else:
                out.append(entry.standard)
                record.gaiji_used.append(entry.standard)
        else:
            out.append(ch)
        position += size
    return "".join(out)


# --- From decoded text to the registry's data ------------------------------------------------------------------


@dataclass
class Person:
    """A record ready for the registry (the values of ``kiban.apps.residents.bulk.LoadPerson``)."""

    record: Record
    household_number: str
    status: str
    values: dict[str, object]


def interpret(record: Record, layout: Layout, tenant_code: str) -> Person | None:
    """Codes and dates of a decoded record; issues are added to the record. None if the record cannot be read."""
    if record.issues:
        return None
    values: dict[str, object] = {}
    for f in layout.fields:
        if f.name.startswith("filler"):
            continue
        text = record.value(f.name)
        if not text:
            if f.required:
                _add(record, f, layout, "required", f"{f.title or f.name} is empty")
            values[f.name] = None if f.date else ""
            continue
        if f.date:
            try:
                values[f.name] = _read_date(text, f.date)
            except EraDateError as exc:
                _add(record, f, layout, "date", f"{f.title or f.name}: {text!r} — {exc.en}", exc.ja)
            continue
        if f.code_table:
            table = layout.code_tables[f.code_table]
            if text not in table:
                _add(
                    record, f, layout, "unknown_code",
                    f"{f.title or f.name}: code {text!r} is not in code table {f.code_table!r}",
                )  # fmt: skip
                continue
            values[f.name] = table[text]
            continue
        values[f.name] = text
    if layout.has("municipality_code") and record.value("municipality_code") not in ("", tenant_code):
        _add(
            record, layout.field("municipality_code"), layout, "other_municipality",
            f"団体コード {record.value('municipality_code')} is not the importing tenant {tenant_code}",
        )  # fmt: skip
    if record.issues:
        return None
    return Person(record, str(values["household_number"]), str(values["status"]), values)


def _read_date(text: str, style: str) -> date:
    if style == "era8":
        if len(text) != 8 or text[0] != "0":
            raise EraDateError(
                f"「{text}」は2桁の年号コード＋YYMMDDではありません。", f"{text!r} is not a 2-digit era code + YYMMDD."
            )
        text = text[1:]
    return parse_date(text)


def _add(record: Record, f: Field, layout: Layout, code: str, message: str, suggestion: str = "") -> None:
    chunk = record.raw[f.start : f.end]
    record.issues.append(
        Issue(
            record.number, f.name, f.start + layout.offset_base, record.start + f.start, chunk.hex(" ").upper(),
            code, message, suggestion,
        )
    )  # fmt: skip


# Field names of PersonData (kiban.apps.residents.validation) as the layout names them.
PERSON_FIELDS = (
    "family_name", "given_name", "family_name_kana", "given_name_kana", "birth_date", "sex", "relationship",
    "domicile", "domicile_head", "nationality", "residence_status", "period_of_stay_until", "residence_card_number",
    "alias", "alias_kana", "resident_code", "individual_number",
)  # fmt: skip


def person_data(p: Person) -> PersonData:
    from kiban.apps.residents.validation import PersonData

    v = p.values
    kwargs: dict[str, object] = {name: v.get(name, "") for name in PERSON_FIELDS}
    kwargs["period_of_stay_until"] = v.get("period_of_stay_until") or None
    kwargs["kind"] = v["resident_kind"]
    if kwargs["kind"] == "foreign":
        kwargs["residence_status"] = v.get("residence_status") or ""
    return PersonData(**kwargs)  # type: ignore[arg-type]


def check(p: Person, layout: Layout) -> None:
    """The registry's own checks of a new record (法7条, 30条の45); problems become issues on the record."""
    from kiban.apps.residents.validation import Problems, check_person

    problems = Problems()
    check_person(problems, "person", person_data(p), None)
    for error in problems.errors:
        name = error.field.split(".", 1)[1] if "." in error.field else error.field
        name = "resident_kind" if name == "kind" else name
        f = layout.field(name) if layout.has(name) else None
        if f is None:
            p.record.issues.append(
                Issue(p.record.number, name, None, None, "", error.code, f"{error.message_en} / {error.message}")
            )
        else:
            _add(p.record, f, layout, error.code, f"{f.title or name}: {error.message_en} / {error.message}")


# --- The whole file --------------------------------------------------------------------------------------------


@dataclass
class Plan:
    """What an import would do: households to load, records to review, removed persons left out."""

    report: Report
    households: list[list[Person]] = field(default_factory=list)
    review: list[Record] = field(default_factory=list)


def plan(data: bytes, layout: Layout, gaiji: GaijiMap, tenant_code: str, source: str = "") -> Plan:
    """Read, map and check the whole file without touching the database."""
    from .gaiji import check_character

    digest, request_id = request_id_for(data)
    report = Report(file=source, sha256=digest, request_id=request_id)
    result = Plan(report)
    by_household: dict[str, list[Person]] = defaultdict(list)
    bad_households: set[str] = set()
    unreadable: list[Record] = []
    seen_codes: dict[str, int] = {}
    for number, start, raw, length_issue in split_records(data, layout):
        report.records += 1
        if length_issue is not None:
            record = Record(number, start, raw, issues=[length_issue])
            unreadable.append(record)
            continue
        record = decode_record(number, start, raw, layout, gaiji)
        report.gaiji_replaced += len(record.gaiji_used)
        for char in record.gaiji_used:
            c = check_character(char)
            if not c.jis_x_0213:
                report.outside_jis_x_0213[char] = c.degenerated
        person = interpret(record, layout, tenant_code)
        if person is not None and person.status == "removed":
            report.removed_not_migrated += 1
            report.not_migrated.append(_removed_row(person))
            continue
        if person is not None:
            check(person, layout)
            code = str(person.values.get("resident_code", ""))
            if code in seen_codes:
                _add(
                    record, layout.field("resident_code"), layout, "duplicate",
                    f"住民票コード {code} also on record {seen_codes[code]}",
                )  # fmt: skip
            seen_codes.setdefault(code, record.number)
        household = record.value("household_number")
        if person is None or record.issues:
            if not household:
                unreadable.append(record)
                continue
            bad_households.add(household)
        if person is not None:
            by_household[household].append(person)
        else:
            by_household.setdefault(household, [])
            result.review.append(record)

    for household_no, members in by_household.items():
        heads = [m for m in members if m.values.get("relationship") == "世帯主"]
        if household_no not in bad_households and len(heads) != 1:
            bad_households.add(household_no)
            for m in members:
                _add(
                    m.record, layout.field("relationship"), layout, "householder",
                    f"世帯番号 {household_no}: {len(heads)} householders (世帯主) among the registered members; "
                    "exactly one is needed",
                )  # fmt: skip
        if household_no in bad_households:
            for m in members:
                if not m.record.issues:
                    _add(
                        m.record, layout.field("household_number"), layout, "household_in_review",
                        f"世帯番号 {household_no}: another member of the household needs review",
                    )  # fmt: skip
                result.review.append(m.record)
            report.review_households += 1
        else:
            result.households.append(members)
    result.review.extend(unreadable)
    result.review.sort(key=lambda r: r.number)
    report.review_records = len(result.review)
    report.issues = [i for r in result.review for i in r.issues]
    report.imported_households = len(result.households)
    report.imported_records = sum(len(h) for h in result.households)
    return result


def _removed_row(p: Person) -> dict[str, str]:
    v = p.values
    return {
        "record": str(p.record.number),
        "resident_code": str(v.get("resident_code", "")),
        "household_number": p.household_number,
        "removed_on": str(v.get("removed_on") or ""),
        "removal_reason": str(v.get("removal_reason") or ""),
        "reason_not_migrated": "除票: the bulk loader records registered persons only (docs/migration/legacy.md)",
    }


def load_plan(result: Plan, tenant_code: str) -> None:
    """Load the planned households in one procedure; idempotent per file (request id from its SHA-256)."""
    from django.db import IntegrityError

    from kiban.apps.residents import bulk
    from kiban.apps.residents.validation import ProcedureError
    from kiban.platform.audit.actor import Actor, acting_as
    from kiban.platform.tenants.context import tenant_context

    report = result.report
    households = [_load_household(members) for members in result.households]
    if not households:
        return
    with acting_as(Actor("system", ACTOR), request_id=report.request_id):
        try:
            with tenant_context(tenant_code, sole=True):  # a long load: other tenants' feeds go on
                bulk.load(households, request_id=report.request_id, note=f"{NOTE}: {report.sha256}")
        except IntegrityError as exc:
            if "request_id" in str(exc) or "procedure_request_unique" in str(exc):
                report.already_imported = True
            else:
                report.refused = (
                    "a resident record code or individual number is already in the register "
                    f"(was part of this data loaded from another file?): {exc}"
                )
            report.imported_records = report.imported_households = 0
        except ProcedureError as exc:
            report.refused = str(exc)
            report.imported_records = report.imported_households = 0


def _load_household(members: list[Person]) -> LoadHousehold:
    from kiban.apps.residents.bulk import LoadHousehold, LoadPerson

    head = next(m for m in members if m.values.get("relationship") == "世帯主")
    people = [
        LoadPerson(
            person=person_data(m),
            became_resident_on=m.values["became_resident_on"],  # type: ignore[arg-type]
            moved_in_on=m.values["moved_in_on"],  # type: ignore[arg-type]
            previous_address=str(m.values.get("previous_address") or ""),
        )
        for m in members
    ]
    return LoadHousehold(
        address=str(head.values["address"]),
        members=people,
        postal_code=str(head.values.get("postal_code") or ""),
        building=str(head.values.get("building") or ""),
        extra={"legacy_household_number": head.household_number},
    )


REVIEW_COLUMNS = ("record", "field", "byte_offset", "file_offset", "raw_hex", "problem", "message", "suggestion")


def write_review(report: Report, out: Path) -> list[Path]:
    """``review.csv`` (one row per issue), ``not-migrated.csv`` (除票) and ``report.txt`` in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    review = out / "review.csv"
    with review.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(REVIEW_COLUMNS)
        for i in report.issues:
            writer.writerow(
                [i.record, i.field, "" if i.byte_offset is None else i.byte_offset,
                 "" if i.file_offset is None else i.file_offset, i.raw_hex, i.code, i.message, i.suggestion]
            )  # fmt: skip
    removed = out / "not-migrated.csv"
    with removed.open("w", encoding="utf-8", newline="") as fh:
        columns = ["record", "resident_code", "household_number", "removed_on", "removal_reason", "reason_not_migrated"]
        dict_writer = csv.DictWriter(fh, columns)
        dict_writer.writeheader()
        dict_writer.writerows(report.not_migrated)
    summary = out / "report.txt"
    summary.write_text(report.summary() + "\n", encoding="utf-8")
    return [review, removed, summary]


def import_file(
    path: str | Path, layout: Layout, gaiji: GaijiMap, tenant_code: str, *, dry_run: bool = False,
    review_out: str | Path | None = None,
) -> Report:  # fmt: skip
    """Plan, load (unless ``dry_run``) and write the review queue; returns the report."""
    path = Path(path)
    data = path.read_bytes()
    result = plan(data, layout, gaiji, tenant_code, source=str(path))
    result.report.dry_run = dry_run
    if not dry_run:
        load_plan(result, tenant_code)
    if review_out is not None:
        write_review(result.report, Path(review_out))
    return result.report
