"""The benefits app behind the standard contract (kiban.standard.contracts.BenefitsService), for the portal."""

from __future__ import annotations

from datetime import date

from kiban.standard.contracts import BankAccountData, BenefitOffer, ProcedureOutcome

from . import services
from .models import Application, Benefit


class KibanBenefits:
    def offers_for(self, resident_id: int) -> list[BenefitOffer]:
        rows = Application.objects.filter(payee_id=resident_id).select_related("benefit").order_by("id")
        return [
            BenefitOffer(
                a.benefit.code,
                a.benefit.name,
                a.household_id,
                a.eligible_count,
                a.amount,
                a.status,
                a.benefit.application_closes,
            )
            for a in rows
        ]

    def apply(self, code: str, resident_id: int, account: BankAccountData, applied_on: date) -> ProcedureOutcome:
        benefit = Benefit.objects.filter(code=code).first()
        application = Application.objects.filter(benefit=benefit, payee_id=resident_id).first() if benefit else None
        if benefit is None or application is None:
            return ProcedureOutcome(None, errors=(("code", "この給付金の対象ではありません。", "Not eligible."),))
        bank = services.BankAccount(
            account.bank_code, account.branch_code, account.account_type, account.account_number, account.holder_kana
        )
        try:
            done = services.apply(
                benefit, household_id=application.household_id, applied_on=applied_on, bank=bank, payee_id=resident_id
            )
        except services.BenefitError as exc:
            return ProcedureOutcome(None, errors=tuple((e.field, e.message, e.message_en) for e in exc.errors))
        return ProcedureOutcome(done.id)
