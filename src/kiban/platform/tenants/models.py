"""Tenants (municipalities) and the base class every tenant-owned model derives from."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from django.db import models

from .catalog import MunicipalityKind
from .context import current_tenant_id


class Tenant(models.Model):
    """A municipality using Kiban, keyed by its local government code (全国地方公共団体コード)."""

    code = models.CharField("地方公共団体コード", max_length=6, primary_key=True)
    prefecture_code = models.CharField("都道府県コード", max_length=2)
    prefecture = models.CharField("都道府県名", max_length=8)
    name = models.CharField("団体名", max_length=32)
    kana = models.CharField("団体名カナ", max_length=64)
    kind = models.CharField("区分", max_length=16, choices=[(k.value, k.label_ja) for k in MunicipalityKind])
    provisioned_at = models.DateTimeField("利用開始日時", auto_now_add=True)
    active = models.BooleanField("利用中", default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "tenant (地方公共団体)"

    def __str__(self) -> str:
        return f"{self.code} {self.prefecture}{self.name}"


class TenantScopedQuerySet(models.QuerySet):
    pass


class TenantScopedManager(models.Manager):
    """The only way code reads tenant data: every queryset is filtered to the current tenant.

    With no tenant context, building a queryset raises ``TenantContextMissing``; there is deliberately no
    unscoped manager on tenant-owned models.
    """

    def get_queryset(self) -> models.QuerySet:
        return TenantScopedQuerySet(self.model, using=self._db).filter(tenant_id=current_tenant_id())

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        """Like ``save()``: rows take the current tenant, and a row of another tenant is refused."""
        tenant_id = current_tenant_id()
        objs = list(objs)
        for obj in objs:
            obj.claim_for(tenant_id)
        return super().bulk_create(objs, *args, **kwargs)


class TenantOwned(models.Model):
    """Base for every tenant-owned table.

    ``tenant_id`` is part of the table's primary key and of every unique key; on PostgreSQL the migration
    operation ``kiban.platform.tenants.isolation.IsolateTenantTable`` makes it so and adds row-level security.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, editable=False, related_name="+", db_index=False)

    objects: ClassVar[TenantScopedManager] = TenantScopedManager()

    class Meta:
        abstract = True
        base_manager_name = "objects"
        default_manager_name = "objects"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.claim_for(current_tenant_id())
        super().save(*args, **kwargs)

    def claim_for(self, tenant_id: str) -> None:
        """Give a new row the current tenant; refuse a row that belongs to another."""
        if self.tenant_id is None:
            self.tenant_id = tenant_id
        elif self.tenant_id != tenant_id:
            raise PermissionError(f"refusing to write a row of tenant {self.tenant_id} in the context of {tenant_id}")
