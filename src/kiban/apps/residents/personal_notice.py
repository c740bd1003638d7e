"""本人通知制度 (住民記録システム標準仕様書 8.1, 標準オプション: j1220, j1230, j1240).

A person may register in advance (事前登録) to be told when a copy of their 住民票 or the like is issued to someone
else. The scheme is not in the 住民基本台帳法: each municipality sets it by its own 要綱 (本人通知制度実施要綱), the
registration period included — ``DEFAULT_YEARS`` (3 years, as in many municipalities; the setting
``KIBAN_PERSONAL_NOTICE_YEARS``), and the page asks for it each time.

- 8.1.1 登録管理 (j1220): 「本人通知」の申出内容について、登録・管理できること — ``register`` (from a day, for a period,
  with the applicant and the address to send to when not the person's own), ``withdraw`` (with the reason; the row is
  kept). 登録期間が満了する者について、本人通知期間満了のお知らせが出力できること — ``expiring`` and
  ``expiry_letters_pdf`` for the registrations ending in a chosen window. The 交付記録 (発行日・交付請求者区分（本人、
  代理人、第三者）・証明書種別・枚数) is the ``Certificate`` row (``sheets`` counted when it is rendered, the 代理人 a
  requester kind of its own); 証明書発行後に修正（交付請求者の選択誤りを修正）ができること — ``correct_requester``, an
  append-only row of its own, and ``selectors.requesters`` gives the kind in force to whatever reads it (the notices
  here, the 交付履歴 ``selectors.issued_to``).
- 8.1.2 画面表示 (j1230): ``registered_among`` tells the certificate page which persons are registered, shown before and
  after issuing.
- 8.1.3 通知書出力 (j1240): 証明書発行履歴を基に本人あて又は申請者あての住民票の写し等交付通知書（発行日・請求者区分・
  証明書種別・枚数）— ``notices`` and ``print_notices``, under one of the three output conditions of ``CONDITIONS`` and
  for a period of issue dates; each notice printed is recorded (``PersonalNoticeSent``), so the same issuance is not
  notified twice, and a reprint is possible and marked (再発行).

Certificates covered: those issued at the counter and kept as ``Certificate`` — the standard's four, 住民票の写し,
除票の写し, 住民票記載事項証明書 and 除票記載事項証明書 (not the 転出証明書). Every read and write is audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from kiban.platform.audit.actor import actor_label
from kiban.platform.audit.services import record
from kiban.platform.tenants.context import current_tenant_id
from kiban.platform.tenants.models import Tenant

from . import certificates, mail_names, selectors
from .models import (
    Certificate,
    CertificateRequesterCorrection,
    PersonalNoticeRegistration,
    PersonalNoticeSent,
    Resident,
)
from .printing import personal_notice as letters
from .validation import Problems

DEFAULT_YEARS = 3  # 登録期間: each municipality's 要綱 decides; 3 years in many (setting KIBAN_PERSONAL_NOTICE_YEARS)
MAX_YEARS = 10
MAX_PERIOD_DAYS = 366  # one output covers at most a year of issue dates

# 出力条件 (標準仕様書 8.1.3): the three the standard makes selectable.
REGISTERED = PersonalNoticeSent.Condition.REGISTERED
REGISTERED_NOT_SELF = PersonalNoticeSent.Condition.REGISTERED_NOT_SELF
BY_REQUESTER = PersonalNoticeSent.Condition.BY_REQUESTER
CONDITIONS = dict(PersonalNoticeSent.Condition.choices)
BY_REQUESTER_KINDS = frozenset({Certificate.Requester.THIRD_PARTY, Certificate.Requester.PROXY})


def default_years() -> int:
    return int(getattr(settings, "KIBAN_PERSONAL_NOTICE_YEARS", DEFAULT_YEARS))


def period_end(start: date, years: int) -> date:
    """The last day of a registration of ``years`` from ``start`` (3 years from 2024-04-01: 2027-03-31; from a 29
    February, the 28th)."""
    try:
        after = start.replace(year=start.year + years)
    except ValueError:  # 29 February, into a common year
        after = date(start.year + years, 3, 1)
    return after - timedelta(days=1)


# --- 登録管理 (8.1.1) ---------------------------------------------------------------------------------------------


def active(resident_id: int, day: date | None = None) -> PersonalNoticeRegistration | None:
    """The person's registration in force on ``day`` (today), if any."""
    day = day or timezone.localdate()
    rows = PersonalNoticeRegistration.objects.filter(resident_id=resident_id, registered_on__lte=day, ends_on__gte=day)
    return next((r for r in rows.order_by("-id") if r.in_force_on(day)), None)


def registrations_of(resident_id: int, purpose: str) -> list[PersonalNoticeRegistration]:
    """Every registration of the person, newest first, withdrawn and ended ones included. Audited as a read."""
    rows = list(PersonalNoticeRegistration.objects.filter(resident_id=resident_id).order_by("-registered_on", "-id"))
    record("residents.personal_notice.read", "resident", str(resident_id), fields_read=["personal_notice"],
           purpose=purpose)  # fmt: skip
    return rows


def register(
    resident_id: int, registered_on: date, years: int, applicant_name: str = "", send_to_address: str = ""
) -> PersonalNoticeRegistration:
    """Register the person's 本人通知 application from ``registered_on`` for ``years``; ``ProcedureError`` (nothing
    written) for a person not on the register, one already registered for part of the period, a date in the future,
    a period out of 1–``MAX_YEARS`` years or one already ended."""
    problems = Problems()
    today = timezone.localdate()
    # The person's row locked: two registrations sent at once for the same person do not both pass the overlap check.
    person = Resident.objects.select_for_update().filter(id=resident_id).only("id", "status").first()
    if person is None or person.status != Resident.Status.REGISTERED:
        problems.add("resident", "not_found", "住民票のある方を選んでください。", "Choose a registered person.")
    if registered_on > today:
        problems.add("registered_on", "future_date", "登録日が未来の日付です。", "The date is in the future.")
    if not 1 <= years <= MAX_YEARS:
        problems.add("years", "invalid", f"登録期間は1年から{MAX_YEARS}年です。",
                     f"The period is 1 to {MAX_YEARS} years.")  # fmt: skip
    elif period_end(registered_on, years) < today:
        problems.add("years", "ended", "この登録期間は既に満了しています。", "This period has ended already.")
    applicant, send_to = applicant_name.strip(), send_to_address.strip()
    if len(applicant) > 150 or len(send_to) > 255:
        problems.add("applicant_name", "too_long", "申出者は150文字、送付先は255文字以内です。",
                     "The applicant is at most 150 characters, the address 255.")  # fmt: skip
    if send_to and not applicant:
        problems.add("applicant_name", "required", "送付先を指定するときは申出者（送付先の宛名）を入力してください。",
                     "Enter the applicant (the addressee) with the address.")  # fmt: skip
    if not problems:
        ends_on = period_end(registered_on, years)
        overlapping = PersonalNoticeRegistration.objects.filter(
            Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=registered_on),
            resident_id=resident_id, registered_on__lte=ends_on, ends_on__gte=registered_on,
        )  # fmt: skip
        if overlapping.exists():
            problems.add("resident", "already", "この期間には既に本人通知の登録があります。",
                         "A registration already covers part of this period.")  # fmt: skip
    problems.raise_if_any()
    row = PersonalNoticeRegistration.objects.create(
        resident_id=resident_id, registered_on=registered_on, ends_on=period_end(registered_on, years),
        applicant_name=applicant, send_to_address=send_to, recorded_by=actor_label(),
    )  # fmt: skip
    record("residents.personal_notice.registered", "resident", str(resident_id), fields_read=["personal_notice"])
    return row


def _check_reason(problems: Problems, reason: str, required_ja: str) -> None:
    """A reason kept with a withdrawal or a correction: required, at most 200 characters (the column's length)."""
    if not reason.strip():
        problems.add("reason", "required", required_ja, "Enter the reason.")
    elif len(reason.strip()) > 200:
        problems.add("reason", "too_long", "理由は200文字以内です。", "The reason is at most 200 characters.")


def withdraw(resident_id: int, withdrawn_on: date, reason: str) -> PersonalNoticeRegistration:
    """Withdraw the person's registration in force (廃止, e.g. on the person's request); the row is kept with the date,
    who recorded it and the reason."""
    problems = Problems()
    current = active(resident_id)
    if current is None:
        problems.add("resident", "not_registered", "本人通知の登録はありません。", "No registration in force.")
    elif not current.registered_on <= withdrawn_on <= timezone.localdate():
        problems.add("withdrawn_on", "invalid", "廃止日は登録日以降、今日までの日付です。",
                     "The date is between the registration and today.")  # fmt: skip
    _check_reason(problems, reason, "廃止の理由を入力してください（例：本人からの廃止の申出）。")
    problems.raise_if_any()
    assert current is not None
    current.withdrawn_on, current.withdrawn_by, current.withdrawal_reason = withdrawn_on, actor_label(), reason.strip()
    current.save(update_fields=["withdrawn_on", "withdrawn_by", "withdrawal_reason"])
    record("residents.personal_notice.withdrawn", "resident", str(resident_id), fields_read=["personal_notice"])
    return current


def registered_among(resident_ids: Iterable[int], day: date | None = None) -> set[int]:
    """Those of ``resident_ids`` registered for 本人通知 on ``day`` (today): what the certificate page shows (8.1.2)."""
    day = day or timezone.localdate()
    ids = list(resident_ids)
    rows = PersonalNoticeRegistration.objects.filter(resident_id__in=ids, registered_on__lte=day, ends_on__gte=day)
    return {r.resident_id for r in rows if r.in_force_on(day)}


def _addressee(person: Resident, registration: PersonalNoticeRegistration | None, mail_name: str) -> letters.Addressee:
    """The person at their address (the register's: a removed person's last one) by the name their mail takes
    (``mail_names``: 郵便物送付コード), or the applicant at the address they gave."""
    name = person.display_name
    if registration is not None and registration.applicant_name:
        return letters.Addressee(registration.applicant_name, registration.send_to_address or person.address, name)
    return letters.Addressee(mail_name, person.address, name)


def _municipality() -> str:
    tenant = Tenant.objects.get(code=current_tenant_id())
    return f"{tenant.prefecture}{tenant.name}"


def _check_window(problems: Problems, start: date | None, end: date | None) -> None:
    if start is None or end is None:
        return
    if end < start:
        problems.add("end", "before_start", "終了日が開始日より前です。", "The end is before the start.")
    elif (end - start).days > MAX_PERIOD_DAYS:
        problems.add("end", "too_long", "期間は1年以内で指定してください。", "Choose a period of at most a year.")


def expiring(start: date, end: date) -> list[PersonalNoticeRegistration]:
    """The registrations (not withdrawn) whose period ends from ``start`` to ``end``, by end date."""
    problems = Problems()
    _check_window(problems, start, end)
    problems.raise_if_any()
    rows = PersonalNoticeRegistration.objects.filter(withdrawn_on__isnull=True, ends_on__range=(start, end))
    return list(rows.select_related("resident__household").order_by("ends_on", "id"))


def expiry_letters_pdf(start: date, end: date, purpose: str) -> bytes:
    """本人通知期間満了のお知らせ (8.1.1) for the registrations ending from ``start`` to ``end``: one page each;
    ``ProcedureError`` when there are none. Audited, with the persons' ids."""
    rows = expiring(start, end)
    if not rows:
        problems = Problems()
        problems.add("start", "none", "この期間に登録期間が満了する方はいません。", "No registration ends then.")
        problems.raise_if_any()
    selectors.audit_persons("residents.personal_notice.expiry_printed", [r.resident_id for r in rows],
                            ["name", "address", "personal_notice"], f"{purpose} ({start}–{end})")  # fmt: skip
    names = mail_names.names_on_mail([r.resident for r in rows])
    made = [letters.ExpiryLetter(_addressee(r.resident, r, names[r.resident_id]), r.registered_on, r.ends_on)
            for r in rows]  # fmt: skip
    return letters.expiry_letters(made, _municipality(), timezone.localdate())


# --- 交付請求者区分の修正 (8.1.1) -------------------------------------------------------------------------------------


def requester_of(certificate: Certificate) -> str:
    return selectors.requesters([certificate.id]).get(certificate.id, certificate.requester)


def correct_requester(issue_number: str, requester: str, reason: str) -> CertificateRequesterCorrection:
    """Correct the requester kind of the certificate with ``issue_number`` (交付請求者の選択誤りを修正, 8.1.1): a new
    row with who, when and why; the certificate itself is not changed. Refused (nothing written) when there is no
    such certificate, the kind is unknown or already the one in force, no reason is given, or the certificate holds
    items the corrected requester may not have (``certificates.items_refused``: a correction does not make an
    issuance unlawful)."""
    problems = Problems()
    certificate = Certificate.objects.filter(issue_number=issue_number.strip().upper()).first()
    if certificate is None:
        problems.add("issue_number", "not_found", "この発行番号の証明書はありません。", "No such certificate.")
    if requester not in Certificate.Requester.values:
        problems.add("requester", "invalid", "請求者の区分が正しくありません。", "Unknown requester kind.")
    elif certificate is not None:
        if requester_of(certificate) == requester:
            problems.add("requester", "unchanged", "請求者の区分が変わっていません。", "The kind is unchanged.")
        certificates.items_refused(problems, requester, certificate.items)
    _check_reason(problems, reason, "修正の理由を入力してください。")
    problems.raise_if_any()
    assert certificate is not None
    row = CertificateRequesterCorrection.objects.create(
        certificate_id=certificate.id, requester=requester, reason=reason.strip(), corrected_by=actor_label()
    )
    record("residents.certificate.requester_corrected", "certificate", str(certificate.id), fields_read=["requester"])
    return row


# --- 通知書出力 (8.1.3) -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issuance:
    """One certificate naming the person, as the notice tells it."""

    certificate_id: int
    issue_number: str
    line: letters.IssuanceLine


@dataclass(frozen=True)
class Notice:
    """The notice to one person: the issuances in the period under the condition, oldest first."""

    resident_id: int
    to: letters.Addressee
    issuances: tuple[Issuance, ...]


def _naming(rows: Iterable[Certificate]) -> list[tuple[Certificate, int]]:
    return [(c, int(r)) for c in rows for r in c.resident_ids]


def notices(condition: str, start: date | None, end: date | None, reprint: bool = False) -> list[Notice]:
    """The notices to print for the certificates issued from ``start`` to ``end`` under ``condition``
    (``CONDITIONS``): registered persons (a registration in force on the issue date) named on any certificate;
    the same leaving out those whose requester kind (as corrected) is 本人; or any person named on a certificate
    issued to a third party or a proxy (委任状), registered or not. Issuances already notified are left out, unless
    ``reprint``: then only those, to be printed again (再発行). Not audited (``print_notices`` is)."""
    problems = Problems()
    if condition not in CONDITIONS:
        problems.add("condition", "invalid", "出力条件を選んでください。", "Choose an output condition.")
    if start is None:
        problems.add("start", "required", "期間の開始日を入力してください。", "Enter the start of the period.")
    if end is None:
        problems.add("end", "required", "期間の終了日を入力してください。", "Enter the end of the period.")
    _check_window(problems, start, end)
    problems.raise_if_any()
    assert start is not None and end is not None
    issued = list(
        Certificate.objects.filter(issued_on__range=(start, end))
        .only("id", "issue_number", "issued_on", "kind", "resident_ids", "requester", "sheets")
        .order_by("issued_on", "id")
    )
    kinds = selectors.requesters(c.id for c in issued)
    if condition == REGISTERED_NOT_SELF:
        issued = [c for c in issued if kinds[c.id] != Certificate.Requester.SELF]
    elif condition == BY_REQUESTER:
        issued = [c for c in issued if kinds[c.id] in BY_REQUESTER_KINDS]
    pairs = _naming(issued)
    person_ids = {r for _, r in pairs}
    registrations: dict[int, list[PersonalNoticeRegistration]] = {}
    for reg in PersonalNoticeRegistration.objects.filter(resident_id__in=person_ids, registered_on__lte=end,
                                                         ends_on__gte=start).order_by("-id"):  # fmt: skip
        registrations.setdefault(reg.resident_id, []).append(reg)

    def registered(resident_id: int, day: date) -> PersonalNoticeRegistration | None:
        return next((r for r in registrations.get(resident_id, []) if r.in_force_on(day)), None)

    if condition != BY_REQUESTER:
        pairs = [(c, r) for c, r in pairs if registered(r, c.issued_on) is not None]
    sent = set(
        PersonalNoticeSent.objects.filter(certificate_id__in={c.id for c, _ in pairs}, reprint=False).values_list(
            "certificate_id", "resident_id"
        )
    )
    pairs = [(c, r) for c, r in pairs if ((c.id, r) in sent) == reprint]
    people = {p.id: p for p in Resident.objects.filter(id__in={r for _, r in pairs}).select_related("household")}
    kind_names, requester_names = dict(Certificate.Kind.choices), dict(Certificate.Requester.choices)
    grouped: dict[int, list[Issuance]] = {}
    for c, r in pairs:
        line = letters.IssuanceLine(c.issued_on, _short(requester_names[kinds[c.id]]), kind_names[c.kind], c.sheets)
        grouped.setdefault(r, []).append(Issuance(c.id, c.issue_number, line))
    found = []
    names = mail_names.names_on_mail([people[r] for r in grouped])
    for resident_id, issuances in grouped.items():
        registration = registered(resident_id, issuances[-1].line.issued_on)  # else the person, at their address
        addressee = _addressee(people[resident_id], registration, names[resident_id])
        found.append(Notice(resident_id, addressee, tuple(issuances)))
    return sorted(found, key=lambda n: n.resident_id)


def _short(label: str) -> str:
    """A requester kind as the notice prints it: 第三者, 代理人 …, without the article of the law."""
    return label.split(" (")[0].split("（")[0]


def print_notices(condition: str, start: date | None, end: date | None, purpose: str, reprint: bool = False) -> bytes:
    """Print the notices of ``notices`` (one letter per person) and record each issuance told of, in the caller's
    transaction, so that it is not notified again; a reprint is recorded as such and its letters marked 再発行.
    ``ProcedureError`` when there is nothing to print."""
    found = notices(condition, start, end, reprint)
    if not found:
        problems = Problems()
        problems.add("start", "none", "この条件で通知する交付記録はありません。", "No issuance to notify.")
        problems.raise_if_any()
    run, by = uuid.uuid4(), actor_label()
    try:
        with transaction.atomic():
            PersonalNoticeSent.objects.bulk_create(
                PersonalNoticeSent(certificate_id=i.certificate_id, resident_id=n.resident_id, condition=condition,
                                   print_run=run, reprint=reprint, printed_by=by)
                for n in found for i in n.issuances
            )  # fmt: skip
    except IntegrityError:  # another user printed some of them meanwhile (personal_notice_sent_once)
        problems = Problems()
        problems.add("start", "changed", "他の職員が同じ交付記録の通知書を出力しました。もう一度確認してください。",
                     "Another user printed some of these notices meanwhile; check again.")  # fmt: skip
        problems.raise_if_any()
    action = "residents.personal_notice.reprinted" if reprint else "residents.personal_notice.printed"
    selectors.audit_persons(action, [n.resident_id for n in found], ["name", "address", "issued_documents"],
                            f"{purpose} ({CONDITIONS[condition]}; {start}–{end})")  # fmt: skip
    made = [letters.IssuanceLetter(n.to, tuple(i.line for i in n.issuances), reprint) for n in found]
    return letters.issuance_letters(made, _municipality(), timezone.localdate())
