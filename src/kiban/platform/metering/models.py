"""Usage counters: (tenant, month, metric) → value. A platform table: counts, no personal data."""

from __future__ import annotations

from django.db import models

METRICS = {
    "api_calls": "API calls (API呼出し)",
    "procedures": "procedures completed (手続)",
    "certificates": "certificates issued (証明書交付)",
    "stored_rows": "stored rows (保存行数, month-end snapshot)",
    "stored_bytes": "stored bytes (保存容量, month-end snapshot)",
    "batch_cpu_seconds": "batch CPU seconds (バッチCPU秒)",
}


class Usage(models.Model):
    tenant_id = models.CharField("地方公共団体コード", max_length=6)
    month = models.DateField("月")  # the first day of the month
    metric = models.CharField(max_length=32, choices=sorted(METRICS.items()))
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant_id", "month", "metric"], name="usage_unique")]

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.month:%Y-%m} {self.metric}={self.value}"
