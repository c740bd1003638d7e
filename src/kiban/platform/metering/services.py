"""Counting usage, month-end storage snapshots, and cost allocation."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from django.apps import apps
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from kiban.platform.tenants.catalog import municipalities
from kiban.platform.tenants.context import tenant_context
from kiban.platform.tenants.models import Tenant, TenantOwned

from .models import METRICS, Usage


def month_of(day: date) -> date:
    return day.replace(day=1)


def add(tenant_id: str, metric: str, amount: int = 1, *, day: date | None = None) -> None:
    """Add to a counter (in its own short transaction, so a hot counter is never locked for a whole request)."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}")
    month = month_of(day or timezone.localdate())
    with transaction.atomic(savepoint=False):
        updated = Usage.objects.filter(tenant_id=tenant_id, month=month, metric=metric).update(
            value=F("value") + amount
        )
        if not updated:
            Usage.objects.bulk_create(
                [Usage(tenant_id=tenant_id, month=month, metric=metric, value=0)], ignore_conflicts=True
            )
            Usage.objects.filter(tenant_id=tenant_id, month=month, metric=metric).update(value=F("value") + amount)


@contextmanager
def batch_cpu(tenant_id: str) -> Iterator[None]:
    """Count the CPU seconds of a batch run for a tenant (process time, rounded up to whole seconds)."""
    started = time.process_time()
    try:
        yield
    finally:
        add(tenant_id, "batch_cpu_seconds", max(1, round(time.process_time() - started)))


def _set(tenant_id: str, month: date, metric: str, value: int) -> None:
    Usage.objects.update_or_create(tenant_id=tenant_id, month=month, metric=metric, defaults={"value": value})


def snapshot_storage(tenant_id: str, month: date) -> tuple[int, int]:
    """Rows and bytes a tenant stores, counted inside its own context (RLS applies); PostgreSQL sizes rows with
    ``pg_column_size``, SQLite counts rows only."""
    rows = size = 0
    with tenant_context(tenant_id):
        for model in apps.get_models():
            if not issubclass(model, TenantOwned):
                continue
            rows += model.objects.count()
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f'SELECT coalesce(sum(pg_column_size(t.*)), 0) FROM "{model._meta.db_table}" t')
                    size += int(cursor.fetchone()[0])
    _set(tenant_id, month, "stored_rows", rows)
    _set(tenant_id, month, "stored_bytes", size)
    return rows, size


@dataclass(frozen=True)
class Rule:
    """How the month's platform cost is split. Shares are fractions of the total and must add up to 1."""

    fixed_share: Fraction
    per_resident_share: Fraction
    usage_share: Fraction
    usage_weights: Mapping[str, Fraction]  # metric -> weight within the usage share

    def __post_init__(self) -> None:
        if self.fixed_share + self.per_resident_share + self.usage_share != 1:
            raise ValueError("fixed_share + per_resident_share + usage_share must be 1")
        if any(s < 0 for s in (self.fixed_share, self.per_resident_share, self.usage_share)):
            raise ValueError("shares cannot be negative")
        unknown = set(self.usage_weights) - set(METRICS)
        if unknown:
            raise ValueError(f"unknown metrics in usage_weights: {sorted(unknown)}")
        if self.usage_share and sum(self.usage_weights.values()) != 1:
            raise ValueError("usage_weights must add up to 1")

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Rule:
        def frac(v: object) -> Fraction:
            return Fraction(str(v))

        weights = data.get("usage_weights", {})
        if not isinstance(weights, Mapping):
            raise ValueError("usage_weights must be an object of metric: weight")
        return cls(
            frac(data["fixed_share"]), frac(data["per_resident_share"]), frac(data["usage_share"]),
            {str(k): frac(v) for k, v in weights.items()},
        )  # fmt: skip

    def formula(self) -> str:
        usage = " + ".join(f"{w} × {m}_t / Σ {m}" for m, w in sorted(self.usage_weights.items()))
        return (
            f"cost_t = C × [ {self.fixed_share} × 1/N + {self.per_resident_share} × residents_t / Σ residents"
            f" + {self.usage_share} × ( {usage or '0'} ) ]"
        )


@dataclass(frozen=True)
class Allocation:
    tenant_id: str
    name: str
    residents: int
    usage: Mapping[str, int]
    amount_yen: int


def allocate(total_yen: int, month: date, rule: Rule) -> list[Allocation]:
    """Split ``total_yen`` over the provisioned tenants; integer yen, remainders by largest fraction, so the
    amounts add up to the total exactly."""
    if total_yen < 0:
        raise ValueError("the cost cannot be negative")
    tenants = list(Tenant.objects.filter(active=True).order_by("code"))
    if not tenants:
        raise ValueError("no tenants to allocate to")
    catalog = municipalities()
    residents = {t.code: catalog[t.code].population if t.code in catalog else 0 for t in tenants}
    usage: dict[str, dict[str, int]] = {t.code: {} for t in tenants}
    for u in Usage.objects.filter(month=month_of(month), tenant_id__in=usage):
        usage[u.tenant_id][u.metric] = u.value
    total_residents = sum(residents.values())
    totals = {m: sum(usage[t].get(m, 0) for t in usage) for m in rule.usage_weights}
    exact: dict[str, Fraction] = {}
    for t in tenants:
        share = rule.fixed_share / len(tenants)
        if total_residents:
            share += rule.per_resident_share * Fraction(residents[t.code], total_residents)
        else:
            share += rule.per_resident_share / len(tenants)
        for metric, weight in rule.usage_weights.items():
            if totals[metric]:
                share += rule.usage_share * weight * Fraction(usage[t.code].get(metric, 0), totals[metric])
            else:
                share += rule.usage_share * weight / len(tenants)
        exact[t.code] = share * total_yen
    amounts = {code: int(v) for code, v in exact.items()}  # floor (all non-negative)
    leftover = total_yen - sum(amounts.values())
    for code in sorted(exact, key=lambda c: (exact[c] - amounts[c], c), reverse=True)[:leftover]:
        amounts[code] += 1
    return [
        Allocation(t.code, f"{t.prefecture}{t.name}", residents[t.code], usage[t.code], amounts[t.code])
        for t in tenants
    ]


__all__ = ["Allocation", "Rule", "add", "allocate", "batch_cpu", "snapshot_storage"]
