"""Checking an exchange directory before anything is written: manifest, hashes, headers, every value, references.

Errors are reported as ``file:line: message`` (line of the record's first line; line 1 is the header). Only
the first ``MAX_PER_FILE`` errors of a file are listed, then a count. Memory: ids of tables that others refer to
are kept as runs of consecutive ids (``IdRuns``, 16 bytes a run) to check references: an export's ids are dense
(sequence values, with a gap where a transaction rolled back), so this does not grow with the number of rows;
nothing else grows with the file.

Importing into a tenant that already has rows (``--mode merge``, or the platform's own audit entries) passes the
ids the tenant already holds (``existing``, as ``IdRuns``): a file row with such an id is an error on its line,
and a reference may point to a row the tenant already holds.

Uniqueness beyond the id (住民票コード, 個人番号, request ids, one 世帯主 per household) is checked by the
database during the load, which then rolls back as a whole; the importer finds the lines of the offending rows.
"""

from __future__ import annotations

import csv
import heapq
import json
import re
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .files import FORMAT, FORMAT_VERSION, MANIFEST, read_manifest, sha256_of
from .tables import Column, Table, exchanged_tables

MAX_PER_FILE = 50
_INT = re.compile(r"-?[0-9]+")
_TENANT = re.compile(r"[0-9]{6}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_BYTES = re.compile(r"\\x(?:[0-9a-fA-F]{2})*")
# The kinds whose text is valid when it matches a pattern, and what is wrong otherwise (bytes without the value: a
# 全銀 file is long).
_PATTERNS: dict[str, tuple[re.Pattern[str], Callable[[str], str]]] = {
    **dict.fromkeys(("id", "ref", "int"), (_INT, lambda v: f"{v!r} is not an integer")),
    "uuid": (_UUID, lambda v: f"{v!r} is not a UUID (8-4-4-4-12 lowercase hex)"),
    "bytes": (_BYTES, lambda v: "not bytes written as \\x and hex digits"),
}


@dataclass
class FileFacts:
    rows: int = 0
    max_id: int = 0
    one_line_records: bool = True  # no quoted field holds a line break: the loader may work on whole blocks


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    facts: dict[str, FileFacts] = field(default_factory=dict)
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def text(self) -> str:
        lines = [*self.errors, *(f"note: {n}" for n in self.notes)]
        if self.ok:
            counts = ", ".join(f"{name} {f.rows:,}" for name, f in self.facts.items())
            lines.append(f"OK: {counts}")
        else:
            lines.append(f"{len(self.errors)} error(s); nothing was written")
        return "\n".join(lines)


DIGEST_MARKERS = ("current", "superseded", "", None)  # what a digest_in_json key may say (residents.exchange)


def _checker(column: Column, digest_key: str | None = None) -> Callable[[str], str | None] | None:
    """A function of the field's text: None if valid, else the problem; None instead of a function when the
    column accepts any text (nothing to call per row). Specialized per kind: this runs for every field.

    ``digest_key``: the JSON column carries a 個人番号 digest under this key (``digest_in_json``). The file says
    only whether the person's current number belongs there, at the snapshot's top level, and the import writes the
    target tenant's digest there (``importer._insert``): a digest (another tenant's key) or the key anywhere else
    is refused, as the import would keep it as it stands."""
    kind, name, required = column.kind, column.name, column.required
    extra: list[Callable[[str], str | None]] = []
    if column.choices is not None:
        choices = column.choices
        listed = ", ".join(sorted(choices))
        extra.append(lambda v: None if v in choices else f"{name}: {v!r} is not one of {listed}")
    if column.check is not None:
        validator = column.check

        def checked(v: str) -> str | None:
            try:
                validator(v)
            except ValueError as exc:
                return f"{name}: {exc}"
            return None

        extra.append(checked)

    base: Callable[[str], str | None] | None = None
    if kind in _PATTERNS:
        pattern, problem = _PATTERNS[kind]
        match = pattern.fullmatch

        def base(v: str) -> str | None:
            return None if match(v) else f"{name}: {problem(v)}"
    elif kind == "date":
        parse_date = date.fromisoformat

        def base(v: str) -> str | None:
            try:
                parse_date(v)
            except ValueError:
                return f"{name}: {v!r} is not a date (YYYY-MM-DD)"
            return None if len(v) == 10 else f"{name}: {v!r} is not a date (YYYY-MM-DD)"
    elif kind == "timestamp":
        parse_moment = datetime.fromisoformat

        def base(v: str) -> str | None:
            try:
                moment = parse_moment(v)
            except ValueError:
                return f"{name}: {v!r} is not a timestamp (ISO 8601 with offset)"
            return None if moment.tzinfo is not None else f"{name}: {v!r} has no UTC offset"
    elif kind == "json":
        decode = json.loads
        marker = f'"{digest_key}"' if digest_key else ""

        def base(v: str) -> str | None:
            try:
                value = decode(v)
            except json.JSONDecodeError as exc:
                return f"{name}: not valid JSON ({exc.msg})"
            if marker and marker in v:
                said = value.get(digest_key, "(absent)") if isinstance(value, dict) else "(absent)"
                if said not in DIGEST_MARKERS:  # a digest of another platform's key, or the key nested
                    return f'{name}: {digest_key} must say "current", "superseded" or "" at the top level'
            return None
    elif kind == "bool":

        def base(v: str) -> str | None:
            return None if v in ("t", "f") else f"{name}: {v!r} is not t or f"
    elif kind == "text" and column.max_length is not None:
        most = column.max_length

        def base(v: str) -> str | None:
            return None if len(v) <= most else f"{name}: longer than {most} characters"

    if base is None and not extra and not required:
        return None
    steps = ([base] if base is not None else []) + extra

    if len(steps) == 1:
        only = steps[0]

        def check(value: str) -> str | None:
            if value == "":
                return f"{name}: required" if required else None
            return only(value)
    else:

        def check(value: str) -> str | None:
            if value == "":
                return f"{name}: required" if required else None
            for step in steps:
                problem = step(value)
                if problem is not None:
                    return problem
            return None

    return check


def _validate_manifest(directory: Path, report: Report, tables: list[Table]) -> dict[str, Any] | None:
    if not (directory / MANIFEST).is_file():
        report.errors.append(f"{MANIFEST}: missing")
        return None
    try:
        manifest = read_manifest(directory)
    except ValueError as exc:
        report.errors.append(f"{MANIFEST}:1: not valid JSON: {exc}")
        return None
    if manifest.get("format") != FORMAT:
        report.errors.append(f"{MANIFEST}: format is {manifest.get('format')!r}, expected {FORMAT!r}")
    if manifest.get("format_version") != FORMAT_VERSION:
        report.errors.append(
            f"{MANIFEST}: format_version {manifest.get('format_version')!r} is not supported (this is {FORMAT_VERSION})"
        )
    if not isinstance(manifest.get("tenant"), str) or not _TENANT.fullmatch(manifest["tenant"]):
        report.errors.append(f"{MANIFEST}: tenant must be a 6-digit local government code")
    entries = manifest.get("tables")
    if not isinstance(entries, dict):
        report.errors.append(f"{MANIFEST}: tables missing")
        return None
    for table in tables:
        if table.name not in entries:
            report.errors.append(f"{MANIFEST}: table {table.name} missing")
    for name in entries:
        if name not in {t.name for t in tables}:
            report.errors.append(f"{MANIFEST}: table {name} is not known to this version of Kiban")
    left_out = manifest.get("not_exported") or {}
    if isinstance(left_out, dict) and left_out:  # records the source held but the format could not carry
        listed = ", ".join(f"{name} ({(v or {}).get('rows', '?')} rows)" for name, v in sorted(left_out.items()))
        report.notes.append(f"the source's export could not carry these tables (they are not in the files): {listed}")
    for path, expected in (manifest.get("schemas") or {}).items():
        if not (directory / path).is_file() or sha256_of(directory / path) != expected:
            report.errors.append(f"{path}: missing, or its SHA-256 differs from the manifest")
    return manifest


class IdRuns:
    """A set of ids kept as runs of consecutive values, built from ids in increasing order (``add``): memory grows
    with the number of gaps between the ids, not with their number."""

    __slots__ = ("ends", "starts")

    def __init__(self) -> None:
        self.starts: array[int] = array("q")
        self.ends: array[int] = array("q")

    @classmethod
    def of(cls, ids: Iterable[int]) -> IdRuns:
        runs = cls()
        for value in ids:
            runs.add(value)
        return runs

    def add(self, value: int) -> None:
        """Add ``value``, not less than any id added before (the last one again changes nothing)."""
        if self.ends and value == self.ends[-1] + 1:
            self.ends[-1] = value
        elif not self.ends or value != self.ends[-1]:
            assert not self.ends or value > self.ends[-1], "ids must be added in increasing order"
            self.starts.append(value)
            self.ends.append(value)

    def __or__(self, other: IdRuns) -> IdRuns:
        """Both sets, merged run by run (not id by id)."""
        union = IdRuns()
        for start, end in heapq.merge(self.runs(), other.runs()):
            if union.ends and start <= union.ends[-1] + 1:
                union.ends[-1] = max(union.ends[-1], end)
            else:
                union.starts.append(start)
                union.ends.append(end)
        return union

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, int):
            return False
        at = bisect_right(self.starts, value) - 1
        return at >= 0 and self.ends[at] >= value

    def runs(self) -> Iterator[tuple[int, int]]:
        """(first, last) of each run, in order."""
        return zip(self.starts, self.ends, strict=True)

    def __iter__(self) -> Iterator[int]:
        for start, end in self.runs():
            yield from range(start, end + 1)

    def __bool__(self) -> bool:
        return bool(self.starts)

    def __len__(self) -> int:
        return sum(self.ends) - sum(self.starts) + len(self.starts)

    def __repr__(self) -> str:
        return f"IdRuns({len(self)} ids in {len(self.starts)} runs)"


def validate(
    directory: Path, tables: list[Table] | None = None, existing: Mapping[str, IdRuns] | None = None
) -> Report:
    """Check everything in ``directory``; the report lists every problem found (nothing is written)."""
    tables = tables if tables is not None else exchanged_tables()
    report = validate_manifest(directory, tables)
    if report.manifest:
        validate_files(directory, tables, report, existing)
    return report


def validate_manifest(directory: Path, tables: list[Table]) -> Report:
    """The manifest alone (fast): a report whose ``manifest`` is empty if it is unusable."""
    report = Report()
    manifest = _validate_manifest(directory, report, tables)
    if manifest is not None:
        report.manifest = manifest
    return report


def validate_files(
    directory: Path, tables: list[Table], report: Report, existing: Mapping[str, IdRuns] | None = None
) -> Report:
    """Every file against the manifest in ``report`` (hashes, headers, values, references): adds to ``report``.

    ``existing``: per table, the ids the target tenant already holds (they may be referred to; a file row must not
    reuse one)."""
    existing = existing or {}
    manifest = report.manifest
    ids: dict[str, IdRuns] = {}
    referenced = {c.references for t in tables for c in t.columns if c.references}
    for table in tables:
        entry = manifest["tables"].get(table.name)
        if not isinstance(entry, dict):
            continue
        path = directory / table.file
        if not path.is_file():
            report.errors.append(f"{table.file}: missing")
            continue
        if sha256_of(path) != entry.get("sha256"):
            report.errors.append(f"{table.file}: SHA-256 differs from the manifest (file altered or truncated)")
            continue
        with path.open("rb") as f:
            f.seek(0, 2)
            size = f.tell()
            if size:
                f.seek(size - 1)
            if not size or f.read(1) != b"\n":
                report.errors.append(f"{table.file}: empty, or does not end with a line break")
                continue
        held = existing.get(table.name)
        facts = _validate_file(path, table, entry, ids, table.name in referenced, report, held)
        report.facts[table.name] = facts
        if held is not None and table.name in ids:  # references may also point to rows the tenant holds
            ids[table.name] = ids[table.name] | held
    return report


def _validate_file(
    path: Path,
    table: Table,
    entry: dict[str, Any],
    ids: dict[str, IdRuns],
    keep_ids: bool,
    report: Report,
    held: IdRuns | None,
) -> FileFacts:
    name = table.file
    facts = FileFacts()
    errors: list[str] = []

    def error(line: int, message: str) -> None:
        errors.append(f"{name}:{line}: {message}")

    d = table.digest_in_json
    key, field = (d.key, d.json_field) if d is not None else (None, None)
    checkers = [_checker(c, key if c.name == field else None) for c in table.columns]
    checks = [(i, check) for i, check in enumerate(checkers) if check is not None]
    refs = [(i, ids.get(c.references)) for i, c in enumerate(table.columns) if c.references]
    width = len(table.columns)
    kept = IdRuns()
    previous_id = 0
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f, strict=True)
        try:
            header = next(reader, None)
        except (csv.Error, UnicodeDecodeError) as exc:
            report.errors.append(f"{name}:1: {exc}")
            return facts
        if header != table.header:
            report.errors.append(f"{name}:1: header is {header}, expected {table.header}")
            return facts
        end = 1
        try:
            for row in reader:
                start, end = end + 1, reader.line_num
                if start != end:
                    facts.one_line_records = False
                facts.rows += 1
                if len(row) != width:
                    error(start, f"{len(row)} fields, expected {width}")
                    continue
                for i, check in checks:
                    problem = check(row[i])
                    if problem is not None:
                        error(start, problem)
                row_id = int(row[0]) if _INT.fullmatch(row[0]) else 0
                if row_id <= previous_id:
                    error(
                        start, f"id {row[0]} is not greater than the previous id {previous_id} (rows are ordered by id)"
                    )
                else:
                    previous_id = row_id
                    if keep_ids:
                        kept.add(row_id)
                    if held and row_id in held:
                        error(start, f"id {row_id} is already held by the target tenant")
                for i, known in refs:
                    value = row[i]
                    if value and known is not None and _INT.fullmatch(value) and int(value) not in known:
                        column = table.columns[i]
                        error(start, f"{column.name} {value} refers to no row of {column.references}")
                if len(errors) > 10 * MAX_PER_FILE:
                    break
        except (csv.Error, UnicodeDecodeError) as exc:
            error(end + 1, f"not readable as UTF-8 CSV: {exc}")
    facts.max_id = previous_id
    if entry.get("rows") != facts.rows and len(errors) <= 10 * MAX_PER_FILE:
        errors.append(f"{name}: {facts.rows} rows, the manifest says {entry.get('rows')}")
    report.errors.extend(errors[:MAX_PER_FILE])
    if len(errors) > MAX_PER_FILE:
        report.errors.append(f"{name}: … and {len(errors) - MAX_PER_FILE} more errors")
    if keep_ids:
        ids[table.name] = kept
    return facts
