"""Emergency benefits: define, find the eligible households, take applications, pay, report progress.

Each step runs in one transaction and refuses bad input with every problem found (``BenefitError``), writing
nothing. Residents are read through the standard registry contract (kiban.standard.contracts.registry):
``population_as_of(base_date)`` streams everyone registered on the base date, grouped here by household.
"""

# Bilingual refusal messages (Japanese for the counter, English beside it) read best one per line.
# ruff: noqa: E501

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from kiban.platform.audit.services import record
from kiban.platform.metering import services as metering
from kiban.platform.payments import banks, zengin
from kiban.platform.problems import FieldError, Refused
from kiban.platform.problems import Problems as BaseProblems
from kiban.platform.tenants.context import current_tenant_id
from kiban.standard.contracts import registry

from .models import Application, Benefit, PaymentRun, Receipt

HOUSEHOLDER = "世帯主"
date_min = dt.date.min
DEFINITIONS_DIR = Path(__file__).with_name("definitions")
BATCH = 5000


class BenefitError(Refused):
    """A refusal of the benefits app with every problem found."""


class Problems(BaseProblems):
    refusal = BenefitError


# --- bulk writes ----------------------------------------------------------------------------------------------


def _column(model: Any, name: str) -> str:
    column: str = getattr(model._meta.get_field(name), "column")  # noqa: B009 (concrete fields only)
    return column


def _insert_rows(model: Any, columns: list[str], rows: list[tuple[Any, ...]], pg_types: list[str]) -> None:
    """Insert many rows of a tenant table in the current tenant. On PostgreSQL one ``INSERT … SELECT FROM unnest()``
    per batch of 50,000 (arrays as parameters: no per-row SQL; row-level security checks each row as usual; COPY is
    refused under RLS), elsewhere Django's ``bulk_create``."""
    if not rows:
        return
    tenant_id = current_tenant_id()
    if connection.vendor != "postgresql":
        model.objects.bulk_create((model(**dict(zip(columns, row, strict=True))) for row in rows), batch_size=BATCH)
        return
    names = ", ".join(["tenant_id", *[_column(model, c) for c in columns]])
    arrays = ", ".join(f"%s::{t}[]" for t in pg_types)
    sql = f'INSERT INTO "{model._meta.db_table}" ({names}) SELECT %s, * FROM unnest({arrays})'
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 50_000):
            chunk = rows[start : start + 50_000]
            cursor.execute(sql, [tenant_id, *[list(col) for col in zip(*chunk, strict=True)]])


# --- definition ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Payer:
    """The account the benefit is paid from and the bank contract (振込依頼人)."""

    requester_code: str
    requester_name_kana: str
    bank_code: str
    branch_code: str
    account_type: str
    account_number: str


@dataclass(frozen=True)
class Definition:
    code: str
    name: str
    base_date: dt.date
    per: str  # person / household
    amount: int
    application_opens: dt.date
    application_closes: dt.date
    push: bool = False
    reference: str = ""
    min_age: int | None = None  # age on the base date (年齢計算ニ関スル法律), inclusive
    max_age: int | None = None
    household_min_eligible: int = 1
    household_max_members: int | None = None


def load_definition(path: Path | str) -> Definition:
    """A definition from a YAML file (see definitions/special_fixed_sum_2020.yaml)."""
    raw = yaml.safe_load(Path(path).read_text("utf-8"))
    known = {f.name for f in fields(Definition)}
    unknown = set(raw) - known
    if unknown:
        raise BenefitError(
            [FieldError(k, "unknown", f"未知の項目です: {k}", f"Unknown item {k!r}.") for k in sorted(unknown)]
        )
    return Definition(**raw)


def shipped(name: str) -> Definition:
    """One of the definitions shipped in definitions/ (e.g. ``special_fixed_sum_2020``)."""
    path = DEFINITIONS_DIR / f"{name}.yaml"
    if not name.replace("_", "").isalnum() or not path.is_file():
        raise BenefitError(
            [FieldError("definition", "not_found", f"定義 {name} はありません。", f"No shipped definition {name!r}.")]
        )
    return load_definition(path)


def _check_payer(problems: Problems, payer: Payer) -> None:
    for field_name, code, ja, en in banks.check(payer.bank_code, payer.branch_code, prefix="payer.").problems:
        problems.add(field_name, code, ja, en)
    if payer.account_type not in zengin.ACCOUNT_TYPES:
        problems.add(
            "payer.account_type",
            "invalid",
            "預金種目は 1・2・4・9 のいずれかです。",
            "The account type is 1, 2, 4 or 9.",
        )
    if not (payer.account_number.isascii() and payer.account_number.isdigit() and 1 <= len(payer.account_number) <= 7):
        problems.add(
            "payer.account_number", "invalid", "口座番号は7桁以内の数字です。", "The account number is up to 7 digits."
        )
    if not (payer.requester_code.isascii() and payer.requester_code.isdigit() and len(payer.requester_code) == 10):
        problems.add(
            "payer.requester_code", "invalid", "振込依頼人コードは10桁の数字です。", "The requester code is 10 digits."
        )
    try:
        zengin.zengin_kana(payer.requester_name_kana, 40)
    except zengin.ZenginError:
        problems.add(
            "payer.requester_name_kana",
            "invalid",
            "振込依頼人名はカナ40文字以内です。",
            "The requester name is at most 40 half-width kana.",
        )


def define(definition: Definition, payer: Payer) -> Benefit:
    d = definition
    problems = Problems()
    if not d.code or not all(c.isalnum() or c in "-_" for c in d.code) or len(d.code) > 64:
        problems.add(
            "code",
            "invalid",
            "給付金コードは英数字・ハイフン64文字以内です。",
            "The code is up to 64 letters, digits and hyphens.",
        )
    elif Benefit.objects.filter(code=d.code).exists():
        problems.add("code", "duplicate", "この給付金コードは登録済みです。", "A benefit with this code exists.")
    if d.per not in Benefit.Per.values:
        problems.add("per", "invalid", "給付単位は person か household です。", "Per is person or household.")
    if not isinstance(d.amount, int) or isinstance(d.amount, bool) or not 1 <= d.amount <= zengin.MAX_AMOUNT:
        problems.add(
            "amount", "invalid", "給付額は1円以上の整数です。", "The amount is a whole number of yen, at least 1."
        )
    if d.application_closes < d.application_opens:
        problems.add(
            "application_closes",
            "before_opening",
            "申請期限が受付開始日より前です。",
            "The application window closes before it opens.",
        )
    if d.min_age is not None and d.max_age is not None and d.min_age > d.max_age:
        problems.add(
            "max_age", "below_min", "年齢の上限が下限より小さいです。", "The maximum age is below the minimum."
        )
    if d.household_min_eligible < 1:
        problems.add(
            "household_min_eligible",
            "invalid",
            "世帯の対象者数の下限は1以上です。",
            "At least one eligible member per household.",
        )
    _check_payer(problems, payer)
    problems.raise_if_any()
    with transaction.atomic():
        benefit = Benefit.objects.create(
            code=d.code, name=d.name, reference=d.reference, base_date=d.base_date, min_age=d.min_age, max_age=d.max_age,
            household_min_eligible=d.household_min_eligible, household_max_members=d.household_max_members, per=d.per,
            amount=d.amount, application_opens=d.application_opens, application_closes=d.application_closes, push=d.push,
            requester_code=payer.requester_code, requester_name_kana=zengin.zengin_kana(payer.requester_name_kana, 40),
            bank_code=payer.bank_code, branch_code=payer.branch_code, account_type=payer.account_type,
            account_number=payer.account_number.zfill(7),
        )  # fmt: skip
        record("benefits.defined", "benefit", benefit.code, purpose=benefit.name)
    return benefit


# --- who counts ------------------------------------------------------------------------------------------------


def age_on(birth: dt.date, day: dt.date) -> int:
    """Age on ``day`` in completed years; a year is completed at the end of the day before the birthday
    (年齢計算ニ関スル法律, 民法143条), so the age is the ordinary age of the next day."""
    nxt = day + dt.timedelta(days=1)
    return nxt.year - birth.year - ((nxt.month, nxt.day) < (birth.month, birth.day))


@dataclass(frozen=True)
class Prepared:
    households: int
    persons: int
    amount: int


def prepare(benefit: Benefit) -> Prepared:
    """Prefill one application per eligible household from the registry as of the base date (once per benefit)."""
    if benefit.prepared_at is not None:
        raise BenefitError(
            [
                FieldError(
                    "benefit",
                    "already_prepared",
                    "対象世帯は抽出済みです。",
                    "The eligible households were already prepared.",
                )
            ]
        )
    purpose = f"{benefit.name}の給付対象者の抽出（基準日 {benefit.base_date:%Y-%m-%d}）"
    # household -> [members, eligible, householder]
    groups: dict[int, list[int]] = {}
    lo, hi, base = benefit.min_age, benefit.max_age, benefit.base_date
    for p in registry().population_as_of(base, purpose):
        g = groups.get(p.household_id)
        if g is None:
            g = groups[p.household_id] = [0, 0, 0]
        g[0] += 1
        if lo is None and hi is None:
            g[1] += 1
        else:
            age = age_on(p.birth_date, base)
            g[1] += (lo is None or age >= lo) and (hi is None or age <= hi)
        if p.relationship == HOUSEHOLDER:
            g[2] = p.resident_id
    per_person = benefit.per == Benefit.Per.PERSON
    rows = [
        (benefit.id, household_id, householder, eligible,
         benefit.amount * eligible if per_person else benefit.amount, Application.Status.PREFILLED.value)
        for household_id, (members, eligible, householder) in groups.items()
        if eligible >= benefit.household_min_eligible
        and (benefit.household_max_members is None or members <= benefit.household_max_members)
        and householder
    ]  # fmt: skip
    with transaction.atomic():
        _insert_rows(Application, ["benefit_id", "household_id", "payee_id", "eligible_count", "amount", "status"],
                     rows, ["bigint", "bigint", "bigint", "integer", "bigint", "text"])  # fmt: skip
        benefit.prepared_at = timezone.now()
        benefit.save(update_fields=["prepared_at"])
        record("benefits.prepared", "benefit", benefit.code, purpose=purpose)
        metering.add(current_tenant_id(), "procedures")
    return Prepared(len(rows), sum(r[3] for r in rows), sum(r[4] for r in rows))


# --- applications ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BankAccount:
    bank_code: str
    branch_code: str
    account_type: str
    account_number: str
    holder_kana: str


def _check_account(problems: Problems, account: BankAccount, prefix: str = "bank.") -> dict[str, str]:
    for field_name, code, ja, en in banks.check(account.bank_code, account.branch_code, prefix=prefix).problems:
        problems.add(field_name, code, ja, en)
    if account.account_type not in zengin.ACCOUNT_TYPES:
        problems.add(
            f"{prefix}account_type",
            "invalid",
            "預金種目は 1（普通）・2（当座）・4（貯蓄）・9（その他）です。",
            "The account type is 1, 2, 4 or 9.",
        )
    n = account.account_number
    if not (n.isascii() and n.isdigit() and 1 <= len(n) <= 7):
        problems.add(
            f"{prefix}account_number",
            "invalid",
            "口座番号は7桁以内の数字です。",
            "The account number is up to 7 digits.",
        )
    holder = ""
    try:
        holder = zengin.zengin_kana(account.holder_kana, 30)
    except zengin.ZenginError:
        pass
    if not holder:
        problems.add(
            f"{prefix}holder_kana",
            "invalid",
            "口座名義はカナ30文字以内で入力してください。",
            "Enter the account holder in kana, at most 30 half-width characters.",
        )
    return {"bank_code": account.bank_code, "branch_code": account.branch_code, "account_type": account.account_type,
            "account_number": n.zfill(7), "account_holder_kana": holder}  # fmt: skip


def _check_application(problems: Problems, benefit: Benefit, application: tuple[int, str, int] | None, household_id: int,
                       payee_id: int | None, applied_on: dt.date, prefix: str = "") -> None:  # fmt: skip
    # Push-style (申請不要): the account may be registered at any time before the window closes.
    opens = date_min if benefit.push else benefit.application_opens
    if not opens <= applied_on <= benefit.application_closes:
        problems.add(f"{prefix}applied_on", "outside_window",
                     f"申請受付期間（{benefit.application_opens}〜{benefit.application_closes}）外です。",
                     f"Applications are accepted from {benefit.application_opens} to {benefit.application_closes}.")  # fmt: skip
    if application is None:
        problems.add(f"{prefix}household_id", "not_eligible", f"世帯 {household_id} は給付対象ではありません。",
                     f"Household {household_id} is not eligible.")  # fmt: skip
    elif application[1] != Application.Status.PREFILLED:
        problems.add(
            f"{prefix}household_id",
            "already_applied",
            "この世帯は申請済みです。",
            "This household has already applied.",
        )
    elif payee_id is not None and payee_id != application[2]:
        problems.add(f"{prefix}payee_id", "not_payee", "申請できるのは基準日の世帯主（受給権者）です。",
                     "Only the householder on the base date (the payee) may apply.")  # fmt: skip


def apply(benefit: Benefit, *, household_id: int, applied_on: dt.date, bank: BankAccount,
          payee_id: int | None = None) -> Application:  # fmt: skip
    """申請: the payee confirms the prefilled form and gives the account to pay into."""
    problems = Problems()
    application = Application.objects.select_for_update().filter(benefit=benefit, household_id=household_id).first()
    found = None if application is None else (application.id, application.status, application.payee_id)
    _check_application(problems, benefit, found, household_id, payee_id, applied_on)
    account = _check_account(problems, bank)
    problems.raise_if_any()
    assert application is not None
    with transaction.atomic():
        Receipt.objects.create(application=application, applied_on=applied_on, **account)
        application.status, application.applied_on = Application.Status.APPLIED, applied_on
        application.save(update_fields=["status", "applied_on"])
        record("benefits.applied", "benefit-application", str(application.id), purpose=benefit.name)
        metering.add(current_tenant_id(), "procedures")
    return application


ACCOUNT_FIELDS = ("bank_code", "branch_code", "account_type", "account_number", "account_holder_kana")


def _update_status(ids: list[int], status: str, **values: Any) -> None:
    """Set the status (and other columns: ``applied_on``, ``run_id``) of these applications of the current tenant;
    on PostgreSQL one statement per 50,000 ids passed as one array (``id = ANY(%s)``)."""
    values["status"] = status
    if connection.vendor != "postgresql":
        for start in range(0, len(ids), 900):
            Application.objects.filter(id__in=ids[start : start + 900]).update(**values)
        return
    table = Application._meta.db_table
    assignments = ", ".join(f'"{_column(Application, name)}" = %s' for name in values)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 50_000):
            cursor.execute(
                f'UPDATE "{table}" SET {assignments} WHERE tenant_id = %s AND id = ANY(%s)',
                [*values.values(), current_tenant_id(), ids[start : start + 50_000]],
            )


@dataclass(frozen=True)
class Received:
    household_id: int
    applied_on: dt.date
    bank: BankAccount


def apply_many(benefit: Benefit, received: Iterable[Received]) -> int:
    """A batch of applications received together (the mailed forms of a day, read in bulk): all or nothing."""
    items = list(received)
    problems = Problems()
    found = {
        household_id: (app_id, status, payee_id)
        for household_id, app_id, status, payee_id in Application.objects.filter(
            benefit=benefit, household_id__in=[r.household_id for r in items]
        ).values_list("household_id", "id", "status", "payee_id")
    }
    receipts: list[tuple[Any, ...]] = []
    by_date: dict[dt.date, list[int]] = {}
    for i, r in enumerate(items):
        application = found.get(r.household_id)
        _check_application(problems, benefit, application, r.household_id, None, r.applied_on, prefix=f"{i}.")
        account = _check_account(problems, r.bank, prefix=f"{i}.bank.")
        if application is not None:
            receipts.append((application[0], r.applied_on, *account.values()))
            by_date.setdefault(r.applied_on, []).append(application[0])
    if len({r.household_id for r in items}) != len(items):
        problems.add(
            "households", "duplicate", "同じ世帯の申請が重複しています。", "A household appears twice in the batch."
        )
    problems.raise_if_any()
    now = timezone.now()
    with transaction.atomic():
        _insert_rows(Receipt, ["application_id", "applied_on", *ACCOUNT_FIELDS, "received_at"],
                     [(*row, now) for row in receipts],
                     ["bigint", "date", "text", "text", "text", "text", "text", "timestamptz"])  # fmt: skip
        for applied_on, ids in by_date.items():
            _update_status(ids, Application.Status.APPLIED, applied_on=applied_on)
        record("benefits.applied_in_bulk", "benefit", benefit.code, purpose=f"{benefit.name}: {len(receipts)}件")
        metering.add(current_tenant_id(), "procedures")
    return len(receipts)


# --- payment -------------------------------------------------------------------------------------------------------


def pay(benefit: Benefit, *, transfer_date: dt.date) -> PaymentRun | None:
    """Pay every applied household not yet paid (push-style: every household whose account is registered); None if
    there is none."""
    rows = list(
        Receipt.objects.filter(application__benefit=benefit, application__run__isnull=True)
        .order_by("application_id")
        .values_list("application_id", "bank_code", "branch_code", "account_type", "account_number",
                     "account_holder_kana", "application__amount")
    )  # fmt: skip
    if not rows:
        return None
    requester = zengin.Requester(
        code=benefit.requester_code, name_kana=benefit.requester_name_kana, bank_code=benefit.bank_code,
        branch_code=benefit.branch_code, account_type=benefit.account_type, account_number=benefit.account_number,
    )  # fmt: skip

    def transfers() -> Iterable[zengin.Transfer]:
        for app_id, bank_code, branch_code, account_type, number, holder, amount in rows:
            names = banks.check(bank_code, branch_code)
            yield zengin.Transfer(bank_code, branch_code, account_type, number, holder, amount, str(app_id),
                                  _kana15(names.bank_kana), _kana15(names.branch_kana))  # fmt: skip

    written = zengin.write(requester, transfer_date, transfers())
    ids = [r[0] for r in rows]
    with transaction.atomic():
        run = PaymentRun.objects.create(benefit=benefit, transfer_date=transfer_date, count=written.count,
                                        total=written.total, file=written.content)  # fmt: skip
        _update_status(ids, Application.Status.PAID, run_id=run.id)
        record("benefits.paid", "benefit-payment-run", str(run.id), purpose=f"{benefit.name}: {written.count}件")
        metering.add(current_tenant_id(), "procedures")
    return run


@functools.lru_cache(maxsize=65536)
def _kana15(kana: str) -> str:
    try:
        return zengin.zengin_kana(kana)[:15]
    except zengin.ZenginError:
        return ""


# --- progress -----------------------------------------------------------------------------------------------------


def progress(benefit: Benefit) -> dict[str, int]:
    """Counts and amounts for the supervisor, in one query: eligible, applied (incl. paid), paid, not applied."""
    paid = Q(status=Application.Status.PAID)
    applied = Q(status=Application.Status.APPLIED) | paid
    totals = Application.objects.filter(benefit=benefit).aggregate(
        n_households=Count("id"), n_persons=Sum("eligible_count"), total_amount=Sum("amount"),
        n_applied=Count("id", filter=applied), applied_total=Sum("amount", filter=applied),
        n_paid=Count("id", filter=paid), paid_person_count=Sum("eligible_count", filter=paid),
        paid_total=Sum("amount", filter=paid),
    )  # fmt: skip
    names = {"n_households": "households", "n_persons": "persons", "total_amount": "amount",
             "n_applied": "applied_households", "applied_total": "applied_amount", "n_paid": "paid_households",
             "paid_person_count": "paid_persons", "paid_total": "paid_amount"}  # fmt: skip
    result = {names[k]: int(v or 0) for k, v in totals.items()}
    result["not_applied_households"] = result["households"] - result["applied_households"]
    return result
