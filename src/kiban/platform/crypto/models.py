"""Wrapped data keys, one per tenant (and per generation, so keys can be rotated)."""

from django.db import models

from kiban.platform.tenants.models import TenantOwned


class TenantDataKey(TenantOwned):
    """A tenant's data key, wrapped by the master key. Append-only: rotation adds a generation."""

    append_only = True

    generation = models.PositiveIntegerField("世代")
    wrapped = models.BinaryField("ラップ済み鍵")
    created_at = models.DateTimeField("作成日時", auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "generation"], name="tenant_data_key_generation")]
        verbose_name = "tenant data key (団体データ鍵)"

    def __str__(self) -> str:
        return f"{self.tenant_id} key generation {self.generation}"
