"""Reads of the audit trail (for the current tenant)."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import AuditEntry


def page(after: int = 0, limit: int = 100) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(seq__gt=after).order_by("seq")[:limit]


def by_seq(seq: int) -> AuditEntry | None:
    return AuditEntry.objects.filter(seq=seq).first()
