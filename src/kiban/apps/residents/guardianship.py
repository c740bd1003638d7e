"""成年被後見人 (住民記録システム標準仕様書 9.4, j1310).

The standard: 対象者については、成年被後見人の設定ができること — a supervisor sets it on a person, from the day the
後見開始の審判 became final, and ends it (with the reason) when the guardianship ends; 成年被後見人の転出があった場合、
転入地市区町村へ発送する通知書を作成できること — for a person under guardianship who moves out, ``move_out_notice``
gives what the notice to the municipality moved to says (printed from the counter). 実装しない機能: 成年被後見人に
ついて、一覧表が作成できること — no function here, and no page, lists the persons under guardianship: each is read
for one person, audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from kiban.platform.audit.actor import actor_label
from kiban.platform.audit.services import record
from kiban.platform.tenants.context import current_tenant_id
from kiban.platform.tenants.models import Tenant
from kiban.standard.codes import MOVE_OUT_REASONS

from .models import AdultGuardianship, Resident, ResidentHistory
from .validation import Problems


def active(resident_id: int) -> AdultGuardianship | None:
    """The person's guardianship in force (not ended), if any."""
    return AdultGuardianship.objects.filter(resident_id=resident_id, ended_on__isnull=True).order_by("-id").first()


def start(resident_id: int, started_on: date) -> AdultGuardianship:
    """Set a registered person as 成年被後見人 from ``started_on``; ``ProcedureError`` (nothing written) otherwise."""
    problems = Problems()
    person = Resident.objects.filter(id=resident_id).first()
    if person is None or person.status != Resident.Status.REGISTERED:
        problems.add("resident", "not_found", "住民票のある方を選んでください。", "Choose a registered person.")
    elif active(resident_id) is not None:
        problems.add("resident", "already", "既に成年被後見人として設定されています。", "Already set.")
    if started_on > timezone.localdate():
        problems.add("started_on", "future_date", "後見開始日が未来の日付です。", "The date is in the future.")
    problems.raise_if_any()
    set_ = AdultGuardianship.objects.create(resident_id=resident_id, started_on=started_on, recorded_by=actor_label())
    record("residents.guardianship.started", "resident", str(resident_id), fields_read=["guardianship"])
    return set_


def end(resident_id: int, ended_on: date, reason: str) -> AdultGuardianship:
    """End the person's guardianship (the row is kept, with the date and the reason)."""
    problems = Problems()
    current = active(resident_id)
    if current is None:
        problems.add("resident", "not_set", "成年被後見人として設定されていません。", "No guardianship is set.")
    elif ended_on < current.started_on or ended_on > timezone.localdate():
        problems.add("ended_on", "invalid", "終了日は後見開始日以降、今日までの日付です。",
                     "The end is between the start and today.")  # fmt: skip
    if not reason.strip():
        problems.add(
            "reason", "required", "終了事由を入力してください（例：後見開始の審判の取消し）。", "Enter the reason."
        )
    problems.raise_if_any()
    assert current is not None
    current.ended_on, current.ended_by, current.end_reason = ended_on, actor_label(), reason.strip()
    current.save(update_fields=["ended_on", "ended_by", "end_reason"])
    record("residents.guardianship.ended", "resident", str(resident_id), fields_read=["guardianship"])
    return current


@dataclass(frozen=True)
class MoveOutNotice:
    """What the notice to the municipality moved to says (成年被後見人の転出に係る通知書)."""

    municipality: str  # the sender
    destination_address: str
    planned_on: date  # 転出予定日
    name: str
    kana: str
    birth_date: date
    address: str  # the address moved out of
    started_on: date  # 後見開始日


def move_out_notice(resident_id: int, purpose: str) -> MoveOutNotice | None:
    """The notice for a person under guardianship who moved out (or is moving out); None otherwise. Audited."""
    person = Resident.objects.select_related("household").filter(id=resident_id).first()
    if person is None:
        return None
    guardianship = (
        AdultGuardianship.objects.filter(resident_id=resident_id).order_by("-id").first()
    )  # in force when the person left (a move-out does not end it)
    moved = (
        ResidentHistory.objects.filter(resident_id=resident_id, kind__in=[str(k) for k in MOVE_OUT_REASONS])
        .select_related("procedure")
        .order_by("-seq")
        .first()
    )
    if guardianship is None or moved is None or (guardianship.ended_on and guardianship.ended_on < moved.effective_on):
        return None
    record("residents.guardianship.notice", "resident", str(resident_id), fields_read=["guardianship"], purpose=purpose)
    tenant = Tenant.objects.get(code=current_tenant_id())
    return MoveOutNotice(
        municipality=f"{tenant.prefecture}{tenant.name}",
        destination_address=str(moved.procedure.payload.get("destination_address", "")),
        planned_on=moved.effective_on,
        name=f"{person.family_name}　{person.given_name}",
        kana=f"{person.family_name_kana}　{person.given_name_kana}",
        birth_date=person.birth_date,
        address=person.household.full_address,
        started_on=guardianship.started_on,
    )
