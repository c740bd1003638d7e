"""Support measures (支援措置) for victims of domestic violence, stalking, child abuse and the like.

Law: 住民基本台帳法 11条の2・12条6項・12条の2・12条の3 and 20条 (refusing 写し and 閲覧 requests "不当な目的"),
住民基本台帳事務処理要領 第6-10 (支援措置). The standard (住民記録システム標準仕様書, 支援措置 requirements, see
docs/residents/requirements.md) asks:

- a period of one year from confirmation, its end date set automatically; the protection does not lapse by itself
  at the end date (j410): it holds until released, and a period that ended without extension is listed;
- extension from one month before the end, with an alert to staff when the end approaches;
- a provisional measure (仮支援措置) that protects at once, before the confirmation, and continues after the person
  moves out (the protection follows the record, not its status);
- release only by an authorised examiner (the supervisor role);
- every blocked attempt audited and alerted to the supervisor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from kiban.platform.audit.actor import actor_label
from kiban.platform.audit.services import record
from kiban.platform.events.services import publish

from . import events
from .models import Resident, SupportMeasure
from .validation import Problems

EXTENSION_OPENS_DAYS_BEFORE_END = 31  # 「終了日の1か月前から延長の申出を受け付ける」
ALERT_DAYS_BEFORE_END = 31


def one_year_from(start: date) -> date:
    """The last day of a one-year period starting on ``start`` (民法 143条: 期間は暦に従って計算; the period ends on
    the day before the corresponding day a year later). 29 February starts end on 28 February."""
    try:
        return start.replace(year=start.year + 1) - timedelta(days=1)
    except ValueError:  # 29 February → 1 March next year is the corresponding day; the period ends the day before
        return date(start.year + 1, 2, 28)


@transaction.atomic
def apply(resident_id: int, *, requested_by: str, on: date | None = None) -> SupportMeasure:
    """A request for a support measure: protects at once as a provisional measure (仮支援措置)."""
    on = on or timezone.localdate()
    problems = Problems()
    resident = Resident.objects.filter(id=resident_id).first()
    if resident is None:
        problems.add("resident_id", "not_found", "住民が見つかりません。", "No such resident.")
    if not requested_by.strip():
        problems.add("requested_by", "required", "申出者を入力してください。", "Enter who requested the measure.")
    if resident is not None and in_force(resident_id, on):
        problems.add("resident_id", "already_protected", "既に支援措置の対象です。", "A measure is already in force.")
    problems.raise_if_any()
    measure = SupportMeasure(resident_id=resident_id, kind=SupportMeasure.Kind.PROVISIONAL, starts_on=on,
                             requested_by=requested_by, recorded_by=actor_label())  # fmt: skip
    measure.save()
    record("residents.support_measure.applied", "support_measure", str(measure.id))
    _linked(resident_id, "applied", on)
    return measure


@transaction.atomic
def confirm(measure_id: int, *, on: date | None = None) -> SupportMeasure:
    """Confirmation after the police or a support centre's opinion: one year from ``on``, end date set."""
    on = on or timezone.localdate()
    measure = _open_measure(measure_id)
    problems = Problems()
    if measure.kind != SupportMeasure.Kind.PROVISIONAL:
        problems.add(
            "measure_id", "not_provisional", "仮支援措置ではありません。", "Only a provisional measure is confirmed."
        )
    problems.raise_if_any()
    measure.released_on, measure.released_by, measure.release_reason = on, actor_label(), "確認により支援措置へ移行"
    measure.save()
    confirmed = SupportMeasure(resident_id=measure.resident_id, kind=SupportMeasure.Kind.CONFIRMED, starts_on=on,
                               ends_on=one_year_from(on), requested_by=measure.requested_by, recorded_by=actor_label())  # fmt: skip
    confirmed.save()
    record("residents.support_measure.confirmed", "support_measure", str(confirmed.id))
    _linked(measure.resident_id, "confirmed", on)
    return confirmed


@transaction.atomic
def extend(measure_id: int, *, on: date | None = None) -> SupportMeasure:
    """Extension for another year, accepted from one month before the end (事務処理要領 第6-10-(2))."""
    on = on or timezone.localdate()
    measure = _open_measure(measure_id)
    problems = Problems()
    if measure.kind != SupportMeasure.Kind.CONFIRMED or measure.ends_on is None:
        problems.add(
            "measure_id",
            "not_confirmed",
            "延長できるのは確認済みの支援措置です。",
            "Only a confirmed measure is extended.",
        )
    elif on < measure.ends_on - timedelta(days=EXTENSION_OPENS_DAYS_BEFORE_END):
        problems.add("on", "too_early", f"延長の申出は終了日（{measure.ends_on}）の1か月前から受け付けます。",
                     f"Extension is accepted from one month before the end ({measure.ends_on}).")  # fmt: skip
    elif on > measure.ends_on:
        problems.add("on", "expired", "支援措置の期間が終了しています。新たに申出を受けてください。",
                     "The measure has ended; take a new request.")  # fmt: skip
    problems.raise_if_any()
    assert measure.ends_on is not None
    start = measure.ends_on + timedelta(days=1)
    extended = SupportMeasure(resident_id=measure.resident_id, kind=SupportMeasure.Kind.CONFIRMED, starts_on=start,
                              ends_on=one_year_from(start), requested_by=measure.requested_by, recorded_by=actor_label())  # fmt: skip
    extended.save()
    record("residents.support_measure.extended", "support_measure", str(extended.id))
    _linked(measure.resident_id, "extended", on)
    return extended


@transaction.atomic
def release(measure_id: int, *, reason: str, on: date | None = None) -> SupportMeasure:
    """Release before the end (the person's request or an examination); the API allows it to supervisors only."""
    measure = _open_measure(measure_id)
    if not reason.strip():
        problems = Problems()
        problems.add("reason", "required", "解除の理由を入力してください。", "Enter the reason for the release.")
        problems.raise_if_any()
    released_on = on or timezone.localdate()
    # Every open period of the person ends with the release (earlier periods do not lapse by themselves).
    for open_measure in SupportMeasure.objects.select_for_update().filter(
        resident_id=measure.resident_id, released_on__isnull=True
    ):
        open_measure.released_on, open_measure.released_by, open_measure.release_reason = (
            released_on,
            actor_label(),
            reason,
        )
        open_measure.save()
        record("residents.support_measure.released", "support_measure", str(open_measure.id), purpose=reason)
    _linked(measure.resident_id, "released", released_on)
    measure.refresh_from_db()
    return measure


def _linked(resident_id: int, action: str, on: date) -> None:
    """抑止設定・解除 sent to the other businesses (標準仕様書 3.2, j420) in the same transaction: whether the person
    is protected on ``on`` and the end of the periods not released (an extension's included; none while a provisional
    measure has no end, or after a release — the protection itself holds until released, j410). Ordered per person
    with the registry's other events."""
    measures = list(SupportMeasure.objects.filter(resident_id=resident_id))
    open_ = [m for m in measures if m.released_on is None or m.released_on > on]  # an extension starting later too
    ends = [m.ends_on for m in open_ if m.ends_on is not None]
    publish(events.SUPPORT_MEASURE_CHANGED.name, f"residents/{resident_id}", {
        "resident_id": resident_id, "action": action, "protected": any(m.in_force_on(on) for m in measures),
        "on": on.isoformat(), "until": max(ends).isoformat() if ends and len(ends) == len(open_) else None,
    })  # fmt: skip


def _open_measure(measure_id: int) -> SupportMeasure:
    measure = SupportMeasure.objects.select_for_update().filter(id=measure_id).first()
    problems = Problems()
    if measure is None:
        problems.add("measure_id", "not_found", "支援措置が見つかりません。", "No such support measure.")
    elif measure.released_on is not None:
        problems.add("measure_id", "released", "この支援措置は終了しています。", "This measure has ended.")
    problems.raise_if_any()
    assert measure is not None
    return measure


def in_force(resident_id: int, day: date | None = None) -> bool:
    day = day or timezone.localdate()
    return any(m.in_force_on(day) for m in SupportMeasure.objects.filter(resident_id=resident_id))


def expiring(day: date | None = None) -> list[SupportMeasure]:
    """Confirmed measures ending within a month and not yet extended: the supervisor's alert list."""
    day = day or timezone.localdate()
    soon = SupportMeasure.objects.filter(
        kind=SupportMeasure.Kind.CONFIRMED, released_on__isnull=True, ends_on__gte=day,
        ends_on__lte=day + timedelta(days=ALERT_DAYS_BEFORE_END),
    ).order_by("ends_on")  # fmt: skip
    extended = set(
        SupportMeasure.objects.filter(starts_on__gt=day, kind=SupportMeasure.Kind.CONFIRMED).values_list(
            "resident_id", flat=True
        )
    )
    return [m for m in soon if m.resident_id not in extended]


def ended_without_extension(day: date | None = None) -> list[SupportMeasure]:
    """Confirmed periods that ended and were neither extended nor released: still protecting, to be decided on."""
    day = day or timezone.localdate()
    ended = SupportMeasure.objects.filter(
        kind=SupportMeasure.Kind.CONFIRMED, released_on__isnull=True, ends_on__lt=day
    ).order_by("ends_on")
    later = {(m.resident_id, m.starts_on) for m in SupportMeasure.objects.filter(kind=SupportMeasure.Kind.CONFIRMED)}
    return [m for m in ended if m.ends_on is not None and (m.resident_id, m.ends_on + timedelta(days=1)) not in later]


@dataclass(frozen=True)
class Blocked(Exception):
    """A request about a protected person by someone other than the person (or their household) was refused."""

    resident_id: int
    what: str

    def __str__(self) -> str:
        return f"支援措置の対象者に関する{self.what}は交付・回答できません (refused: support measure in force)"


def guard(resident_ids: list[int], *, what: str, requester_is_self: bool) -> None:
    """Refuse a certificate or address answer about a protected person to anyone but the person themselves;
    the attempt is audited and published to the registry's supervisors (法12条6項, 事務処理要領 第6-10)."""
    if requester_is_self:
        return
    for resident_id in resident_ids:
        if in_force(resident_id):
            with transaction.atomic():
                record("residents.support_measure.blocked", "resident", str(resident_id), purpose=what)
                publish(events.SUPPORT_MEASURE_BLOCKED.name, f"residents/{resident_id}",
                        {"resident_id": resident_id, "what": what, "actor": actor_label()})  # fmt: skip
            raise Blocked(resident_id, what)
