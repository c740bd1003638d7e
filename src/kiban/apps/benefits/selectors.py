"""Reads of benefits: definitions, the prefilled applications the portal shows, payment runs."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Application, Benefit, PaymentRun


def benefits() -> QuerySet[Benefit]:
    return Benefit.objects.order_by("-base_date", "code")


def benefit(code: str) -> Benefit | None:
    return Benefit.objects.filter(code=code).first()


def applications(
    benefit: Benefit, *, status: str = "", payee_id: int | None = None, household_id: int | None = None
) -> QuerySet[Application]:
    qs = Application.objects.filter(benefit=benefit).order_by("id")
    if status:
        qs = qs.filter(status=status)
    if payee_id is not None:
        qs = qs.filter(payee_id=payee_id)
    if household_id is not None:
        qs = qs.filter(household_id=household_id)
    return qs


def payment_run(benefit: Benefit, run_id: int) -> PaymentRun | None:
    return PaymentRun.objects.filter(benefit=benefit, id=run_id).first()
