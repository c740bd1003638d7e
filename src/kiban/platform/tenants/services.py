"""Writes on tenants: provisioning a municipality from the catalog."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from .catalog import lookup
from .models import Tenant


class AlreadyProvisioned(ValueError):
    pass


def provision(code: str) -> Tenant:
    """Create the tenant for municipality ``code`` (validated against the check digit and the catalog)."""
    entry = lookup(code)
    with transaction.atomic():
        if Tenant.objects.filter(code=code).exists():
            raise AlreadyProvisioned(f"{code} {entry.name} is already a tenant")
        return Tenant.objects.create(
            code=entry.code,
            prefecture_code=entry.prefecture_code,
            prefecture=entry.prefecture,
            name=entry.name,
            kana=entry.kana,
            kind=entry.kind.value,
        )


def provision_many(codes: Iterable[str]) -> int:
    """Provision every code not yet a tenant (all in one transaction); returns how many were created."""
    entries = [lookup(code) for code in codes]
    with transaction.atomic():
        existing = set(Tenant.objects.filter(code__in=[e.code for e in entries]).values_list("code", flat=True))
        new = [
            Tenant(
                code=e.code,
                prefecture_code=e.prefecture_code,
                prefecture=e.prefecture,
                name=e.name,
                kana=e.kana,
                kind=e.kind.value,
            )
            for e in entries
            if e.code not in existing
        ]
        Tenant.objects.bulk_create(new)
    return len(new)
