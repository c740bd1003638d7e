"""What the registry's staff-kept masters share (方書マスタ 1.3.4, 住居表示・地番 1.3.2, 入力場所・入力端末 1.3.1): an
entry is stored with who recorded it, audited (``store``); one no longer used is retired on a day — kept for the
records that name it, no longer offered — never deleted (``retire``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import timezone

from kiban.platform.audit.actor import actor_label
from kiban.platform.audit.services import record

from .validation import Problems

Row = TypeVar("Row", bound=models.Model)


def store(row: Row, action: str, **values: Any) -> Row:
    """``row`` (new, or one being corrected) saved with ``values`` and who recorded it, audited as ``action``
    (``residents.<object type>.saved``), in one transaction; the caller has checked the values."""
    with transaction.atomic():
        for name, value in values.items():
            setattr(row, name, value)
        row.recorded_by = actor_label()  # type: ignore[attr-defined]
        row.save()
        record(action, action.split(".")[1], str(row.pk))
    return row


def retire(model: type[Row], object_id: int, on: date, *, field: str = "id", label: str = "登録",
           check: Callable[[Problems, Any], None] | None = None) -> Row:  # fmt: skip
    """The entry retired ``on`` (today or earlier), with who did it, audited; ``ProcedureError`` (nothing written)
    for no such entry, one retired already, a future date or what ``check`` finds."""
    problems = Problems()
    found: Any = model._default_manager.filter(id=object_id).first()
    if found is None:
        problems.add(field, "not_found", f"{label}が見つかりません。", "Not found.")
    elif found.retired_on is not None:
        problems.add(field, "retired", "既に廃止されています。", "Already retired.")
    elif check is not None:
        check(problems, found)
    if on > timezone.localdate():
        problems.add("on", "future_date", "廃止日が未来の日付です。", "The date is in the future.")
    problems.raise_if_any()
    found.retired_on, found.recorded_by = on, actor_label()
    found.save(update_fields=["retired_on", "recorded_by"])
    name = model._meta.model_name or ""
    record(f"residents.{name}.retired", name, str(found.id))
    return found
