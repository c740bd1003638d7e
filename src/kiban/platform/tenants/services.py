"""Writes on tenants: provisioning a municipality from the catalog."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from .catalog import Municipality, lookup
from .models import Tenant
from .signals import tenant_provisioned


class AlreadyProvisioned(ValueError):
    pass


def _tenant(entry: Municipality) -> Tenant:
    return Tenant(
        code=entry.code,
        prefecture_code=entry.prefecture_code,
        prefecture=entry.prefecture,
        name=entry.name,
        kana=entry.kana,
        kind=entry.kind.value,
    )


def provision(code: str) -> Tenant:
    """Create the tenant for municipality ``code`` (validated against the check digit and the catalog)."""
    entry = lookup(code)
    with transaction.atomic():
        if Tenant.objects.filter(code=code).exists():
            raise AlreadyProvisioned(f"{code} {entry.name} is already a tenant")
        tenant = _tenant(entry)
        tenant.save(force_insert=True)
        tenant_provisioned.send(sender=Tenant, tenant=tenant)
        return tenant


def provision_many(codes: Iterable[str]) -> int:
    """Provision every code not yet a tenant (all in one transaction); returns how many were created."""
    entries = [lookup(code) for code in codes]
    with transaction.atomic():
        existing = set(Tenant.objects.filter(code__in=[e.code for e in entries]).values_list("code", flat=True))
        new = [_tenant(e) for e in entries if e.code not in existing]
        Tenant.objects.bulk_create(new)
        for tenant in new:
            tenant_provisioned.send(sender=Tenant, tenant=tenant)
    return len(new)
