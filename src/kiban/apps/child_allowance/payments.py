"""Regular payments (定時払): each 支払期月 pays the months since the previous one (児童手当法 8条4項), by Zengin
transfer file.

A run computes, for every recognition payable in the months covered, the family's amount for each month with the
vectorised rules (kiban.apps.child_allowance.rules.monthly_amounts: one row per child, one call per month), and
writes one ``Payment`` per recognition (unique per recognition and 支払期月: running again pays only recognitions
not yet paid) and one ``PaymentRun`` with its transfer file, in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np
from django.db import transaction
from django.db.models import Q

from kiban.platform.audit.services import record
from kiban.platform.metering import services as metering
from kiban.platform.payments import banks, zengin
from kiban.platform.tenants.context import current_tenant_id

from . import rules
from .errors import Problems, refuse
from .models import PayerAccount, Payment, PaymentRun, Recognition, Revision

PURPOSE = "児童手当の支払（児童手当法8条4項）"


def _month_key(m: dt.date) -> str:
    return f"{m:%Y-%m}"


def run_payment(payment_date: dt.date, *, transfer_date: dt.date | None = None) -> PaymentRun | None:
    """Pay the 支払期月 of ``payment_date``; None if every payable recognition was already paid for it."""
    try:
        months = rules.months_paid_on(payment_date)
    except ValueError:
        raise refuse("payment_date", "not_payment_month",
                     f"{payment_date:%Y年%m月}は児童手当の支払期月ではありません（2024年10月以降は偶数月）。",
                     f"{payment_date:%Y-%m} is not a payment month of the child allowance"
                     " (even months from October 2024).",
                     ) from None  # fmt: skip
    payment_month = rules.month_start(payment_date)
    payer = PayerAccount.objects.order_by("-id").first()
    if payer is None:
        raise refuse("payer", "missing", "支払口座（振込依頼人）が登録されていません。",
                     "No payer account (振込依頼人) is registered.")  # fmt: skip
    already = Payment.objects.filter(payment_month=payment_month).values("recognition_id")
    recognitions = list(
        Recognition.objects.filter(first_month__lte=months[-1])
        .filter(Q(last_month__isnull=True) | Q(last_month__gte=months[0]))
        .exclude(id__in=already)
        .order_by("id")
    )
    index = {r.id: i for i, r in enumerate(recognitions)}
    revisions: dict[int, list[Revision]] = defaultdict(list)
    for revision in Revision.objects.filter(recognition_id__in=list(index)).order_by("seq"):
        revisions[revision.recognition_id].append(revision)

    amounts = np.zeros((len(recognitions), len(months)), dtype=np.int64)
    problems = Problems()
    for j, month in enumerate(months):
        income_rules = rules.base_rules().parameters.bool_at("income_limit_applies", month)
        family: list[int] = []
        births: list[str] = []
        supported: list[bool] = []
        income: list[int] = []
        dependants: list[int] = []
        for r in recognitions:
            if month < r.first_month or (r.last_month is not None and month > r.last_month):
                continue
            effective = [v for v in revisions[r.id] if v.effective_month <= month]
            if not effective:
                continue
            if income_rules and r.income is None:
                problems.add("recognitions", "income_missing",
                             f"認定番号 {r.number}: {month:%Y年%m月}分の支給には所得額が必要です。",
                             f"Recognition {r.number}: the income is needed for {month:%Y-%m}.")  # fmt: skip
                continue
            for child in effective[-1].children:
                family.append(index[r.id])
                births.append(child["birth_date"])
                supported.append(bool(child["supported"]))
                income.append(r.income or 0)
                dependants.append(r.dependants)
        if not family:
            continue
        per_child = rules.monthly_amounts(
            np.array(family, dtype=np.int64), np.array(births, dtype="datetime64[D]"), month,
            supported=np.array(supported, dtype=bool),
            income=np.array(income, dtype=np.int64) if income_rules else None,
            dependants=np.array(dependants, dtype=np.int64) if income_rules else None,
        )  # fmt: skip
        column = np.zeros(len(recognitions), dtype=np.int64)
        np.add.at(column, np.array(family, dtype=np.int64), per_child)  # integer yen throughout
        amounts[:, j] = column
    problems.raise_if_any()

    totals = amounts.sum(axis=1)
    paid = [(r, int(totals[index[r.id]])) for r in recognitions if totals[index[r.id]] > 0]
    if not paid:
        return None
    transfers = []
    for r, total in paid:
        names = banks.check(r.bank_code, r.branch_code)
        transfers.append(zengin.Transfer(
            bank_code=r.bank_code, branch_code=r.branch_code, account_type=r.account_type,
            account_number=r.account_number, payee_kana=r.account_holder_kana, amount=total,
            customer_code=str(r.id), bank_name_kana=_kana15(names.bank_kana),
            branch_name_kana=_kana15(names.branch_kana),
        ))  # fmt: skip
    requester = zengin.Requester(
        code=payer.requester_code, name_kana=payer.requester_name_kana, bank_code=payer.bank_code,
        branch_code=payer.branch_code, account_type=payer.account_type, account_number=payer.account_number,
    )  # fmt: skip
    written = zengin.write(requester, transfer_date or payment_date, transfers)
    with transaction.atomic():
        run = PaymentRun.objects.create(
            payment_month=payment_month, transfer_date=transfer_date or payment_date,
            months=[_month_key(m) for m in months], count=written.count, total=written.total, file=written.content,
        )  # fmt: skip
        Payment.objects.bulk_create(
            Payment(
                recognition=r, run=run, payment_month=payment_month, amount=total,
                breakdown={_month_key(m): int(amounts[index[r.id], j]) for j, m in enumerate(months)},
                bank_code=r.bank_code, branch_code=r.branch_code, account_type=r.account_type,
                account_number=r.account_number, account_holder_kana=r.account_holder_kana,
            )
            for r, total in paid
        )  # fmt: skip
        record("child_allowance.payment_run", "payment-run", str(run.id), purpose=PURPOSE)
        metering.add(current_tenant_id(), "procedures")
    return run


def _kana15(kana: str) -> str:
    """A bank or branch name from the bank list, as it fits the file's 15 characters (truncated: display only)."""
    try:
        return zengin.zengin_kana(kana)[:15]
    except zengin.ZenginError:
        return ""
