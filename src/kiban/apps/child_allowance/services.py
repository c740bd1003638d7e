"""児童手当 procedures: recognition (認定), amount revisions (額改定), ending (消滅), prompts from registry events.

Each procedure runs in one transaction: everything is checked first (``ChildAllowanceError`` with every
problem, nothing written), then the rows, an audit entry and the usage counter are written together. Residents
are read through the standard registry contract (kiban.standard.contracts.registry), never the registry's tables.
Section numbers are of 児童手当法 (昭和46年法律第73号) as amended by 令和6年法律第47号.
"""

# Bilingual refusal messages (Japanese for the counter, English beside it) read best one per line.
# ruff: noqa: E501

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from kiban.platform.audit.services import record
from kiban.platform.events.models import Subscription
from kiban.platform.events.services import subscribe
from kiban.platform.metering import services as metering
from kiban.platform.payments import banks, zengin
from kiban.platform.tenants.context import current_tenant_id
from kiban.standard.contracts import RegisteredPerson, registry

from . import rules
from .errors import ChildAllowanceError, Problems, refuse
from .models import PayerAccount, Prompt, Recognition, Revision

PURPOSE = "児童手当の認定・支給（児童手当法7条・8条）"
HOUSEHOLDER = "世帯主"
RESIDENT_CHANGED = "residents.resident.changed"


# --- inputs --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BankAccount:
    """支払口座 as entered: codes, deposit type (1 普通, 2 当座, 4 貯蓄, 9 その他), number, holder in kana."""

    bank_code: str
    branch_code: str
    account_type: str
    account_number: str
    holder_kana: str


@dataclass(frozen=True)
class ChildClaim:
    """A child the applicant brings up (監護・生計同一); ``supported``: an older child whose living costs the
    applicant bears (counts for 第3子以降 until the school year of 22, 6条)."""

    resident_id: int
    supported: bool = False


def check_bank_account(problems: Problems, account: BankAccount, prefix: str = "bank.") -> dict[str, str]:
    """Validate the account (code form, and existence in the public bank list when installed); the fields to
    store, normalized (zero-padded number, half-width kana holder as written in the transfer file)."""
    checked = banks.check(account.bank_code, account.branch_code, prefix=prefix)
    for field_name, code, ja, en in checked.problems:
        problems.add(field_name, code, ja, en)
    if account.account_type not in zengin.ACCOUNT_TYPES:
        problems.add(f"{prefix}account_type", "invalid", "預金種目は 1（普通）・2（当座）・4（貯蓄）・9（その他）です。",
                     "The account type is 1 (ordinary), 2 (current), 4 (savings) or 9 (other).")  # fmt: skip
    number = account.account_number
    if not (number.isascii() and number.isdigit() and 1 <= len(number) <= 7):
        problems.add(f"{prefix}account_number", "invalid", "口座番号は7桁以内の数字です。",
                     "The account number is up to 7 digits.")  # fmt: skip
    holder = ""
    try:
        holder = zengin.zengin_kana(account.holder_kana, 30, what="account holder")
        if not holder:
            raise zengin.ZenginError("empty")
    except zengin.ZenginError:
        problems.add(f"{prefix}holder_kana", "invalid", "口座名義はカナ30文字以内で入力してください（濁点も1文字）。",
                     "Enter the account holder in kana, at most 30 half-width characters (voiced marks count).")  # fmt: skip
    return {
        "bank_code": account.bank_code,
        "branch_code": account.branch_code,
        "account_type": account.account_type,
        "account_number": number.zfill(7),
        "account_holder_kana": holder,
    }


# --- what a recognition pays ---------------------------------------------------------------------------------


def child_entry(person: RegisteredPerson, supported: bool) -> dict[str, Any]:
    return {"resident_id": person.resident_id, "birth_date": person.birth_date.isoformat(), "supported": supported}


def children_of(entries: Sequence[dict[str, Any]]) -> list[rules.Child]:
    return [rules.Child(dt.date.fromisoformat(e["birth_date"]), bool(e["supported"])) for e in entries]


def monthly_total(recognition: Recognition, children: Sequence[dict[str, Any]], month: dt.date) -> int:
    """The family's amount for ``month`` (0 outside the recognition's months) by the scalar rules."""
    m = rules.month_start(month)
    if m < recognition.first_month or (recognition.last_month is not None and m > recognition.last_month):
        return 0
    income = recognition.income if _income_rules(m) else None
    return sum(rules.family_monthly_amounts(children_of(children), m, income=income, dependants=recognition.dependants))


def _income_rules(month: dt.date) -> bool:
    return rules.base_rules().parameters.bool_at("income_limit_applies", month)


def in_force(recognition: Recognition, month: dt.date | None = None) -> Revision:
    """The revision in force for ``month`` (the newest written among those effective by then), or the newest."""
    revisions = recognition.revisions.all()
    if month is not None:
        revisions = revisions.filter(effective_month__lte=rules.month_start(month))
    found = revisions.order_by("-seq").first()
    if found is None:
        found = recognition.revisions.order_by("seq").first()
    assert found is not None, "a recognition always has its 認定 revision"
    return found


def next_month(day: dt.date) -> dt.date:
    return rules.first_payable_month(day)


# --- recognition (認定請求 and 認定, 7条) -----------------------------------------------------------------------


def recognize(
    *,
    recipient_id: int,
    children: Sequence[ChildClaim],
    applied_on: dt.date,
    bank: BankAccount,
    event_on: dt.date | None = None,
    income: int | None = None,
    dependants: int = 0,
    prompt_id: int | None = None,
) -> Recognition:
    """認定請求 (7条) recorded and recognised. Payment starts the month after the application, or after the birth
    or move-in if applied within 15 days of it (8条2項・3項). Refused if the applicant already has a recognition in
    force (a further child is a 額改定), a child is already in another recognition, no child is payable, or the
    bank account is invalid."""
    problems = Problems()
    today = timezone.localdate()
    registry_ = registry()
    prompt = None
    if prompt_id is not None:
        prompt = Prompt.objects.filter(id=prompt_id).first()
        if prompt is None:
            problems.add("prompt_id", "not_found", "勧奨が見つかりません。", f"No prompt {prompt_id}.")
        elif prompt.status != Prompt.Status.OPEN:
            problems.add(
                "prompt_id", "used", "この勧奨による請求は受付済みです。", "This prompt was already applied for."
            )
        elif event_on is None:
            event_on = prompt.event_on
    if applied_on > today:
        problems.add("applied_on", "future", "請求日が未来の日付です。", "The application date is in the future.")
    if event_on is not None and event_on > applied_on:
        problems.add("event_on", "after_application", "出生・転入等の日が請求日より後です。",
                     "The birth or move-in date is after the application date.")  # fmt: skip
    if dependants < 0 or (income is not None and income < 0):
        problems.add(
            "income", "negative", "所得額・扶養親族等の数は0以上です。", "Income and dependants cannot be negative."
        )
    recipient = registry_.resident_as_of(recipient_id, applied_on, PURPOSE)
    if recipient is None:
        problems.add("recipient_id", "not_registered", "請求者は請求日に住民登録がありません。",
                     "The applicant is not registered here on the application date.")  # fmt: skip
    if Recognition.objects.filter(recipient_id=recipient_id, status=Recognition.Status.ACTIVE).exists():
        problems.add("recipient_id", "already_recognized",
                     "この請求者は既に認定を受けています。子が増えた場合は額改定請求です。",
                     "The applicant already has a recognition in force; a further child is an amount revision.")  # fmt: skip
    entries: list[dict[str, Any]] = []
    ids = [c.resident_id for c in children]
    if not children:
        problems.add("children", "required", "対象児童を入力してください。", "Name at least one child.")
    if len(set(ids)) != len(ids) or recipient_id in ids:
        problems.add(
            "children", "duplicate", "対象児童が重複しています。", "A child is named twice (or is the applicant)."
        )
    for i, claim in enumerate(children):
        person = registry_.resident_as_of(claim.resident_id, applied_on, PURPOSE)
        if person is None:
            problems.add(f"children.{i}", "not_registered", f"児童（住民ID {claim.resident_id}）は請求日に住民登録がありません。",
                         f"Child {claim.resident_id} is not registered here on the application date.")  # fmt: skip
            continue
        entries.append(child_entry(person, claim.supported))
    taken = _children_in_recognitions(set(ids))
    for rid in sorted(taken):
        problems.add("children", "already_recognized", f"児童（住民ID {rid}）は既に他の認定の対象です。",
                     f"Child {rid} is already in another recognition.")  # fmt: skip
    account = check_bank_account(problems, bank)
    first_month = None
    try:
        first_month = rules.first_payable_month(applied_on, event_on=event_on)
    except ValueError:
        pass  # reported above (event after application)
    if first_month is not None and entries and not problems:
        if _income_rules(first_month) and income is None:
            problems.add("income", "required", "2024年9月分以前の支給には所得額が必要です。",
                         "Months before October 2024 are under the income limit: enter the income (所得額).")  # fmt: skip
        else:
            amounts = rules.family_monthly_amounts(children_of(entries), first_month, income=income,
                                                   dependants=dependants)  # fmt: skip
            if not any(amounts):
                problems.add("children", "none_payable", "支給対象となる児童がいません（年齢をご確認ください）。",
                             "No child named is within the paid age in the first month.")  # fmt: skip
    problems.raise_if_any()
    assert recipient is not None and first_month is not None
    entries.sort(key=lambda e: e["birth_date"])
    with transaction.atomic():
        recognition = Recognition(
            recipient_id=recipient_id, household_id=recipient.household_id, applied_on=applied_on, event_on=event_on,
            recognized_on=today, first_month=first_month, income=income, dependants=dependants, prompt=prompt,
            **account,
        )  # fmt: skip
        recognition.save()
        Revision.objects.create(
            recognition=recognition, seq=1, kind=Revision.Kind.RECOGNITION, effective_month=first_month,
            reason="認定請求", children=entries, monthly_total=monthly_total(recognition, entries, first_month),
        )  # fmt: skip
        if prompt is not None:
            prompt.status = Prompt.Status.APPLIED
            prompt.save(update_fields=["status"])
        record("child_allowance.recognized", "recognition", str(recognition.id), purpose=PURPOSE)
        metering.add(current_tenant_id(), "procedures")
    return recognition


def _children_in_recognitions(resident_ids: set[int]) -> set[int]:
    """Which of these children are in the latest revision of a recognition in force."""
    if not resident_ids:
        return set()
    found: set[int] = set()
    latest: dict[int, Revision] = {}
    for revision in Revision.objects.filter(recognition__status=Recognition.Status.ACTIVE).order_by("seq"):
        latest[revision.recognition_id] = revision
    for revision in latest.values():
        found |= {e["resident_id"] for e in revision.children} & resident_ids
    return found


# --- 額改定 (9条) and 消滅 --------------------------------------------------------------------------------------


def _append(recognition: Recognition, kind: str, effective_month: dt.date, reason: str,
            children: list[dict[str, Any]], event_id: uuid.UUID | None) -> Revision:  # fmt: skip
    last = recognition.revisions.order_by("-seq").first()
    seq = 1 if last is None else last.seq + 1
    revision = Revision.objects.create(
        recognition=recognition, seq=seq, kind=kind, effective_month=effective_month, reason=reason,
        children=children, monthly_total=monthly_total(recognition, children, effective_month), event_id=event_id,
    )  # fmt: skip
    record(f"child_allowance.revision.{kind}", "recognition", str(recognition.id), purpose=reason)
    return revision


def add_child(recognition: Recognition, child: RegisteredPerson, *, reason: str, event_on: dt.date,
              event_id: uuid.UUID | None = None, supported: bool = False) -> Revision:  # fmt: skip
    """額改定（増額）: from the month after the event (9条1項 with 8条2項・3項: the revision is requested within
    15 days of the birth; Kiban records it from the registry event and notifies the recipient)."""
    latest = in_force(recognition)
    children = [*latest.children, child_entry(child, supported)]
    children.sort(key=lambda e: e["birth_date"])
    with transaction.atomic():
        return _append(recognition, Revision.Kind.INCREASE, next_month(event_on), reason, children, event_id)


def remove_child(recognition: Recognition, child_id: int, *, reason: str, event_on: dt.date,
                 event_id: uuid.UUID | None = None) -> Revision:  # fmt: skip
    """額改定（減額）: from the month after the month the reason arose (9条3項). Without any child left the
    recognition ends (消滅) with that month."""
    latest = in_force(recognition)
    children = [e for e in latest.children if e["resident_id"] != child_id]
    with transaction.atomic():
        if not children:
            return end(recognition, ceased_on=event_on, reason=reason, event_id=event_id)
        return _append(recognition, Revision.Kind.DECREASE, next_month(event_on), reason, children, event_id)


def end(recognition: Recognition, *, ceased_on: dt.date, reason: str, event_id: uuid.UUID | None = None) -> Revision:
    """消滅: paid up to and including the month the reason ceased (事由消滅月, 8条2項)."""
    with transaction.atomic():
        recognition.status = Recognition.Status.ENDED
        recognition.last_month = rules.last_payable_month(ceased_on)
        recognition.ended_reason = reason
        recognition.save(update_fields=["status", "last_month", "ended_reason"])
        return _append(recognition, Revision.Kind.ENDED, next_month(ceased_on), reason, [], event_id)


# --- reacting to the registry -------------------------------------------------------------------------------


def on_birth(event_id: uuid.UUID, child_id: int, household_id: int, born_on: dt.date) -> Prompt | Revision | None:
    """A birth: 額改定 for a recognition in force in the household, else a prompt to the householder."""
    if Prompt.objects.filter(event_id=event_id).exists() or Revision.objects.filter(event_id=event_id).exists():
        return None  # delivered again
    members = registry().household_as_of(household_id, born_on, PURPOSE)
    child = next((m for m in members if m.resident_id == child_id), None)
    if child is None:
        return None
    member_ids = [m.resident_id for m in members if m.resident_id != child_id]
    recognition = Recognition.objects.filter(recipient_id__in=member_ids, status=Recognition.Status.ACTIVE).first()
    if recognition is not None:
        return add_child(recognition, child, reason="出生", event_on=born_on, event_id=event_id)
    householder = next((m for m in members if m.relationship == HOUSEHOLDER), None)
    if householder is None:
        return None
    prompt = Prompt.objects.create(
        event_id=event_id, household_id=household_id, householder_id=householder.resident_id, child_id=child_id,
        event_on=born_on,
    )  # fmt: skip
    record("child_allowance.prompted", "prompt", str(prompt.id), purpose="認定請求の勧奨（出生）")
    return prompt


def on_left(event_id: uuid.UUID, resident_id: int, household_id: int, left_on: dt.date, reason: str) -> list[Revision]:
    """A move-out or death: the recipient's recognition ends with that month; a child's is revised.

    The child's recognitions are looked for among the members of the child's household the day before (the
    recipient lives with the child, 監護・生計同一; a recipient living apart is not found this way)."""
    if Revision.objects.filter(event_id=event_id).exists():
        return []
    done: list[Revision] = []
    own = Recognition.objects.filter(recipient_id=resident_id, status=Recognition.Status.ACTIVE).first()
    if own is not None:
        done.append(end(own, ceased_on=left_on, reason=reason, event_id=event_id))
    before = left_on - dt.timedelta(days=1)
    members = [m.resident_id for m in registry().household_as_of(household_id, before, PURPOSE)]
    for recognition in Recognition.objects.filter(recipient_id__in=members, status=Recognition.Status.ACTIVE):
        if registry().resident_as_of(recognition.recipient_id, left_on, PURPOSE) is None:
            continue  # the recipient leaves too: their own event ends the recognition
        if any(e["resident_id"] == resident_id for e in in_force(recognition).children):
            done.append(remove_child(recognition, resident_id, reason=reason, event_on=left_on, event_id=event_id))
    return done


def subscribe_to_registry() -> Subscription:
    """Subscribe the current tenant's child allowance to registry changes (idempotent)."""
    from .events import HANDLER_NAME

    existing = Subscription.objects.filter(event_type=RESIDENT_CHANGED, target=HANDLER_NAME, active=True).first()
    return existing or subscribe(RESIDENT_CHANGED, business="child_allowance", handler=HANDLER_NAME)


# --- the payer account --------------------------------------------------------------------------------------


def set_payer_account(*, requester_code: str, requester_name_kana: str, bank_code: str, branch_code: str,
                      account_type: str, account_number: str) -> PayerAccount:  # fmt: skip
    problems = Problems()
    checked = check_bank_account(
        problems, BankAccount(bank_code, branch_code, account_type, account_number, "ﾀﾞﾐｰ"), prefix=""
    )
    if not (requester_code.isascii() and requester_code.isdigit() and len(requester_code) == 10):
        problems.add(
            "requester_code", "invalid", "振込依頼人コードは10桁の数字です。", "The requester code is 10 digits."
        )
    name = ""
    try:
        name = zengin.zengin_kana(requester_name_kana, 40, what="requester name")
    except zengin.ZenginError:
        problems.add("requester_name_kana", "invalid", "振込依頼人名はカナ40文字以内です。",
                     "The requester name is at most 40 half-width kana.")  # fmt: skip
    problems.raise_if_any()
    with transaction.atomic():
        payer = PayerAccount.objects.create(
            requester_code=requester_code, requester_name_kana=name, bank_code=bank_code, branch_code=branch_code,
            account_type=account_type, account_number=checked["account_number"],
        )  # fmt: skip
        record("child_allowance.payer_account", "payer-account", str(payer.id))
    return payer


__all__ = [
    "BankAccount",
    "ChildAllowanceError",
    "ChildClaim",
    "add_child",
    "end",
    "on_birth",
    "on_left",
    "recognize",
    "refuse",
    "remove_child",
    "set_payer_account",
    "subscribe_to_registry",
]
