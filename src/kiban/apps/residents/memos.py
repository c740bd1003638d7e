"""Memos on a person (メモ, 住民記録システム標準仕様書 1.1.15, j150).

The standard's four sentences, each kept here:

- 個人を単位とし、記載事項を限定しないメモ入力が可能であること: a memo belongs to one person and says anything
  (free text, up to ``MAX_LENGTH`` characters, not empty).
- メモを入力した者のユーザID及び日時が記録されること: every version records the staff user (``written_by``, the
  audit trail's actor) and the time.
- メモの修正・削除について履歴管理されること: the table is append-only (``ResidentMemo``); a correction or a deletion
  is a new version, and ``history`` shows them all, a deleted memo's included.
- メモ入力されたものについては、住民票の写し等の証明書に出力されないこと: nothing in ``certificates`` or
  ``printing`` reads this table (a test issues a certificate of a person with a memo and looks for its text).

A correction or deletion names the version it was made on (``based_on``): if someone else changed the memo since,
it is refused and nothing is written, instead of one silently overwriting the other. Every read and write is in
the audit trail; reads carry the purpose given, as the record page's do.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction

from kiban.platform.audit.actor import actor_label
from kiban.platform.audit.services import record

from .models import Resident, ResidentMemo
from .validation import Problems

MAX_LENGTH = 2000  # characters of one memo


@dataclass(frozen=True)
class Memo:
    """A memo as it stands (its newest version)."""

    memo: uuid.UUID
    version: int
    body: str
    written_by: str
    written_at: datetime
    first_written_by: str
    first_written_at: datetime


def _check_body(problems: Problems, body: str) -> str:
    text = body.strip()
    if not text:
        problems.add("body", "required", "メモの内容を入力してください。", "Enter the memo's text.")
    elif len(text) > MAX_LENGTH:
        problems.add(
            "body", "too_long",
            f"メモは{MAX_LENGTH}文字以内で入力してください（{len(text)}文字）。",
            f"A memo is at most {MAX_LENGTH} characters ({len(text)}).",
        )  # fmt: skip
    return text


def _check_request_id(problems: Problems, request_id: str) -> None:
    if not request_id or len(request_id) > 64:
        problems.add("request_id", "invalid", "画面を開き直してください。", "Open the page again (no request id).")


def _changed(problems: Problems) -> None:
    problems.add(
        "based_on", "changed",
        "このメモは他の職員が変更しました。最新の内容を確認してからやり直してください。",
        "Another user changed this memo meanwhile; check its current text and try again.",
    )  # fmt: skip


def _version(
    memo: uuid.UUID, version: int, resident_id: int, request_id: str, *, body: str = "", deleted: bool = False
) -> ResidentMemo:
    """One version of a memo, written by the current user (not saved yet: ``_written``)."""
    return ResidentMemo(memo=memo, version=version, resident_id=resident_id, body=body, deleted=deleted,
                        written_by=actor_label(), request_id=request_id)  # fmt: skip


def _written(row: ResidentMemo, action: str) -> ResidentMemo:
    """Save ``row``; a form sent twice (same ``request_id``) returns the first one's row, writing nothing."""
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        first = ResidentMemo.objects.filter(request_id=row.request_id).first()
        if first is not None and first.resident_id == row.resident_id:  # the same form again: done already
            return first
        problems = Problems()
        _changed(problems)
        problems.raise_if_any()
    record(f"residents.memo.{action}", "resident", str(row.resident_id), fields_read=["memo"])
    return row


def _already(resident_id: int, request_id: str) -> ResidentMemo | None:
    """The row a form with ``request_id`` already wrote for the person (sent twice: the first one counts)."""
    return ResidentMemo.objects.filter(request_id=request_id, resident_id=resident_id).first() if request_id else None


def write(resident_id: int, body: str, request_id: str) -> ResidentMemo:
    """A new memo on the person."""
    if (done := _already(resident_id, request_id)) is not None:
        return done
    problems = Problems()
    text = _check_body(problems, body)
    _check_request_id(problems, request_id)
    if not Resident.objects.filter(id=resident_id).exists():
        problems.add("resident", "not_found", "該当する住民がいません。", "No such resident.")
    problems.raise_if_any()
    return _written(_version(uuid.uuid4(), 1, resident_id, request_id, body=text), "written")


def _latest(resident_id: int, memo: uuid.UUID, based_on: int, problems: Problems) -> ResidentMemo | None:
    latest = ResidentMemo.objects.filter(memo=memo, resident_id=resident_id).order_by("-version").first()
    if latest is None or latest.deleted:
        problems.add("memo", "not_found", "このメモはありません（削除済みです）。", "No such memo (or it was deleted).")
        return None
    if latest.version != based_on:
        _changed(problems)
    return latest


def revise(resident_id: int, memo: uuid.UUID, based_on: int, body: str, request_id: str) -> ResidentMemo:
    """A correction: the memo's next version, with the new text (the earlier ones are kept)."""
    if (done := _already(resident_id, request_id)) is not None:
        return done
    problems = Problems()
    text = _check_body(problems, body)
    _check_request_id(problems, request_id)
    latest = _latest(resident_id, memo, based_on, problems)
    if latest is not None and not problems and latest.body == text:
        problems.add("body", "unchanged", "内容が変わっていません。", "The text is unchanged.")
    problems.raise_if_any()
    return _written(_version(memo, based_on + 1, resident_id, request_id, body=text), "revised")


def delete(resident_id: int, memo: uuid.UUID, based_on: int, request_id: str) -> ResidentMemo:
    """A deletion: the memo's next version, marked deleted (the earlier ones are kept and stay in its history)."""
    if (done := _already(resident_id, request_id)) is not None:
        return done
    problems = Problems()
    _check_request_id(problems, request_id)
    _latest(resident_id, memo, based_on, problems)
    problems.raise_if_any()
    return _written(_version(memo, based_on + 1, resident_id, request_id, deleted=True), "deleted")


def memos_of(resident_id: int, purpose: str) -> list[Memo]:
    """The person's memos as they stand, newest first; deleted ones left out. Audited as a read, with ``purpose``."""
    rows = list(ResidentMemo.objects.filter(resident_id=resident_id).order_by("memo", "version"))
    record("residents.memo.read", "resident", str(resident_id), fields_read=["memo"], purpose=purpose)
    versions: dict[uuid.UUID, list[ResidentMemo]] = {}
    for row in rows:
        versions.setdefault(row.memo, []).append(row)
    standing = [
        Memo(v[-1].memo, v[-1].version, v[-1].body, v[-1].written_by, v[-1].written_at, v[0].written_by,
             v[0].written_at)
        for v in versions.values()
        if not v[-1].deleted
    ]  # fmt: skip
    return sorted(standing, key=lambda m: m.written_at, reverse=True)


def history(resident_id: int, purpose: str) -> list[ResidentMemo]:
    """Every version of every memo of the person, deleted ones included, in the order written. Audited as a read."""
    rows = list(ResidentMemo.objects.filter(resident_id=resident_id).order_by("id"))
    record("residents.memo.history_read", "resident", str(resident_id), fields_read=["memo"], purpose=purpose)
    return rows
