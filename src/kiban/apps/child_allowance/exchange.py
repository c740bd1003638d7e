"""What child allowance (児童手当) puts into the standard exchange files (format 3): the prompts raised by registry
events, the recognitions with their revisions, the payer account, the payment runs (with the 全銀 file as it was
sent) and the payments. ``recipient_id``, ``household_id``, ``householder_id`` and ``child_id`` are ids of the
registry's residents and households, plain numbers in the models (an app imports no other): kept as they are (the
import keeps ids) and checked against the registry's files like references (``refers_to``). The declarations'
vocabulary is ``kiban.platform.exchange``."""

from __future__ import annotations

from kiban.platform.exchange import ExchangedTable

from .models import PayerAccount, Payment, PaymentRun, Prompt, Recognition, Revision

_ACCOUNT = ("bank_code", "branch_code", "account_type", "account_number", "account_holder_kana")

EXCHANGE: tuple[ExchangedTable, ...] = (
    ExchangedTable(
        "child_allowance_prompts",
        Prompt,
        ("id", "event_id", "household_id", "householder_id", "child_id", "event_on", "status", "created_at"),
        refers_to={"household_id": "households", "householder_id": "residents", "child_id": "residents"},
    ),
    ExchangedTable(
        "child_allowance_recognitions",
        Recognition,
        (
            "id",
            "recipient_id",
            "household_id",
            "applied_on",
            "event_on",
            "recognized_on",
            "first_month",
            "status",
            "last_month",
            "ended_reason",
            "income",
            "dependants",
            "prompt_id",
            *_ACCOUNT,
            "created_at",
        ),
        refers_to={"recipient_id": "residents", "household_id": "households"},
    ),
    ExchangedTable(
        "child_allowance_revisions",
        Revision,
        (
            "id",
            "recognition_id",
            "seq",
            "kind",
            "effective_month",
            "reason",
            "children",
            "monthly_total",
            "event_id",
            "created_at",
        ),
    ),
    ExchangedTable(
        "child_allowance_payer_accounts",
        PayerAccount,
        ("id", "requester_code", "requester_name_kana", *_ACCOUNT[:4], "created_at"),  # the account without a holder
    ),
    ExchangedTable(
        "child_allowance_payment_runs",
        PaymentRun,
        ("id", "payment_month", "transfer_date", "months", "count", "total", "file", "created_at"),
    ),
    ExchangedTable(
        "child_allowance_payments",
        Payment,
        ("id", "recognition_id", "run_id", "payment_month", "amount", "breakdown", *_ACCOUNT),
    ),
)
