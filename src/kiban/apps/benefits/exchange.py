"""What one-off benefits (給付金) put into the standard exchange files (format 3): each benefit's definition, its
households' applications and receipts, and the payment runs (with the 全銀 file as it was sent).
``household_id`` and ``payee_id`` are ids of the registry's households and residents, kept as they are and
checked against the registry's files (``refers_to``). The
declarations' vocabulary is ``kiban.platform.exchange``."""

from __future__ import annotations

from kiban.platform.exchange import ExchangedTable

from .models import Application, Benefit, PaymentRun, Receipt

EXCHANGE: tuple[ExchangedTable, ...] = (
    ExchangedTable(
        "benefits",
        Benefit,
        (
            "id",
            "code",
            "name",
            "reference",
            "base_date",
            "min_age",
            "max_age",
            "household_min_eligible",
            "household_max_members",
            "per",
            "amount",
            "application_opens",
            "application_closes",
            "push",
            "requester_code",
            "requester_name_kana",
            "bank_code",
            "branch_code",
            "account_type",
            "account_number",
            "prepared_at",
            "created_at",
        ),
    ),
    ExchangedTable(
        "benefit_payment_runs",
        PaymentRun,
        ("id", "benefit_id", "transfer_date", "count", "total", "file", "created_at"),
    ),
    ExchangedTable(
        "benefit_applications",
        Application,
        ("id", "benefit_id", "household_id", "payee_id", "eligible_count", "amount", "status", "applied_on", "run_id"),
        refers_to={"household_id": "households", "payee_id": "residents"},
    ),
    ExchangedTable(
        "benefit_receipts",
        Receipt,
        (
            "id",
            "application_id",
            "applied_on",
            "bank_code",
            "branch_code",
            "account_type",
            "account_number",
            "account_holder_kana",
            "received_at",
        ),
    ),
)
