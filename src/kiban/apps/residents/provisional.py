"""Provisional entry and final registration (仮登録・本登録; 住民記録システム標準仕様書 4.0.8 審査・決裁, j530).

What a clerk enters at the counter is kept as a provisional entry (仮登録): it is saved, but it is not yet written
in the register (法上、住民票（原票）にまだ記載されていない状態). Nothing of it reaches the resident rows, the history,
certificates, the standard events or other businesses, which all keep reading the data as they were before
(仮登録前のデータ). After review (審査) an examiner registers it (本登録, 決裁): only then does the procedure run,
in one transaction, and become history. Until then the entry can be corrected (修正) or withdrawn (取消).

The list of provisional entries (仮登録一覧) can be shown and registered whole or in part: the entries chosen, or
those of one counter (入力支所). Registering "all" is capped (``KIBAN_PROVISIONAL_BULK_LIMIT``, the standard allows
a limit on 全部本登録).

As 4.0.8 requires (実装しない機能), the examiner's name and the date of the decision are not kept as data of the
entry: an entry knows only that it was registered and which procedure it became. Who did what stays in the
tamper-evident audit log (kiban.platform.audit), which is the platform's security record, not register data.

How an entry becomes a procedure is the caller's: the counter stores its wizard's form data and replays the form
(``runner``), so the checks at 本登録 are exactly those of direct entry, made against the register as it is then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction

from kiban.platform.audit.services import record

from .models import Procedure, ProvisionalEntry
from .services import ProcedureResult
from .validation import FieldError, Problems, ProcedureError

Runner = Callable[[ProvisionalEntry], ProcedureResult]


def bulk_limit() -> int:
    return int(getattr(settings, "KIBAN_PROVISIONAL_BULK_LIMIT", 100))


@dataclass(frozen=True)
class Outcome:
    """What 本登録 of one entry gave: the procedure, or the problems that kept it provisional."""

    entry_id: int
    result: ProcedureResult | None = None
    errors: list[FieldError] = field(default_factory=list)

    @property
    def registered(self) -> bool:
        return self.result is not None


def enter(
    *,
    procedure: str,
    label: str,
    request_id: str,
    data: dict[str, Any],
    summary: str,
    target: str = "",
    branch: str = "",
    resident_ids: Iterable[int] = (),
) -> ProvisionalEntry:
    """仮登録: keep what was entered, not yet in the register. Entering again with the same request id corrects
    (修正) the provisional entry; an entry already registered or withdrawn cannot change."""
    problems = Problems()
    if not request_id or len(request_id) > 64:
        problems.add("request_id", "invalid", "要求IDは1〜64文字です。", "The request id must be 1–64 characters.")
    if Procedure.objects.filter(request_id=request_id).exists():
        problems.add("request_id", "registered", "この入力は既に本登録されています。",
                     "This entry is already registered.")  # fmt: skip
    problems.raise_if_any()
    with transaction.atomic():
        entry = ProvisionalEntry.objects.select_for_update().filter(request_id=request_id).first()
        if entry is not None and entry.status != ProvisionalEntry.Status.PROVISIONAL:
            problems.add("request_id", entry.status, "この入力は既に本登録又は取消済みです。",
                         "This entry was already registered or withdrawn.")  # fmt: skip
            problems.raise_if_any()
        corrected = entry is not None
        entry = entry or ProvisionalEntry(request_id=request_id)
        entry.procedure_kind = procedure
        entry.label = label
        entry.data = data
        entry.summary = summary[:255]
        entry.target = target
        entry.branch = branch[:64]
        entry.resident_ids = sorted(set(resident_ids))
        entry.problems = []
        entry.save()
        record(f"residents.provisional.{'corrected' if corrected else 'entered'}", "provisional", str(entry.id),
               purpose=label)  # fmt: skip
    return entry


def pending(*, branch: str | None = None, entry_ids: Iterable[int] | None = None) -> list[ProvisionalEntry]:
    """仮登録一覧: provisional entries, oldest first; of one counter (入力支所) or the chosen ones if asked."""
    entries = ProvisionalEntry.objects.filter(status=ProvisionalEntry.Status.PROVISIONAL)
    if branch:
        entries = entries.filter(branch=branch)
    if entry_ids is not None:
        entries = entries.filter(id__in=list(entry_ids))
    return list(entries.order_by("id"))


def pending_for(resident_ids: Iterable[int]) -> list[ProvisionalEntry]:
    """Provisional entries that name any of these persons (a clerk is told before entering another one)."""
    wanted = set(resident_ids)
    return [e for e in pending() if wanted & set(e.resident_ids)]


def withdraw(entry_id: int) -> ProvisionalEntry:
    """取消: a provisional entry is dropped; nothing had been written in the register."""
    with transaction.atomic():
        entry = _provisional(entry_id)
        entry.status = ProvisionalEntry.Status.WITHDRAWN
        entry.save(update_fields=["status"])
        record("residents.provisional.withdrawn", "provisional", str(entry.id), purpose=entry.label)
    return entry


def register(entry_ids: Iterable[int], runner: Runner) -> list[Outcome]:
    """本登録 of the chosen provisional entries, oldest first, each in its own transaction: a refused entry stays
    provisional with its problems shown, the others are registered. More than ``bulk_limit()`` at once is refused."""
    ids = sorted(set(entry_ids))
    problems = Problems()
    if not ids:
        problems.add("entry_ids", "required", "本登録する仮登録を選んでください。", "Choose the entries to register.")
    elif len(ids) > bulk_limit():
        problems.add("entry_ids", "too_many", f"一度に本登録できるのは{bulk_limit()}件までです。",
                     f"At most {bulk_limit()} entries can be registered at once.")  # fmt: skip
    problems.raise_if_any()
    outcomes = []
    for entry_id in ids:
        try:
            with transaction.atomic():
                entry = _provisional(entry_id)
                result = runner(entry)
                entry.status = ProvisionalEntry.Status.REGISTERED
                entry.procedure_id = result.procedure_id
                entry.problems = []
                entry.save(update_fields=["status", "procedure", "problems"])
                record("residents.provisional.registered", "provisional", str(entry.id), purpose=entry.label)
            outcomes.append(Outcome(entry_id, result=result))
        except ProcedureError as exc:
            errors = list(exc.errors)
            if not any(e.field == "entry_ids" for e in errors):
                ProvisionalEntry.objects.filter(id=entry_id, status=ProvisionalEntry.Status.PROVISIONAL).update(
                    problems=[asdict(e) for e in errors]
                )
            outcomes.append(Outcome(entry_id, errors=errors))
    return outcomes


def _provisional(entry_id: int) -> ProvisionalEntry:
    entry = ProvisionalEntry.objects.select_for_update().filter(id=entry_id).first()
    problems = Problems()
    if entry is None:
        problems.add("entry_ids", "not_found", f"仮登録（番号 {entry_id}）が見つかりません。",
                     f"No provisional entry {entry_id}.")  # fmt: skip
    elif entry.status != ProvisionalEntry.Status.PROVISIONAL:
        problems.add("entry_ids", entry.status, f"仮登録（番号 {entry_id}）は既に本登録又は取消済みです。",
                     f"Entry {entry_id} was already registered or withdrawn.")  # fmt: skip
    problems.raise_if_any()
    assert entry is not None
    return entry
