"""Row-level security on the batch tables, and triggers that refuse to change or delete a run once it has ended
(住民記録システム標準仕様書 9.1: 全てのバッチ処理の実行結果が出力されること — the run log is a record, kept as written).
A run may change while it is queued or running (its start and its end are written then), never after."""

from django.db import migrations

from kiban.platform.tenants.isolation import IsolateTenantTable, SealedOnceSet


class Migration(migrations.Migration):
    dependencies = [("batch", "0001_initial")]

    operations = [
        IsolateTenantTable("Schedule"),
        IsolateTenantTable("Run", tenant_fks=[("schedule_id", "batch_schedule")]),
        SealedOnceSet("Run", "ended_at"),
    ]
