"""特別永住者証明書 (住民記録システム標準仕様書 8.2, 標準オプション: j1250 切替異動者リスト及び案内作成, j1260 申請受理
処理, j1270 切替予定数調査).

The law is 日本国との平和条約に基づき日本の国籍を離脱した者等の出入国管理に関する特例法 (平成3年法律第71号,
入管特例法). Article numbers below were confirmed from the law's table of contents and 出入国在留管理庁's procedure
page (「特別永住者証明書の有効期間の更新申請」: 手続根拠 第12条第1項又は第2項): 7条 交付, 8条 記載事項 (番号・交付
年月日・有効期間の満了の日; a new number for each issue, 8条2項), 9条 有効期間, 11条 住居地以外の記載事項の変更届出,
12条 有効期間の更新, 13条 紛失等による再交付, 14条 汚損等による再交付, 16条 返納. That applications are made at the
municipality (市町村の長を経由) is how every municipality's page describes the procedure; the article saying so could
not be read here and is not cited.

**有効期間 (9条; ``expiry_date``).** The text of 9条 itself could not be read here; the rule is the one 出入国在留管理庁
and the municipalities publish:

- 16 or over on the day counted from: the 7th birthday after that day — the day of issue (交付の日後の7回目の誕生日),
  or for a renewal (更新, 12条) the previous certificate's 有効期間の満了の日 (更新前の有効期間満了日後の7回目の誕生日);
- under 16: the 16th birthday; for a certificate issued on or after 2023-11-01, the day before it (出入国在留管理庁:
  「2023年11月1日以後に交付された特別永住者証明書の有効期限は、16歳の誕生日の前日まで」; the amending act was not
  read here).

"16 or over" follows 年齢計算ニ関スル法律 (age is reached on the day before the birthday): a person counts as 16 from
the day before their 16th birthday, so a certificate issued that day runs to the 7th birthday after it. A person born
on 29 February has their birthday on 28 February in a common year: the rule 道路交通法92条の2 states for licences; no
such provision of the 入管特例法 was found, so this follows that analogy (``LEAP_DAY_BIRTHDAY``).

**更新申請の期間 (``renewal_opens``).** From 2 months before the 有効期間の満了の日; 6 months before when that day is
the 16th birthday (or the day before it) (出入国在留管理庁, same page). An application before the period is possible for
one who could not apply within it (出張・留学等): the reason is recorded (``early_reason``).

- 8.2.1 (j1250): ``expiring`` — the 特別永住者 on the register whose certificate in force ends in a window, by age
  group and office (入力場所: a designated city's ward office, 行政区単位で分割); ``missing`` — those with no
  certificate recorded (有効期限の入力漏れ); ``expiring_csv`` and ``guidance_letters_pdf`` (案内, one page each).
  The job ``residents.special_permanent_expiry`` (``batch_jobs``) writes the list by schedule (定期的に切替案内).
- 8.2.2 (j1260): ``accept`` (申請受理), ``cancel`` (誤って受理した申請の取消し), ``receive`` (出入国在留管理庁から接受:
  交付待ち), ``deliver`` (交付済: the new certificate recorded, superseding the previous one), ``not_delivered``
  (不交付返戻), ``record_return`` (返納); ``record_held`` records a certificate the person holds (one missing from the
  records). Not done: the 交付予定通知書・受領書, the 確認票 of each step, the import of the 長官通知 and the 市町村通知
  (they need the 出入国在留管理庁's file formats), and deleting an erroneous history row.
- 8.2.3 (j1270): ``counts`` — certificates in force by office and fiscal year (年度) of their 有効期間の満了の日, and by
  office and month for this fiscal year and the next; ``counts_csv``.

Every read of persons is audited (one entry per person, with the purpose); refusals write nothing.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from kiban.platform.audit.actor import actor_label
from kiban.platform.audit.services import record
from kiban.standard import numbers
from kiban.standard.codes import ForeignResidentCategory
from kiban.standard.era import format_date

from . import certificates, selectors
from .models import (
    InputPlace,
    Resident,
    SpecialPermanentApplication,
    SpecialPermanentCertificate,
    SpecialPermanentCertificateReturn,
)
from .printing.content import Letter
from .printing.notice import render_letters
from .validation import Problems

Application = SpecialPermanentApplication
KINDS = dict(Application.Kind.choices)
RULE_CHANGED_ON = date(2023, 11, 1)  # from this day of issue, an under-16's certificate ends the day before the 16th
LEAP_DAY_BIRTHDAY = (2, 28)  # a 29 February birthday in a common year (道路交通法92条の2 by analogy; see above)
RENEWAL_MONTHS = 2  # 更新申請: from 2 months before the end …
RENEWAL_MONTHS_AT_SIXTEEN = 6  # … 6 months when the end is the 16th birthday (or the day before it)
MAX_WINDOW_DAYS = 366
# 年齢 of the list (j1250): an under-16's certificate ends on the 16th birthday (or the day before it); the others'.
AGE_GROUPS = {"all": "全員", "under16": "16歳未満（16歳の誕生日で満了）", "16plus": "16歳以上"}
NO_PLACE = "（入力場所なし）"
WHOLE = "全体"
LIST_PURPOSE = "特別永住者証明書の切替異動者リスト"
LIST_FIELDS = ["name", "birth_date", "address", "special_permanent_certificate"]
GUIDANCE_TITLE = "特別永住者証明書の有効期間の更新のご案内"


# --- 有効期間 (入管特例法9条) -------------------------------------------------------------------------------------


def birthday_in(birth: date, year: int) -> date:
    """The person's birthday in ``year`` (a 29 February birthday falls on ``LEAP_DAY_BIRTHDAY`` in a common year)."""
    try:
        return birth.replace(year=year)
    except ValueError:
        return date(year, *LEAP_DAY_BIRTHDAY)


def sixteen_from(birth: date) -> date:
    """The day the person reaches 16 (年齢計算ニ関スル法律: the day before the 16th birthday)."""
    return birthday_in(birth, birth.year + 16) - timedelta(days=1)


def nth_birthday_after(birth: date, day: date, n: int) -> date:
    """The ``n``-th birthday after ``day`` (a birthday on ``day`` itself does not count: 交付の日「後」)."""
    first = day.year if birthday_in(birth, day.year) > day else day.year + 1
    return birthday_in(birth, first + n - 1)


def expiry_date(birth: date, issued_on: date, renews: date | None = None) -> date:
    """有効期間の満了の日 of a certificate issued on ``issued_on`` to a person born on ``birth``; ``renews``: the
    previous certificate's 有効期間の満了の日, for a renewal (12条), which the period is counted from."""
    counted_from = renews if renews is not None else issued_on
    if counted_from < sixteen_from(birth):
        sixteenth = birthday_in(birth, birth.year + 16)
        return sixteenth - timedelta(days=1) if issued_on >= RULE_CHANGED_ON else sixteenth
    return nth_birthday_after(birth, counted_from, 7)


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for last in (31, 30, 29, 28):  # the same day of that month, or its last day
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError(day)


def months_after(day: date, months: int) -> date:
    """The same day ``months`` later (or that month's last day)."""
    return _months_before(day, -months)


def renewal_opens(birth: date, expires_on: date) -> date:
    """The first day a renewal may be applied for (2 months before the end; 6 months when the end is the 16th
    birthday or the day before it)."""
    sixteenth = birthday_in(birth, birth.year + 16)
    at_sixteen = expires_on in (sixteenth, sixteenth - timedelta(days=1))
    return _months_before(expires_on, RENEWAL_MONTHS_AT_SIXTEEN if at_sixteen else RENEWAL_MONTHS)


# --- who holds what ------------------------------------------------------------------------------------------------


def special_permanent_residents() -> QuerySet[Resident]:
    """The 特別永住者 on the register (住民票 of a foreign resident whose 法30条の45 category is 特別永住者)."""
    return Resident.objects.filter(
        kind=Resident.Kind.FOREIGN,
        residence_status=ForeignResidentCategory.SPECIAL_PERMANENT.value,
        status=Resident.Status.REGISTERED,
    )


def in_force(resident_ids: Iterable[int]) -> dict[int, SpecialPermanentCertificate]:
    """Each person's certificate in force: the newest by 交付年月日, unless returned (two queries, whatever the
    number of persons)."""
    rows = SpecialPermanentCertificate.objects.filter(resident_id__in=list(resident_ids)).select_related("place")
    newest: dict[int, SpecialPermanentCertificate] = {}
    for row in rows.order_by("issued_on", "id"):
        newest[row.resident_id] = row
    returned = set(
        SpecialPermanentCertificateReturn.objects.filter(
            certificate_id__in=[c.id for c in newest.values()]
        ).values_list("certificate_id", flat=True)
    )
    return {r: c for r, c in newest.items() if c.id not in returned}


@dataclass(frozen=True)
class Held:
    """A certificate of the person, with its return if it was returned."""

    certificate: SpecialPermanentCertificate
    returned: SpecialPermanentCertificateReturn | None
    in_force: bool


def records_of(resident_id: int, purpose: str) -> tuple[list[Held], list[SpecialPermanentApplication]]:
    """The person's certificates (newest first) and applications (newest first). Audited as a read."""
    held = list(
        SpecialPermanentCertificate.objects.filter(resident_id=resident_id)
        .select_related("place")
        .order_by("-issued_on", "-id")
    )
    returns = {
        r.certificate_id: r
        for r in SpecialPermanentCertificateReturn.objects.filter(certificate_id__in=[c.id for c in held])
    }
    current = in_force([resident_id]).get(resident_id)
    applications = list(
        Application.objects.filter(resident_id=resident_id).select_related("place").order_by("-applied_on", "-id")
    )
    record("residents.special_permanent.read", "resident", str(resident_id),
           fields_read=["special_permanent_certificate"], purpose=purpose)  # fmt: skip
    rows = [Held(c, returns.get(c.id), current is not None and c.id == current.id) for c in held]
    return rows, applications


# --- 申請受理処理 (8.2.2, j1260) ------------------------------------------------------------------------------------


def _audit(action: str, resident_id: int) -> None:
    record(f"residents.special_permanent.{action}", "resident", str(resident_id),
           fields_read=["special_permanent_certificate"])  # fmt: skip


def _person(problems: Problems, resident_id: int) -> Resident | None:
    """The person, locked (two requests for the same person at once are taken one after the other); a problem when
    not a 特別永住者 on the register."""
    person = Resident.objects.select_for_update().filter(id=resident_id).first()
    if person is None or not special_permanent_residents().filter(id=resident_id).exists():
        problems.add("resident", "not_special_permanent", "住民票のある特別永住者を選んでください。",
                     "Choose a special permanent resident on the register.")  # fmt: skip
        return None
    return person


def _not_future(problems: Problems, field: str, day: date | None, label: str) -> None:
    if day is not None and day > timezone.localdate():
        problems.add(field, "future_date", f"{label}が未来の日付です。", "The date is in the future.")


def _check_reason(problems: Problems, reason: str, required_ja: str, field: str = "reason") -> None:
    if not reason.strip():
        problems.add(field, "required", required_ja, "Enter the reason.")
    elif len(reason.strip()) > 200:
        problems.add(field, "too_long", "理由は200文字以内です。", "The reason is at most 200 characters.")


def _place(problems: Problems, place_id: int | None) -> InputPlace | None:
    if place_id is None:
        return None
    place = InputPlace.objects.filter(id=place_id, retired_on__isnull=True).first()
    if place is None:
        problems.add("place", "not_found", "入力場所が見つかりません。", "No such place in use.")
    return place


def _check_number(problems: Problems, number: str, field: str = "number") -> str:
    """The certificate's number (12 characters, like a 在留カード's: ``numbers.validate_residence_card_number``), not
    given to another certificate or application already (a new number for each issue, 8条2項)."""
    number = number.strip().upper()
    try:
        numbers.validate_residence_card_number(number)
    except ValueError as exc:
        problems.add(field, "invalid", "特別永住者証明書の番号は英字2桁・数字8桁・英字2桁です（例：AB12345678CD）。",
                     str(exc))  # fmt: skip
        return number
    taken = SpecialPermanentCertificate.objects.filter(number=number).exists()
    waiting = Application.objects.filter(card_number=number, status=Application.Status.RECEIVED).exists()
    if taken or waiting:
        problems.add(field, "taken", "この番号の特別永住者証明書は既に登録されています。",
                     "A certificate with this number is already recorded.")  # fmt: skip
    return number


def accept(
    resident_id: int, kind: str, applied_on: date, place_id: int | None = None, early_reason: str = ""
) -> SpecialPermanentApplication:
    """申請受理: record an application of ``kind`` (``KINDS``) accepted on ``applied_on``. Refused (nothing written)
    for a person who is not a 特別永住者 on the register, one with an application still open, a date in the future,
    an unknown kind, a renewal, change or reissue without a certificate in force on record, and a renewal before its
    period without the reason (``early_reason``: 出張・留学等で申請期間内の申請が困難)."""
    problems = Problems()
    person = _person(problems, resident_id)
    if kind not in KINDS:
        problems.add("kind", "invalid", "申請の種別を選んでください。", "Choose the kind of application.")
    _not_future(problems, "applied_on", applied_on, "申請受理日")
    place = _place(problems, place_id)
    if len(early_reason.strip()) > 200:
        problems.add("early_reason", "too_long", "理由は200文字以内です。", "The reason is at most 200 characters.")
    if person is not None:
        if Application.objects.filter(resident_id=resident_id, status__in=Application.OPEN).exists():
            problems.add("resident", "open_application", "この方には処理中の申請があります（交付・取消し前）。",
                         "This person has an application in progress.")  # fmt: skip
        current = in_force([resident_id]).get(resident_id)
        if kind in KINDS and kind != Application.Kind.ISSUE and current is None:
            problems.add("kind", "no_certificate", "所持している証明書が登録されていません。先に登録してください。",
                         "No certificate in force is on record: record the one held first.")  # fmt: skip
        if kind == Application.Kind.RENEWAL and current is not None:
            opens = renewal_opens(person.birth_date, current.expires_on)
            if applied_on < opens and not early_reason.strip():
                problems.add("early_reason", "before_period",
                             f"更新の申請期間は{format_date(opens)}からです。期間前に申請する理由を入力してください。",
                             f"Renewals open on {opens.isoformat()}; enter why the person applies early.")  # fmt: skip
    problems.raise_if_any()
    try:
        with transaction.atomic():
            row = Application.objects.create(resident_id=resident_id, kind=kind, applied_on=applied_on, place=place,
                                             early_reason=early_reason.strip(), accepted_by=actor_label())  # fmt: skip
    except IntegrityError:  # another user accepted one meanwhile (spr_application_one_open)
        problems.add("resident", "open_application", "この方には処理中の申請があります（交付・取消し前）。",
                     "This person has an application in progress.")  # fmt: skip
        problems.raise_if_any()
    _audit("accepted", resident_id)
    return row


def _open(problems: Problems, application_id: int, status: str) -> SpecialPermanentApplication | None:
    """The application, locked, if it is in ``status``; a problem otherwise (saying what state it is in)."""
    row = Application.objects.select_for_update().filter(id=application_id).first()
    if row is None:
        problems.add("application", "not_found", "申請が見つかりません。", "No such application.")
        return None
    if row.status != status:
        shown = dict(Application.Status.choices)
        problems.add("application", "wrong_status",
                     f"この申請は「{shown[row.status]}」のため、この処理はできません（「{shown[status]}」の申請のみ）。",
                     f"The application is {row.status}; this step needs {status}.")  # fmt: skip
        return None
    return row


def _close(row: SpecialPermanentApplication, status: str, on: date, reason: str = "") -> None:
    row.status, row.closed_on, row.closed_by, row.closing_reason = status, on, actor_label(), reason.strip()
    row.save(update_fields=["status", "closed_on", "closed_by", "closing_reason"])


def _close_with_reason(
    application_id: int, needed: str, status: str, on: date, reason: str, day_ja: str, reason_ja: str
) -> SpecialPermanentApplication:
    """Close an application in ``needed`` as ``status`` on ``on`` (from its last step's day to today), with the
    reason; the row is kept, marked."""
    problems = Problems()
    row = _open(problems, application_id, needed)
    _not_future(problems, "on", on, day_ja)
    if row is not None and on < (row.received_on or row.applied_on):
        step = "接受日" if row.received_on else "申請受理日"
        problems.add("on", "before_last_step", f"{day_ja}が{step}より前です。",
                     "The date is before the application's last step.")  # fmt: skip
    _check_reason(problems, reason, reason_ja)
    problems.raise_if_any()
    assert row is not None
    _close(row, status, on, reason)
    _audit(status, row.resident_id)
    return row


def cancel(application_id: int, on: date, reason: str) -> SpecialPermanentApplication:
    """受理の取消し: an application accepted by mistake, before its card came back; the row is kept, marked."""
    return _close_with_reason(application_id, Application.Status.ACCEPTED, Application.Status.CANCELLED, on, reason,
                              "取消日", "取消しの理由を入力してください（例：誤って受理した）。")  # fmt: skip


def receive(application_id: int, received_on: date, number: str, card_issued_on: date) -> SpecialPermanentApplication:
    """接受: the card made by the 出入国在留管理庁 came to the municipality (交付待ち), with its number and 交付年月日
    as printed. Refused unless the application is accepted (not yet received), the dates are in order (申請受理日 ≤
    交付年月日 ≤ 接受日 ≤ today) and the number is well formed and new."""
    problems = Problems()
    row = _open(problems, application_id, Application.Status.ACCEPTED)
    _not_future(problems, "received_on", received_on, "接受日")
    checked = _check_number(problems, number)
    if row is not None:
        if card_issued_on < row.applied_on:
            problems.add("card_issued_on", "before_application", "交付年月日が申請受理日より前です。",
                         "The card's date of issue is before the application.")  # fmt: skip
        if received_on < card_issued_on:
            problems.add("received_on", "before_issue", "接受日が証明書の交付年月日より前です。",
                         "The card came back before its date of issue.")  # fmt: skip
    problems.raise_if_any()
    assert row is not None
    row.status, row.received_on, row.card_number = Application.Status.RECEIVED, received_on, checked
    row.card_issued_on, row.received_by = card_issued_on, actor_label()
    row.save(update_fields=["status", "received_on", "card_number", "card_issued_on", "received_by"])
    _audit("received", row.resident_id)
    return row


def _new_certificate(
    problems: Problems, person: Resident, number: str, issued_on: date, renewal: bool, place: InputPlace | None,
    application: SpecialPermanentApplication | None,
) -> SpecialPermanentCertificate:  # fmt: skip
    current = in_force([person.id]).get(person.id)
    if current is not None and issued_on < current.issued_on:
        problems.add("issued_on", "before_current", "交付年月日が、所持している証明書の交付年月日より前です。",
                     "The date of issue is before that of the certificate in force.")  # fmt: skip
    if renewal and current is None:
        problems.add("kind", "no_certificate", "更新前の特別永住者証明書が登録されていません。",
                     "No certificate in force is on record to renew.")  # fmt: skip
    expires_on = expiry_date(person.birth_date, issued_on, current.expires_on if renewal and current else None)
    if expires_on <= issued_on:
        problems.add("issued_on", "period_ended", "有効期間が交付年月日までに満了します。日付を確認してください。",
                     "The computed period ends before the date of issue; check the dates.")  # fmt: skip
    problems.raise_if_any()
    return SpecialPermanentCertificate.objects.create(
        resident_id=person.id, number=number, issued_on=issued_on, expires_on=expires_on, application=application,
        place=place, recorded_by=actor_label(),
    )  # fmt: skip


def deliver(application_id: int, delivered_on: date) -> SpecialPermanentCertificate:
    """交付: the person collected the card. The new certificate is recorded (its 有効期間の満了の日 computed:
    ``expiry_date``; for a renewal counted from the previous one's) and supersedes the previous one. Refused unless
    the card was received (交付待ち) and not delivered yet, the date is from the 接受日 to today, and the person is
    still a 特別永住者 on the register."""
    problems = Problems()
    row = _open(problems, application_id, Application.Status.RECEIVED)
    _not_future(problems, "delivered_on", delivered_on, "交付日")
    person = _person(problems, row.resident_id) if row is not None else None
    if row is not None and row.received_on is not None and delivered_on < row.received_on:
        problems.add("delivered_on", "before_receipt", "交付日が接受日より前です。", "Delivered before it came back.")
    problems.raise_if_any()
    assert row is not None and person is not None and row.card_issued_on is not None
    certificate = _new_certificate(problems, person, row.card_number, row.card_issued_on,
                                   row.kind == Application.Kind.RENEWAL, row.place, row)  # fmt: skip
    _close(row, Application.Status.DELIVERED, delivered_on)
    _audit("delivered", row.resident_id)
    return certificate


def not_delivered(application_id: int, on: date, reason: str) -> SpecialPermanentApplication:
    """不交付返戻: the person did not come for the card within the 交付予定期間; it goes back (the row is kept)."""
    why = "不交付返戻の理由を入力してください（例：交付予定期間内に来庁なし）。"
    return _close_with_reason(application_id, Application.Status.RECEIVED, Application.Status.NOT_DELIVERED, on,
                              reason, "返戻日", why)  # fmt: skip


def record_held(
    resident_id: int, number: str, issued_on: date, renewal: bool = False, place_id: int | None = None
) -> SpecialPermanentCertificate:
    """A certificate the person holds, entered from the card (one missing from the records: 有効期限の入力漏れ, or
    one issued before the records were kept); its 有効期間の満了の日 is computed like a delivered one's."""
    problems = Problems()
    person = _person(problems, resident_id)
    checked = _check_number(problems, number)
    _not_future(problems, "issued_on", issued_on, "交付年月日")
    place = _place(problems, place_id)
    if person is not None and issued_on < person.birth_date:
        problems.add("issued_on", "before_birth", "交付年月日が生年月日より前です。", "Issued before the birth date.")
    problems.raise_if_any()
    assert person is not None
    certificate = _new_certificate(problems, person, checked, issued_on, renewal, place, None)
    _audit("recorded", resident_id)
    return certificate


def record_return(certificate_id: int, returned_on: date, reason: str) -> SpecialPermanentCertificateReturn:
    """返納 (16条): a certificate returned, with the day and the reason; once per certificate."""
    problems = Problems()
    certificate = SpecialPermanentCertificate.objects.filter(id=certificate_id).first()
    if certificate is None:
        problems.add("certificate", "not_found", "特別永住者証明書が見つかりません。", "No such certificate.")
    elif SpecialPermanentCertificateReturn.objects.filter(certificate_id=certificate_id).exists():
        problems.add("certificate", "already_returned", "この証明書の返納は登録済みです。", "Already returned.")
    elif returned_on < certificate.issued_on:
        problems.add("returned_on", "before_issue", "返納日が交付年月日より前です。", "Returned before it was issued.")
    _not_future(problems, "returned_on", returned_on, "返納日")
    _check_reason(problems, reason, "返納の事由を入力してください（例：有効期間の更新、出国、死亡）。")
    problems.raise_if_any()
    assert certificate is not None
    try:
        with transaction.atomic():
            row = SpecialPermanentCertificateReturn.objects.create(
                certificate_id=certificate_id, returned_on=returned_on, reason=reason.strip(), recorded_by=actor_label()
            )
    except IntegrityError:  # returned by another user meanwhile (spr_return_once)
        problems.add("certificate", "already_returned", "この証明書の返納は登録済みです。", "Already returned.")
        problems.raise_if_any()
    _audit("returned", certificate.resident_id)
    return row


# --- 切替異動者リスト及び案内 (8.2.1, j1250) -------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """One person on the list: the certificate in force and when its renewal opens."""

    person: Resident
    certificate: SpecialPermanentCertificate
    renewal_opens: date

    @property
    def place(self) -> str:
        return self.certificate.place.name if self.certificate.place else NO_PLACE


def _check_window(problems: Problems, start: date | None, end: date | None) -> None:
    if start is None:
        problems.add("start", "required", "期間の開始日を入力してください。", "Enter the start of the period.")
    if end is None:
        problems.add("end", "required", "期間の終了日を入力してください。", "Enter the end of the period.")
    if start is None or end is None:
        return
    if end < start:
        problems.add("end", "before_start", "終了日が開始日より前です。", "The end is before the start.")
    elif (end - start).days > MAX_WINDOW_DAYS:
        problems.add("end", "too_long", "期間は1年以内で指定してください。", "Choose a period of at most a year.")


def _in_group(person: Resident, group: str, expires_on: date) -> bool:
    under16 = expires_on <= birthday_in(person.birth_date, person.birth_date.year + 16)
    return {"under16": under16, "16plus": not under16}.get(group, True)


def expiring(start: date | None, end: date | None, age_group: str = "all", place_id: int | None = None) -> list[Due]:
    """The 特別永住者 on the register whose certificate in force ends from ``start`` to ``end`` (removed persons
    and superseded or returned certificates left out), of ``age_group`` (``AGE_GROUPS``: under 16, a certificate
    ending at 16) and, with ``place_id``, of that office; by end date. Not audited (the callers are)."""
    problems = Problems()
    _check_window(problems, start, end)
    if age_group not in AGE_GROUPS:
        problems.add("age_group", "invalid", "年齢の区分を選んでください。", "Choose an age group.")
    problems.raise_if_any()
    assert start is not None and end is not None
    ending = SpecialPermanentCertificate.objects.filter(expires_on__range=(start, end))

    def wanted(person: Resident, certificate: SpecialPermanentCertificate) -> bool:
        return (start <= certificate.expires_on <= end and _in_group(person, age_group, certificate.expires_on)
                and (place_id is None or certificate.place_id == place_id))  # fmt: skip

    return _due(ending, wanted)


def _due(
    candidates: QuerySet[SpecialPermanentCertificate], wanted: Callable[[Resident, SpecialPermanentCertificate], bool]
) -> list[Due]:
    """The 特別永住者 on the register holding one of ``candidates`` whose certificate in force is ``wanted``, by end
    date (a fixed number of queries, whatever the number of persons)."""
    people = {p.id: p for p in special_permanent_residents().filter(
        id__in=candidates.values("resident_id")).select_related("household")}  # fmt: skip
    found = [Due(people[r], c, renewal_opens(people[r].birth_date, c.expires_on))
             for r, c in in_force(people).items() if wanted(people[r], c)]  # fmt: skip
    return sorted(found, key=lambda d: (d.certificate.expires_on, d.person.id))


def passed(day: date) -> list[Due]:
    """The 特別永住者 on the register whose certificate in force ended before ``day`` (切替年月日を経過した者: not
    renewed, or the renewal not recorded), by end date. Not audited (the callers are)."""
    return _due(SpecialPermanentCertificate.objects.filter(expires_on__lt=day), lambda _, c: c.expires_on < day)


def missing() -> list[Resident]:
    """The 特別永住者 on the register with no certificate in force on record (有効期限の入力漏れ), by id."""
    people = list(special_permanent_residents().select_related("household").order_by("id"))
    held = in_force(p.id for p in people)
    return [p for p in people if p.id not in held]


def audit_listed(action: str, resident_ids: Iterable[int], purpose: str) -> None:
    """One audit entry per person listed or printed (who was in a list is recorded, as for a search's results)."""
    selectors.audit_persons(action, resident_ids, LIST_FIELDS, purpose)


def expiring_csv(start: date | None, end: date | None, age_group: str, place_id: int | None, purpose: str) -> str:
    """切替異動者リスト as CSV (UTF-8): person, birth date, address, certificate, its end and when renewal opens,
    office. Audited, one entry per person."""
    rows = expiring(start, end, age_group, place_id)
    audit_listed("residents.special_permanent.listed", [d.person.id for d in rows], f"{purpose} ({start}–{end})")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["住民ID", "氏名", "生年月日", "住所", "特別永住者証明書の番号", "交付年月日", "有効期間の満了の日",
                     "更新申請期間の始期", "入力場所"])  # fmt: skip
    for d in rows:
        c = d.certificate
        writer.writerow([d.person.id, d.person.display_name, d.person.birth_date.isoformat(), d.person.address,
                         c.number, c.issued_on.isoformat(), c.expires_on.isoformat(), d.renewal_opens.isoformat(),
                         d.place])  # fmt: skip
    return out.getvalue()


def _guidance(due: Due, municipality: str, mayor: str, today: date) -> Letter:
    person, certificate = due.person, due.certificate
    body = ("あなたの特別永住者証明書の有効期間は、下記の日に満了します。申請期間内に、特別永住者証明書・旅券・写真"
            "1枚をお持ちのうえ、有効期間の更新を申請してください（入管特例法第12条）。")  # fmt: skip
    items = (
        ("氏名", person.display_name),
        ("生年月日", f"{person.birth_date.year}年{person.birth_date.month}月{person.birth_date.day}日"),
        ("特別永住者証明書の番号", certificate.number),
        ("有効期間の満了の日", format_date(certificate.expires_on)),
        ("更新の申請期間", f"{format_date(due.renewal_opens)}から{format_date(certificate.expires_on)}まで"),
    )
    note = (
        "16歳未満の方の申請は、同居する16歳以上の親族の方などがしてください。ご不明な点は窓口へお問い合わせください。"
    )
    return Letter(title=GUIDANCE_TITLE, municipality_name=municipality, mayor=mayor, address=person.address,
                  name=person.display_name, issued_on=today, body=body, items=items, note=note)  # fmt: skip


def guidance_letters_pdf(
    start: date | None, end: date | None, age_group: str, place_id: int | None, purpose: str
) -> bytes:
    """切替案内 (j1250): one letter (A4 page) to each person on the list; ``ProcedureError`` when there is nobody or
    no certifier to sign as the mayor. Audited, one entry per person."""
    rows = expiring(start, end, age_group, place_id)
    problems = Problems()
    if not rows:
        problems.add("start", "none", "この条件で有効期間が満了する方はいません。", "Nobody's certificate ends then.")
    today = timezone.localdate()
    municipality, mayor = certificates.notice_issuer(problems, today)
    problems.raise_if_any()
    audit_listed("residents.special_permanent.guidance_printed", [d.person.id for d in rows],
                 f"{purpose} ({start}–{end})")  # fmt: skip
    return render_letters([_guidance(d, municipality, mayor, today) for d in rows])


# --- 切替予定数調査 (8.2.3, j1270) ----------------------------------------------------------------------------------


def fiscal_year(day: date) -> int:
    """年度 (April to March) of a day: 2027-03-31 is in 2026年度."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_label(year: int) -> str:
    """令和8年度 for 2026."""
    return format_date(date(year, 4, 1)).split("年")[0] + "年度"


@dataclass(frozen=True)
class Counts:
    """Certificates in force by office (``places``, then ``WHOLE``): by fiscal year of their end (``years``), and by
    month for this fiscal year and the next (``months``, (year, month))."""

    places: tuple[str, ...]
    years: tuple[int, ...]
    by_year: dict[tuple[str, int], int]
    months: tuple[tuple[int, int], ...]
    by_month: dict[tuple[str, tuple[int, int]], int]


def counts(today: date | None = None) -> Counts:
    """切替予定数 (j1270) of the certificates in force of the 特別永住者 on the register: counts only."""
    today = today or timezone.localdate()
    held = in_force(special_permanent_residents().values_list("id", flat=True))
    this_year = fiscal_year(today)
    months = tuple(((this_year + (m < 4) + k), m) for k in (0, 1) for m in (*range(4, 13), 1, 2, 3))
    by_year: Counter[tuple[str, int]] = Counter()
    by_month: Counter[tuple[str, tuple[int, int]]] = Counter()
    places: set[str] = set()
    for certificate in held.values():
        place = certificate.place.name if certificate.place else NO_PLACE
        places.add(place)
        end = certificate.expires_on
        for where in (place, WHOLE):
            by_year[where, fiscal_year(end)] += 1
            if (end.year, end.month) in months:
                by_month[where, (end.year, end.month)] += 1
    years = tuple(sorted({y for _, y in by_year}))
    return Counts((*sorted(places), WHOLE), years, dict(by_year), months, dict(by_month))


def counts_csv(today: date | None = None) -> str:
    """The counts as CSV: one row per office and fiscal year, then one per office and month (long form: 集計,
    入力場所, 年度, 月, 件数); no personal data."""
    found = counts(today)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["集計", "入力場所", "年度", "月", "件数"])
    for place in found.places:
        for year in found.years:
            writer.writerow(["年度別", place, year, "", found.by_year.get((place, year), 0)])
    for place in found.places:
        for year, month in found.months:
            writer.writerow(["月別", place, fiscal_year(date(year, month, 1)), month,
                             found.by_month.get((place, (year, month)), 0)])  # fmt: skip
    record("residents.special_permanent.counted", "special_permanent", "counts", purpose="切替予定数調査")
    return out.getvalue()
