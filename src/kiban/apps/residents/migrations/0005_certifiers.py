"""Certifiers (認証者, 標準仕様書 j310), the stored member order of households (j1010) and moving-out certificates
(転出証明書, j660); row-level security like the other tenant tables; member orders and moving-out certificates are
append-only (the trigger function of 0002_isolation)."""

import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models

from kiban.platform.tenants.isolation import AppendOnlyTable, IsolateTenantTable


class Migration(migrations.Migration):
    dependencies = [
        ("residents", "0004_certificate_isolation"),
        ("tenants", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Certifier",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "ward_code",
                    models.CharField(blank=True, default="", max_length=6, verbose_name="区（指定都市の区のコード）"),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[("mayor", "市区町村長（区長）"), ("deputy", "職務代理者")],
                        max_length=8,
                        verbose_name="区分",
                    ),
                ),
                ("title", models.CharField(max_length=64, verbose_name="職名")),
                ("name", models.CharField(max_length=64, verbose_name="氏名")),
                ("starts_on", models.DateField(verbose_name="開始日")),
                ("ends_on", models.DateField(blank=True, null=True, verbose_name="終了日")),
                ("recorded_by", models.CharField(max_length=150, verbose_name="登録者")),
                ("recorded_at", models.DateTimeField(auto_now_add=True, verbose_name="登録日時")),
                ("withdrawn_at", models.DateTimeField(blank=True, null=True, verbose_name="取消日時")),
                ("withdrawn_by", models.CharField(blank=True, default="", max_length=150, verbose_name="取消者")),
                (
                    "tenant",
                    models.ForeignKey(
                        db_index=False,
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="tenants.tenant",
                    ),
                ),
            ],
            options={
                "verbose_name": "certifier (認証者)",
                "indexes": [models.Index(fields=["tenant", "ward_code", "starts_on"], name="certifier_ward_start_idx")],
                "constraints": [
                    models.CheckConstraint(
                        condition=django.db.models.lookups.GreaterThan(
                            django.db.models.functions.text.Length(django.db.models.functions.text.Trim("name")), 0
                        ),
                        name="certifier_name_not_blank",
                    ),
                    models.CheckConstraint(
                        condition=django.db.models.lookups.GreaterThan(
                            django.db.models.functions.text.Length(django.db.models.functions.text.Trim("title")), 0
                        ),
                        name="certifier_title_not_blank",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("role", "mayor"), ("ends_on__isnull", False), _connector="OR"),
                        name="certifier_deputy_has_period",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("ends_on__isnull", True), ("ends_on__gte", models.F("starts_on")), _connector="OR"
                        ),
                        name="certifier_period_in_order",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="HouseholdMemberOrder",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("resident_ids", models.JSONField(verbose_name="並び順（宛名番号）")),
                ("set_by", models.CharField(max_length=150, verbose_name="設定者")),
                ("set_at", models.DateTimeField(auto_now_add=True, verbose_name="設定日時")),
                (
                    "household",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="member_orders",
                        to="residents.household",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        db_index=False,
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="tenants.tenant",
                    ),
                ),
            ],
            options={
                "verbose_name": "household member order (世帯員の並び順)",
                "indexes": [models.Index(fields=["tenant", "household"], name="member_order_household_idx")],
            },
        ),
        migrations.CreateModel(
            name="MoveOutCertificate",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("move_out", "転出証明書"), ("move_out_equivalent", "転出証明書に準ずる証明書")],
                        max_length=24,
                        verbose_name="種別",
                    ),
                ),
                ("resident_ids", models.JSONField(verbose_name="対象者")),
                ("content", models.JSONField(verbose_name="記載内容（当初発行時）")),
                ("issue_number", models.CharField(max_length=32, verbose_name="発行番号")),
                ("verification_code", models.CharField(max_length=40, verbose_name="確認コード")),
                ("sha256", models.CharField(max_length=64, verbose_name="PDFのSHA-256")),
                ("issued_on", models.DateField(verbose_name="発行日")),
                ("issued_by", models.CharField(max_length=150, verbose_name="発行者")),
                ("issued_at", models.DateTimeField(auto_now_add=True, verbose_name="発行日時")),
                (
                    "procedure",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="move_out_certificates",
                        to="residents.procedure",
                    ),
                ),
                (
                    "reissue_of",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reissues",
                        to="residents.moveoutcertificate",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        db_index=False,
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="tenants.tenant",
                    ),
                ),
            ],
            options={
                "verbose_name": "moving-out certificate (転出証明書)",
                "indexes": [models.Index(fields=["tenant", "procedure"], name="move_out_cert_procedure_idx")],
                "constraints": [
                    models.UniqueConstraint(fields=("tenant", "issue_number"), name="move_out_cert_number_unique"),
                    models.UniqueConstraint(fields=("tenant", "verification_code"), name="move_out_cert_code_unique"),
                ],
            },
        ),
        IsolateTenantTable("Certifier"),
        IsolateTenantTable("HouseholdMemberOrder", tenant_fks=[("household_id", "residents_household")]),
        IsolateTenantTable(
            "MoveOutCertificate",
            tenant_fks=[("procedure_id", "residents_procedure"), ("reissue_of_id", "residents_moveoutcertificate")],
        ),
        AppendOnlyTable("HouseholdMemberOrder", function="kiban_residents_append_only"),
        AppendOnlyTable("MoveOutCertificate", function="kiban_residents_append_only"),
    ]
