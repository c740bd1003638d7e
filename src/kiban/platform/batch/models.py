"""Schedules of batch jobs and the log of their runs (住民記録システム標準仕様書 9.1 バッチ処理, j1280). Both are
tenant-owned, under row-level security like every tenant table."""

from __future__ import annotations

from datetime import datetime

from django.db import models

from kiban.platform.tenants.models import TenantOwned

from . import timing


class Schedule(TenantOwned):
    """When a job runs by itself (スケジュール管理による起動), with the parameter values it runs with."""

    class Kind(models.TextChoices):
        ONCE = timing.ONCE, "年月日時分指定 (once, on a date)"
        DAILY = timing.DAILY, "毎日 (daily)"
        WEEKLY = timing.WEEKLY, "毎週○曜日 (weekly)"
        MONTHLY = timing.MONTHLY, "毎月ＸＸ日 (monthly, on a day)"
        MONTH_END = timing.MONTH_END, "毎月末 (month end)"

    job = models.CharField("ジョブ", max_length=100)
    kind = models.CharField("起動方法", max_length=16, choices=Kind.choices)
    at_time = models.TimeField("時刻")
    on_date = models.DateField("年月日", null=True, blank=True)
    weekday = models.PositiveSmallIntegerField("曜日", null=True, blank=True, help_text="0 = Monday … 6 = Sunday")
    day = models.PositiveSmallIntegerField("日", null=True, blank=True)
    parameters = models.JSONField("パラメータ", default=dict)
    enabled = models.BooleanField("有効", default=True)
    next_due_at = models.DateTimeField("次回起動日時", null=True, blank=True)
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    changed_at = models.DateTimeField("更新日時", auto_now=True)
    changed_by = models.CharField("更新者", max_length=150)

    class Meta:
        indexes = [models.Index(fields=["tenant", "enabled", "next_due_at"], name="batch_schedule_due_idx")]

    def __str__(self) -> str:
        return f"{self.job} {self.kind} {self.at_time}"

    def compute_next_due(self, after: datetime) -> None:
        """Set ``next_due_at`` to the first due time after ``after`` (None when disabled or never again)."""
        self.next_due_at = (
            timing.next_due(self.kind, self.at_time, after, on=self.on_date, weekday=self.weekday, day=self.day)
            if self.enabled
            else None
        )

    def describe(self) -> str:
        """The schedule in words (Japanese), e.g. 毎週月曜日 02:00."""
        at = self.at_time.strftime("%H:%M")
        if self.kind == timing.ONCE and self.on_date is not None:
            return f"{self.on_date.isoformat()} {at}"
        if self.kind == timing.WEEKLY and self.weekday is not None:
            return f"毎週{timing.WEEKDAYS_JA[self.weekday]}曜日 {at}"
        if self.kind == timing.MONTHLY:
            return f"毎月{self.day}日 {at}"
        return f"{'毎日' if self.kind == timing.DAILY else '毎月末'} {at}"


class Run(TenantOwned):
    """One run of a job: what ran, with which parameters (and which of them differ from the previous run's), how it
    was started, where, how long, how it ended and, on an abnormal end, the error code of the OS or middleware
    (the exception class, the PostgreSQL SQLSTATE, the OS errno). Once ended the row is never changed again: a
    trigger refuses UPDATE and DELETE of an ended run (migration 0002)."""

    class Trigger(models.TextChoices):
        MANUAL = "manual", "直接起動 (started directly)"
        SCHEDULE = "schedule", "スケジュール起動 (by schedule)"

    class Status(models.TextChoices):
        QUEUED = "queued", "起動待ち (queued)"
        RUNNING = "running", "実行中 (running)"
        SUCCEEDED = "succeeded", "正常終了 (ended normally)"
        FAILED = "failed", "異常終了 (ended abnormally)"

    job = models.CharField("ジョブ", max_length=100)
    trigger = models.CharField("起動方法", max_length=16, choices=Trigger.choices)
    schedule = models.ForeignKey(
        Schedule, on_delete=models.PROTECT, db_constraint=False, null=True, blank=True, related_name="+"
    )
    parameters = models.JSONField("パラメータ", default=dict)
    changed_parameters = models.JSONField("前回から変更したパラメータ", default=list)
    previous_run_id = models.BigIntegerField("前回の実行", null=True, blank=True)
    requested_by = models.CharField("起動者", max_length=150)
    requested_at = models.DateTimeField("起動要求日時")
    due_at = models.DateTimeField("起動予定日時", null=True, blank=True, help_text="a scheduled run's due time")
    status = models.CharField("状態", max_length=16, choices=Status.choices)
    started_at = models.DateTimeField("開始日時", null=True, blank=True)
    ended_at = models.DateTimeField("終了日時", null=True, blank=True)
    duration_ms = models.BigIntegerField("処理時間（ミリ秒）", null=True, blank=True)
    host = models.CharField("処理端末", max_length=255, blank=True)
    pid = models.IntegerField("プロセスID", null=True, blank=True)
    error_code = models.CharField("エラーコード", max_length=200, blank=True)
    error_message = models.CharField("エラー内容", max_length=1000, blank=True)
    summary = models.CharField("処理結果", max_length=500, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "status", "id"], name="batch_run_status_idx"),
            models.Index(fields=["tenant", "job", "id"], name="batch_run_job_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.job} run {self.id} ({self.status})"

    @property
    def duration_text(self) -> str:
        if self.duration_ms is None:
            return ""
        seconds = self.duration_ms / 1000
        return f"{seconds:.1f}秒" if seconds < 60 else f"{int(seconds // 60)}分{int(seconds % 60)}秒"
