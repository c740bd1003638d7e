"""The 統合記載欄's 留意事項 and 備考 (住民記録システム標準仕様書 1.1.14, j140).

The standard: 統合記載欄に異動履歴（Ａ類型）及びそれに関係する留意事項（Ｂ類型）、並びに異動履歴に関係しない事項である
備考（Ｃ類型）を入力できること — the history (A) is written by every procedure (``ResidentHistory``); here the other
two: a 留意事項 (B) is tied to one entry of the person's history (留意事項については、直接関係する異動項目と紐付けて
管理する), a 備考 (C) is kept apart from it (備考については異動履歴とは別に管理し). Both are free text (the automatic
留意事項 per 異動事由 is optional for a 一般市区町村 and not built: 実装しない場合は留意事項について自由入力できること),
and ``FIXED_PHRASES`` offers the words the standard prescribes for 特別養子縁組 and its dissolution.

A mistaken entry is withdrawn with the reason (who and when kept), never deleted: it stays in the audit trail and
in the exports, and is no longer shown or printed. Both kinds are printed with the history on a certificate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from kiban.platform.audit.actor import actor_label
from kiban.platform.audit.services import record

from .models import Resident, ResidentHistory, ResidentRemark
from .validation import Problems

MAX_LENGTH = 200
# 標準仕様書 1.1.14: 「特別養子縁組」 and 「特別養子縁組解消」 must be the words used for these cases.
FIXED_PHRASES = ("特別養子縁組", "特別養子縁組解消")


@dataclass(frozen=True)
class RemarkData:
    kind: str  # ResidentRemark.Kind
    text: str
    entered_on: date
    history_seq: int | None = None  # a 留意事項's history entry (ResidentHistory.seq)


def add(resident_id: int, data: RemarkData) -> ResidentRemark:
    """Enter a 留意事項 or a 備考 on the person's record; ``ProcedureError`` (nothing written) with every problem."""
    problems = Problems()
    text = data.text.strip()
    if data.kind not in ResidentRemark.Kind.values:
        problems.add("kind", "invalid", "留意事項か備考かを選んでください。", "Choose a note or a remark.")
    if not text:
        problems.add("text", "required", "記載内容を入力してください。", "Enter the text.")
    elif len(text) > MAX_LENGTH:
        problems.add(
            "text", "too_long", f"{MAX_LENGTH}文字以内で入力してください。", f"At most {MAX_LENGTH} characters."
        )
    if data.entered_on > timezone.localdate():
        problems.add("entered_on", "future_date", "記載日が未来の日付です。", "The date is in the future.")
    if not Resident.objects.filter(id=resident_id).exists():
        problems.add("resident", "not_found", "該当する住民がいません。", "No such resident.")
    elif data.kind == ResidentRemark.Kind.NOTE:
        if data.history_seq is None:
            problems.add(
                "history_seq", "required", "留意事項を記載する異動履歴を選んでください。",
                "Choose the history entry the note belongs to.",
            )  # fmt: skip
        elif not ResidentHistory.objects.filter(resident_id=resident_id, seq=data.history_seq).exists():
            problems.add("history_seq", "not_found", "その異動履歴はありません。", "No such history entry.")
    elif data.history_seq is not None:
        problems.add(
            "history_seq", "not_for_remark", "備考は異動履歴と紐付けません（留意事項を選んでください）。",
            "A remark is not tied to a history entry (choose a note).",
        )  # fmt: skip
    problems.raise_if_any()
    remark = ResidentRemark.objects.create(
        resident_id=resident_id, kind=data.kind, text=text, entered_on=data.entered_on,
        history_seq=data.history_seq if data.kind == ResidentRemark.Kind.NOTE else None, recorded_by=actor_label(),
    )  # fmt: skip
    record("residents.remark.entered", "resident", str(resident_id), fields_read=["remarks"])
    return remark


def withdraw(resident_id: int, remark_id: int, reason: str) -> ResidentRemark:
    """Withdraw a mistaken entry (kept, with who, when and why; no longer shown or printed)."""
    problems = Problems()
    remark = ResidentRemark.objects.select_for_update().filter(id=remark_id, resident_id=resident_id).first()
    if remark is None or remark.withdrawn_at is not None:
        problems.add("remark", "not_found", "その記載はありません（取消済みです）。", "No such entry (or withdrawn).")
    if not reason.strip():
        problems.add("reason", "required", "取消の理由を入力してください。", "Enter the reason for withdrawing it.")
    problems.raise_if_any()
    assert remark is not None
    remark.withdrawn_at, remark.withdrawn_by, remark.withdrawal_reason = timezone.now(), actor_label(), reason.strip()
    remark.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    record("residents.remark.withdrawn", "resident", str(resident_id), fields_read=["remarks"])
    return remark


@dataclass(frozen=True)
class Entered:
    """A person's entries in force as the record shows and prints them: each 留意事項 under its history entry (by
    ``ResidentHistory.seq``), the 備考 apart."""

    notes: dict[int, tuple[str, ...]]
    remarks: tuple[str, ...]


def entered(resident_id: int) -> Entered:
    """The person's entries in force, split as the record shows and prints them (``Entered``)."""
    notes: dict[int, list[str]] = {}
    kept: list[str] = []
    for r in standing(resident_id):
        if r.kind == ResidentRemark.Kind.NOTE and r.history_seq is not None:
            notes.setdefault(r.history_seq, []).append(r.text)
        elif r.kind == ResidentRemark.Kind.REMARK:
            kept.append(r.text)
    return Entered({seq: tuple(texts) for seq, texts in notes.items()}, tuple(kept))


def standing(resident_id: int) -> list[ResidentRemark]:
    """The person's entries in force (withdrawn ones left out), in the order entered."""
    return list(ResidentRemark.objects.filter(resident_id=resident_id, withdrawn_at__isnull=True).order_by("id"))
