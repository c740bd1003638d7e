"""The audit log: one hash chain per tenant."""

from __future__ import annotations

from django.db import models

from kiban.platform.tenants.models import TenantOwned

GENESIS_HASH = "0" * 64


class AuditEntry(TenantOwned):
    """One audited action. Append-only: the application's database role cannot UPDATE or DELETE these rows
    (no grant, and a trigger refuses it for every role), and each entry's ``hash`` is an HMAC over its content
    and the previous entry's hash, so a change made around those guards is found by ``kiban audit verify``.
    """

    append_only = True

    seq = models.BigIntegerField("通番")
    at = models.DateTimeField("日時")
    actor_kind = models.CharField("操作者区分", max_length=16)
    actor = models.CharField("操作者", max_length=150)
    on_behalf_of = models.CharField("代理対象", max_length=150, blank=True)
    action = models.CharField("操作", max_length=64)
    object_type = models.CharField("対象種別", max_length=64, blank=True)
    object_id = models.CharField("対象ID", max_length=64, blank=True)
    fields_read = models.JSONField("参照項目", default=list)
    purpose = models.CharField("利用目的", max_length=200, blank=True)
    request_id = models.CharField("リクエストID", max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "seq"], name="audit_seq_unique_per_tenant")]
        ordering = ["seq"]
        verbose_name = "audit entry (監査証跡)"


class AuditChainHead(TenantOwned):
    """The last entry of a tenant's chain; locked while appending, so entries are chained in commit order,
    and compared by ``verify`` to find entries cut from the end."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant"], name="audit_head_one_per_tenant")]
