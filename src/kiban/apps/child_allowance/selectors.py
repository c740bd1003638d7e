"""Reads of child allowance records (constant query counts for lists: revisions are prefetched)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import PaymentRun, Prompt, Recognition, Revision


def recognitions(status: str = "") -> QuerySet[Recognition]:
    qs = Recognition.objects.order_by("id").prefetch_related(
        Prefetch("revisions", queryset=Revision.objects.order_by("seq"))
    )
    return qs.filter(status=status) if status else qs


def recognition(recognition_id: int) -> Recognition | None:
    return recognitions().filter(id=recognition_id).first()


def open_prompts() -> QuerySet[Prompt]:
    return Prompt.objects.filter(status=Prompt.Status.OPEN).order_by("id")


def payment_run(run_id: int) -> PaymentRun | None:
    return PaymentRun.objects.filter(id=run_id).first()


def payment_runs() -> QuerySet[PaymentRun]:
    return PaymentRun.objects.defer("file").order_by("-id")
