"""住所一括変更 (住民記録システム標準仕様書 9.7, j1340): addresses or 本籍 changed for many records at once from a CSV
file, e.g. after 住居表示の実施 or a 区画整理, each as a 軽微な修正.

The standard asks for (each kept here):
- 現住所については、世帯番号と変更前後が入力されたCSVデータより、住民記録データの一括更新ができる — ``ADDRESS``
  files: 世帯番号, 変更前住所, 変更後住所 (``services.correct_address`` per household);
- 本籍については、宛名番号と変更前後が入力されたCSVデータより — ``DOMICILE`` files: 宛名番号, 変更前本籍, 変更後本籍
  (``services.correct`` of the 本籍, 軽微な修正);
- 仮処理と本処理ができる。処理結果を確認するための一覧が作成できる — ``run(trial=True)`` runs every change and rolls
  all of it back; both return the list of what was changed and what was left out, by line;
- 抽出時点の対象者と、本処理時点での対象者および変更前のデータが相違する者（転出予定者を含む。）については、一括更新から
  除外して構わない — a row whose 変更前 no longer matches the record, or whose household has a member moving out, is
  left out with the reason; the others are changed.
The 住基ネット transmission (CS, 更新事由「軽微な修正」) is not built: Kiban has no CS interface yet.

A file with a malformed line is refused as a whole (every bad line named), before anything runs. Each row's change
has a request id made of the file, the kind and the date, so running the same file again changes nothing twice.
Files are UTF-8 (a BOM is allowed) or Shift_JIS (CP932), as municipal systems write them.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from kiban.platform.audit.services import record
from kiban.standard.codes import ChangeReason

from . import selectors, services
from .models import Household, Resident
from .validation import Problems, ProcedureError

ADDRESS, DOMICILE = "address", "domicile"
HEADERS = {ADDRESS: ("世帯番号", "変更前住所", "変更後住所"), DOMICILE: ("宛名番号", "変更前本籍", "変更後本籍")}
MAX_ROWS = 20_000


@dataclass(frozen=True)
class Row:
    line: int
    target: int  # 世帯番号 or 宛名番号
    before: str
    after: str


@dataclass(frozen=True)
class Outcome:
    line: int
    target: int
    changed: bool
    detail: str  # why it was left out, or "" when changed
    procedure_id: int | None = None


@dataclass
class BulkResult:
    trial: bool
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return sum(o.changed for o in self.outcomes)

    @property
    def left_out(self) -> int:
        return len(self.outcomes) - self.changed


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp932")  # a UnicodeDecodeError here is reported by ``parse``


def parse(kind: str, data: bytes) -> list[Row]:
    """The file's rows; ``ProcedureError`` naming every bad line (nothing is run then)."""
    problems = Problems()
    if kind not in HEADERS:
        problems.add("kind", "invalid", "住所か本籍かを選んでください。", "Choose address or domicile.")
        problems.raise_if_any()
    try:
        text = _text(data)
    except UnicodeDecodeError:
        problems.add(
            "file", "encoding", "UTF-8 か Shift_JIS の CSV ファイルにしてください。", "Use UTF-8 or Shift_JIS."
        )
        problems.raise_if_any()
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    expected = HEADERS[kind]
    if header is None or tuple(h.strip() for h in header) != expected:
        problems.add("file", "header", f"1行目は「{','.join(expected)}」にしてください。",
                     f"Line 1 must be {','.join(expected)}.")  # fmt: skip
        problems.raise_if_any()
    rows: list[Row] = []
    seen: dict[int, int] = {}
    for fields_ in reader:
        line = reader.line_num
        if not any(f.strip() for f in fields_):
            continue
        if len(fields_) != 3:
            problems.add("file", "fields", f"{line}行目: 3項目ではありません。", f"Line {line}: not 3 fields.")
            continue
        target, before, after = (f.strip() for f in fields_)
        if not target.isascii() or not target.isdigit():
            problems.add("file", "target", f"{line}行目: {expected[0]}が数字ではありません。",
                         f"Line {line}: {expected[0]} is not a number.")  # fmt: skip
            continue
        if not before or not after or before == after:
            problems.add("file", "values", f"{line}行目: 変更前と変更後を（異なる値で）入力してください。",
                         f"Line {line}: give the value before and a different one after.")  # fmt: skip
            continue
        if int(target) in seen:
            problems.add("file", "duplicate", f"{line}行目: {seen[int(target)]}行目と同じ{expected[0]}です。",
                         f"Line {line}: the same {expected[0]} as line {seen[int(target)]}.")  # fmt: skip
            continue
        seen[int(target)] = line
        rows.append(Row(line, int(target), before, after))
    if not rows and not problems:
        problems.add("file", "empty", "変更する行がありません。", "The file has no rows.")
    if len(rows) > MAX_ROWS:
        problems.add("file", "too_many", f"{MAX_ROWS}行までにしてください。", f"At most {MAX_ROWS} rows.")
    problems.raise_if_any()
    return rows


def run(kind: str, data: bytes, *, effective_on: date, reason: str, trial: bool) -> BulkResult:
    """Change every row that still matches (``trial``: then roll it all back); the list of outcomes by line."""
    rows = parse(kind, data)
    problems = Problems()
    if not reason.strip():
        problems.add("reason", "required", "理由を入力してください（例：住居表示の実施）。", "Enter the reason.")
    if effective_on > timezone.localdate():
        problems.add("effective_on", "future_date", "異動日が未来の日付です。", "The date is in the future.")
    problems.raise_if_any()
    batch = hashlib.sha256(b"%s|%s|" % (kind.encode(), effective_on.isoformat().encode()) + data).hexdigest()[:16]
    result = BulkResult(trial)
    with transaction.atomic():
        for row in rows:
            n = services.Notification(f"bulk-{batch}-{row.line}", effective_on, effective_on)
            result.outcomes.append(_one(kind, row, n, reason.strip()))
        if trial:
            transaction.set_rollback(True)
    # Both are audited: a trial reads the records too (a row left out names the value it found).
    action = "trial" if trial else "applied"
    record(f"residents.bulk_{kind}.{action}", "bulk", batch, fields_read=[kind], purpose=reason.strip())
    return result


def _one(kind: str, row: Row, n: services.Notification, reason: str) -> Outcome:
    try:
        if kind == ADDRESS:
            household = Household.objects.filter(id=row.target).first()
            if household is None:
                return Outcome(row.line, row.target, False, "世帯がありません (no such household)")
            if household.address != row.before:
                return Outcome(row.line, row.target, False, f"変更前住所が一致しません（現在: {household.address}）")
            members = Resident.objects.filter(household_id=row.target).exclude(status=Resident.Status.REGISTERED)
            if any(selectors.is_current(m) for m in members):
                return Outcome(row.line, row.target, False, "転出予定者がいます (a member is moving out)")
            address = services.AddressData(row.after, household.postal_code, "", household.building)
            done = services.correct_address(n, household_id=row.target, address=address, reason=reason)
        else:
            person = Resident.objects.filter(id=row.target).first()
            if person is None or person.status != Resident.Status.REGISTERED:
                return Outcome(row.line, row.target, False, "住民票がありません（除票・転出予定を含む）")
            if person.domicile != row.before:
                return Outcome(row.line, row.target, False, f"変更前本籍が一致しません（現在: {person.domicile}）")
            done = services.correct(n, resident_id=row.target, changes={"domicile": row.after}, reason=reason,
                                    kind=ChangeReason.MINOR_CORRECTION)  # fmt: skip
    except ProcedureError as exc:
        return Outcome(row.line, row.target, False, "; ".join(e.message for e in exc.errors))
    return Outcome(row.line, row.target, True, "", done.procedure_id)
