"""A one-off benefit (``Benefit``), its households (``Application``: prefilled for the portal, then applied and
paid) and its payment runs (``PaymentRun`` with the Zengin file as written).

The definition is data (a row, usually loaded from a YAML file in ``definitions/``): who counts (registered on
the base date, optional age range on that date, household conditions), how much (per person or per household),
to whom (the householder), when (application window), and whether it is paid without application (push-style).
"""

from __future__ import annotations

from django.db import models

from kiban.platform.tenants.models import TenantOwned


class Benefit(TenantOwned):
    class Per(models.TextChoices):
        PERSON = "person", "1人当たり"
        HOUSEHOLD = "household", "1世帯当たり"

    code = models.SlugField("給付金コード", max_length=64, db_index=False)  # unique with the tenant: indexed there
    name = models.CharField("名称", max_length=128)
    reference = models.CharField("根拠（実施要領等）", max_length=500, blank=True)
    base_date = models.DateField("基準日")
    min_age = models.PositiveSmallIntegerField("対象年齢（下限、基準日時点）", null=True, blank=True)
    max_age = models.PositiveSmallIntegerField("対象年齢（上限、基準日時点）", null=True, blank=True)
    household_min_eligible = models.PositiveSmallIntegerField("世帯の対象者数（下限）", default=1)
    household_max_members = models.PositiveSmallIntegerField("世帯人員（上限）", null=True, blank=True)
    per = models.CharField("給付単位", max_length=10, choices=Per.choices)
    amount = models.BigIntegerField("給付額（円）")
    application_opens = models.DateField("申請受付開始日")
    application_closes = models.DateField("申請期限")
    push = models.BooleanField("申請不要（プッシュ型）", default=False)
    # The account it is paid from (振込依頼人).
    requester_code = models.CharField("振込依頼人コード", max_length=10)
    requester_name_kana = models.CharField("振込依頼人名（カナ）", max_length=40)
    bank_code = models.CharField("金融機関コード", max_length=4)
    branch_code = models.CharField("店舗コード", max_length=3)
    account_type = models.CharField("預金種目", max_length=1)
    account_number = models.CharField("口座番号", max_length=7)
    prepared_at = models.DateTimeField("対象世帯抽出日時", null=True, blank=True)
    created_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        verbose_name = "benefit (給付金)"
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="benefit_code_unique")]


class Application(TenantOwned):
    """One eligible household: prefilled from the registry (what the portal shows), then applied and paid."""

    class Status(models.TextChoices):
        PREFILLED = "prefilled", "未申請"
        APPLIED = "applied", "申請済"
        PAID = "paid", "支給済"

    # Indexed by the unique key (tenant, benefit, household_id) below.
    benefit = models.ForeignKey(
        Benefit, models.PROTECT, db_constraint=False, db_index=False, related_name="applications"
    )
    household_id = models.BigIntegerField("世帯番号（基準日）")
    payee_id = models.BigIntegerField("受給権者（世帯主、住民ID）")
    eligible_count = models.PositiveIntegerField("対象者数")
    amount = models.BigIntegerField("給付額")
    status = models.CharField("状態", max_length=10, choices=Status.choices, default=Status.PREFILLED)
    applied_on = models.DateField("申請日", null=True, blank=True)
    # Not indexed: a payment run reads the applications by benefit, and the fewer indexes the cheaper the city-wide
    # status updates of apply and pay.
    run = models.ForeignKey(
        "PaymentRun", models.PROTECT, null=True, blank=True, db_constraint=False, db_index=False,
        related_name="applications",
    )  # fmt: skip

    class Meta:
        verbose_name = "application (申請)"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "benefit", "household_id"], name="benefit_one_per_household"),
        ]
        indexes = [
            models.Index(fields=["tenant", "benefit", "payee_id"], name="benefit_application_payee_idx"),
        ]


class Receipt(TenantOwned):
    """申請受付: what the household sent with its application (the account to pay into), appended once.

    Kept apart from the prefilled ``Application`` so that taking a day's applications is an INSERT of receipts and
    one UPDATE of statuses, and what was received is never overwritten."""

    # Indexed by the unique key (tenant, application) below.
    application = models.ForeignKey(
        Application, models.PROTECT, db_constraint=False, db_index=False, related_name="receipts"
    )
    applied_on = models.DateField("申請日")
    bank_code = models.CharField("金融機関コード", max_length=4)
    branch_code = models.CharField("店舗コード", max_length=3)
    account_type = models.CharField("預金種目", max_length=1)
    account_number = models.CharField("口座番号", max_length=7)
    account_holder_kana = models.CharField("口座名義（カナ）", max_length=30)
    received_at = models.DateTimeField("受付日時", auto_now_add=True)

    class Meta:
        verbose_name = "receipt (申請受付)"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "application"], name="benefit_one_receipt_per_application")
        ]

    def __str__(self) -> str:
        return f"受付 {self.application_id}"


class PaymentRun(TenantOwned):
    benefit = models.ForeignKey(Benefit, models.PROTECT, db_constraint=False, related_name="runs")
    transfer_date = models.DateField("振込指定日")
    count = models.PositiveIntegerField("件数")
    total = models.BigIntegerField("合計金額")
    file = models.BinaryField("全銀ファイル")
    created_at = models.DateTimeField("作成日時", auto_now_add=True)

    class Meta:
        verbose_name = "payment run (支払処理)"
