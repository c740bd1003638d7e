"""The jobs business apps declare, and their parameters (住民記録システム標準仕様書 9.1 バッチ処理, j1280).

An app declares its jobs from its ``AppConfig.ready()`` with :func:`register`; the platform knows no business, only
this registry. A job is a callable run once per tenant, inside that tenant's context, returning a short summary of
its result. The summary is shown on the run log and must carry no personal data (counts, file names, dates).

Parameter values are strings, as typed into the page or on the command line (``--param k=v``): that is what a run
records and what the next run starts from (前回処理時に設定したパラメータが参照されること). They are checked when a
run is requested or a schedule saved (:func:`validate`), and turned into Python values when the run starts
(:func:`resolve`), so that a date parameter given as ``today`` in a monthly schedule means the day of each run.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings

from . import alerts

KINDS = ("str", "int", "date", "choice", "directory", "bool")
# Date parameters may name a day relative to the run (resolved in JST on the day the run starts).
DATE_TOKENS: Mapping[str, str] = {
    "today": "実行日 (the day of the run)",
    "yesterday": "実行日の前日 (the day before)",
    "month_end": "実行月の末日 (the last day of the run's month)",
    "previous_month_end": "前月末日 (the last day of the previous month)",
}
_DIRECTORY = re.compile(r"^[A-Za-z0-9_\-]+(/[A-Za-z0-9_\-]+)*$")


@dataclass(frozen=True)
class Param:
    """One parameter of a job: its name, labels, kind and default (a string, like every value)."""

    name: str
    label_ja: str
    label_en: str
    kind: str = "str"
    default: str = ""
    required: bool = True
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    help: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"parameter {self.name}: unknown kind {self.kind!r}; one of {', '.join(KINDS)}")
        if self.kind == "choice" and not self.choices:
            raise ValueError(f"parameter {self.name}: a choice needs choices")


@dataclass(frozen=True)
class RunContext:
    """What a job's callable is given: the tenant, the resolved parameter values and where it may write files."""

    tenant_id: str
    run_id: int
    today: date
    values: Mapping[str, Any]

    def output_dir(self, directory: str) -> Path:
        """The tenant's own folder ``directory`` under ``settings.KIBAN_BATCH_DIR`` (created): a job never writes
        outside its tenant's folder, whatever a supervisor types (directory parameters are relative, checked)."""
        path = Path(settings.KIBAN_BATCH_DIR) / self.tenant_id / directory
        path.mkdir(parents=True, exist_ok=True)
        return path

    def write_bytes(self, directory: str, name: str, data: bytes) -> Path:
        """Write a file whole or not at all (a temporary file renamed into place): a failed run leaves no half file."""
        target = self.output_dir(directory) / name
        partial = target.with_name(f".{name}.{self.run_id}.partial")
        partial.write_bytes(data)
        partial.replace(target)
        return target

    def write_text(self, directory: str, name: str, text: str, encoding: str = "utf-8") -> Path:
        return self.write_bytes(directory, name, text.encode(encoding))

    def write_table(self, directory: str, stem: str, rows: Sequence[Sequence[Any]], fmt: str) -> Path:
        """Rows (the first the header) as ``<stem>.csv`` (UTF-8 with a byte order mark, so that Excel reads it as
        UTF-8; CRLF) or ``<stem>.xlsx`` (one sheet; whole numbers as numbers), the submission formats of 9.1
        (最終的な提出物をXLSX形式等で作成)."""
        if fmt == "csv":
            out = io.StringIO()
            csv.writer(out, lineterminator="\r\n").writerows(rows)
            return self.write_text(directory, f"{stem}.csv", out.getvalue(), "utf-8-sig")
        if fmt != "xlsx":
            raise ValueError(f"unknown table format {fmt!r}")
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        for row in rows:
            sheet.append([int(v) if isinstance(v, str) and v.isascii() and v.isdigit() else v for v in row])
        data = io.BytesIO()
        book.save(data)
        return self.write_bytes(directory, f"{stem}.xlsx", data.getvalue())


@dataclass(frozen=True)
class Job:
    """A batch job: ``name`` is ``<business>.<what>``; ``roles`` may schedule and start it (its supervisors)."""

    name: str
    title_ja: str
    title_en: str
    business: str
    roles: tuple[str, ...]
    run: Callable[[RunContext], str]
    params: tuple[Param, ...] = ()
    description: str = ""
    # PostgreSQL statement_timeout of the job's transaction: a runaway job ends (abnormally) instead of holding locks.
    timeout_seconds: int = 3600
    defaults: Mapping[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.roles:
            raise ValueError(f"job {self.name}: say which roles may run it")
        object.__setattr__(self, "defaults", {p.name: p.default for p in self.params})

    def param(self, name: str) -> Param:
        return next(p for p in self.params if p.name == name)


_jobs: dict[str, Job] = {}


def register(*jobs: Job) -> None:
    """Declare jobs (from ``AppConfig.ready()``). A name declared twice with another definition is an error."""
    for job in jobs:
        existing = _jobs.get(job.name)
        if existing is not None and existing is not job and existing != job:
            raise ValueError(f"batch job {job.name} registered twice with different definitions")
        _jobs[job.name] = job
        alerts.allow_business(job.business)


def get(name: str) -> Job:
    try:
        return _jobs[name]
    except KeyError:
        raise LookupError(f"unknown batch job {name!r}; known: {', '.join(sorted(_jobs)) or 'none'}") from None


def all_jobs() -> list[Job]:
    return sorted(_jobs.values(), key=lambda j: j.name)


class ParameterError(ValueError):
    """Bad parameter values: ``problems`` maps each parameter to (Japanese, English) messages. Nothing is written."""

    def __init__(self, problems: Mapping[str, tuple[str, str]]) -> None:
        self.problems = dict(problems)
        super().__init__("; ".join(f"{name}: {en}" for name, (_ja, en) in self.problems.items()))


def validate(job: Job, given: Mapping[str, str]) -> dict[str, str]:
    """The values of every parameter of ``job`` as strings (defaults for those not given, blanks trimmed), or
    ``ParameterError`` naming each bad one. Unknown names are errors (a typo must not pass silently)."""
    problems: dict[str, tuple[str, str]] = {}
    known = {p.name for p in job.params}
    for name in given:
        if name not in known:
            problems[name] = ("このパラメータはありません。", f"unknown parameter; known: {', '.join(sorted(known))}")
    values: dict[str, str] = {}
    for p in job.params:
        raw = str(given.get(p.name, p.default)).strip()
        values[p.name] = raw
        if not raw:
            if p.required:
                problems[p.name] = ("入力してください。", "required")
            continue
        try:
            _convert(p, raw, date(2000, 1, 1))
        except ValueError as exc:
            ja, _, en = str(exc).partition("|")
            problems[p.name] = (ja, en)
    if problems:
        raise ParameterError(problems)
    return values


def resolve(job: Job, given: Mapping[str, str], today: date) -> dict[str, Any]:
    """The Python values of validated parameters, date tokens resolved against ``today`` (the run's day, JST)."""
    values = validate(job, given)
    return {p.name: (_convert(p, values[p.name], today) if values[p.name] else None) for p in job.params}


def _convert(p: Param, raw: str, today: date) -> Any:
    if p.kind == "int":
        try:
            number = int(raw)
        except ValueError:
            raise ValueError("整数で入力してください。|not a whole number") from None
        if (p.minimum is not None and number < p.minimum) or (p.maximum is not None and number > p.maximum):
            raise ValueError(f"{p.minimum}〜{p.maximum}の範囲で入力してください。|out of range {p.minimum}–{p.maximum}")
        return number
    if p.kind == "date":
        return resolve_date(raw, today)
    if p.kind == "choice":
        if raw not in p.choices:
            raise ValueError(f"{'・'.join(p.choices)}から選んでください。|one of {', '.join(p.choices)}")
        return raw
    if p.kind == "bool":
        if raw not in ("true", "false"):
            raise ValueError("true または false です。|true or false")
        return raw == "true"
    if p.kind == "directory":
        if len(raw) > 100 or not _DIRECTORY.match(raw):
            raise ValueError(
                "英数字・-・_ の相対フォルダ名（/区切り）で入力してください。"
                "|a relative folder: letters, digits, - and _, separated by /"
            )
        return raw
    return raw


def resolve_date(raw: str, today: date) -> date:
    """An ISO date (2026-03-31) or one of ``DATE_TOKENS`` relative to ``today``."""
    if raw == "today":
        return today
    if raw == "yesterday":
        return today - timedelta(days=1)
    if raw == "month_end":
        return today.replace(day=calendar.monthrange(today.year, today.month)[1])
    if raw == "previous_month_end":
        return today.replace(day=1) - timedelta(days=1)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        tokens = ", ".join(DATE_TOKENS)
        message = f"日付（2026-03-31）または {tokens} で入力してください。|a date (2026-03-31) or {tokens}"
        raise ValueError(message) from None


def changed(given: Mapping[str, str], previous: Mapping[str, str] | None) -> list[str]:
    """The parameters whose values differ from the previous run's (none when there was no previous run)."""
    if previous is None:
        return []
    return sorted(name for name, value in given.items() if previous.get(name) != value)
