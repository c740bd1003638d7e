"""Online procedures (オンライン申請) and their electronic approval (電子決裁).

A submission moves draft → submitted → drafted (a clerk reviewed it and drafted the decision, 起案) → approved
(a supervisor decided, 決裁; the registry was updated through its contract) or rejected (with a reason the resident
reads). Every step is a ``SubmissionStep`` row (append-only), so the status page shows the whole history.
"""

from __future__ import annotations

from django.db import models

from kiban.platform.tenants.models import TenantOwned


class Submission(TenantOwned):
    class Status(models.TextChoices):
        DRAFT = "draft", "下書き"
        SUBMITTED = "submitted", "受付待ち"
        DRAFTED = "drafted", "決裁待ち"
        APPROVED = "approved", "完了"
        REJECTED = "rejected", "差戻し・却下"

    procedure = models.CharField("手続", max_length=32)
    resident_id = models.BigIntegerField("申請者（住民ID）")
    subject = models.CharField("申請者の識別子 (sub)", max_length=255)
    status = models.CharField("状態", max_length=10, choices=Status.choices, default=Status.DRAFT)
    data = models.JSONField("入力内容", default=dict)
    prefill = models.JSONField("既にある情報（再入力不要）", default=dict)
    reason = models.CharField("却下の理由", max_length=500, blank=True)
    request_id = models.CharField("要求ID", max_length=64)
    assisted_by = models.CharField("代理入力した職員", max_length=150, blank=True)
    outcome = models.JSONField("処理結果", default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "status", "created_at"], name="submission_queue_idx")]
        constraints = [models.UniqueConstraint(fields=["tenant", "request_id"], name="submission_request_unique")]
        verbose_name = "online submission (オンライン申請)"

    def __str__(self) -> str:
        return f"{self.procedure} #{self.pk} ({self.status})"


class SubmissionStep(TenantOwned):
    append_only = True

    submission = models.ForeignKey(Submission, models.PROTECT, db_constraint=False, related_name="steps")
    status = models.CharField("状態", max_length=10, choices=Submission.Status.choices)
    actor = models.CharField("操作者", max_length=150)
    note = models.CharField("メモ", max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "submission step (処理経過)"

    def __str__(self) -> str:
        return f"{self.submission_id} → {self.status}"
