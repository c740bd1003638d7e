"""児童手当 records: application prompts, recognitions (認定) with their amount history (額改定), payments.

Nothing is overwritten: a recognition's children and amounts live in ``Revision`` rows appended at 認定 and at
each 額改定 (effective from a month); the recognition row itself changes only when it ends (status, last month).
A payment (``Payment``) is one recognition paid in one 支払期月, written once with the months it covers, and
grouped with the others of its run (``PaymentRun``) whose Zengin transfer file is kept as written.

People are referred to by their resident ids in the registry (read through kiban.standard.contracts); this app
keeps no copy of names or addresses, except the bank account holder's kana that the resident gave us.
"""

from __future__ import annotations

from django.db import models

from kiban.platform.tenants.models import TenantOwned


class BankAccountFields(models.Model):
    """The account the allowance is paid into (支払口座), as given with the application."""

    bank_code = models.CharField("金融機関コード", max_length=4)
    branch_code = models.CharField("店舗コード", max_length=3)
    account_type = models.CharField("預金種目", max_length=1)  # 1 普通, 2 当座, 4 貯蓄, 9 その他
    account_number = models.CharField("口座番号", max_length=7)
    account_holder_kana = models.CharField("口座名義（カナ）", max_length=30)  # half-width, as in the file

    class Meta:
        abstract = True


class Prompt(TenantOwned):
    """認定請求の勧奨: a birth in a household with no recognition; the householder is invited to apply.

    Created by the registry event handler (one per event: ``event_id`` makes redelivery harmless)."""

    class Status(models.TextChoices):
        OPEN = "open", "勧奨中"
        APPLIED = "applied", "請求済"

    event_id = models.UUIDField("契機となった異動イベント")
    household_id = models.BigIntegerField("世帯番号")
    householder_id = models.BigIntegerField("世帯主（住民ID）")
    child_id = models.BigIntegerField("出生した児童（住民ID）")
    event_on = models.DateField("出生日")
    status = models.CharField("状態", max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField("作成日時", auto_now_add=True)

    class Meta:
        verbose_name = "application prompt (認定請求の勧奨)"
        constraints = [models.UniqueConstraint(fields=["tenant", "event_id"], name="ca_prompt_event_unique")]
        indexes = [models.Index(fields=["tenant", "status"], name="ca_prompt_status_idx")]


class Recognition(TenantOwned, BankAccountFields):
    """認定 (児童手当法 7条): the recipient (受給者) is recognised for the children they bring up.

    Paid from ``first_month`` (8条2項: the month after the application, or after the birth/move if applied
    within 15 days, 8条3項) to ``last_month`` once the reason ceased (事由消滅月)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "認定中"
        ENDED = "ended", "消滅"

    recipient_id = models.BigIntegerField("受給者（住民ID）")
    household_id = models.BigIntegerField("申請時の世帯番号")
    applied_on = models.DateField("認定請求日")
    event_on = models.DateField("出生・転入等の日", null=True, blank=True)
    recognized_on = models.DateField("認定日")
    first_month = models.DateField("支給開始月")
    status = models.CharField("状態", max_length=10, choices=Status.choices, default=Status.ACTIVE)
    last_month = models.DateField("支給終了月（事由消滅月）", null=True, blank=True)
    ended_reason = models.CharField("消滅事由", max_length=32, blank=True)
    # Only for months before 2024-10 (所得制限, 児童手当法 5条 as then in force).
    income = models.BigIntegerField("所得額（2024年9月分まで）", null=True, blank=True)
    dependants = models.PositiveSmallIntegerField("扶養親族等の数", default=0)
    prompt = models.ForeignKey(Prompt, models.PROTECT, null=True, blank=True, db_constraint=False, related_name="+")
    created_at = models.DateTimeField("作成日時", auto_now_add=True)

    class Meta:
        verbose_name = "recognition (認定)"
        constraints = [
            # One recognition in force per recipient: a second application is a 額改定, not a new 認定.
            models.UniqueConstraint(
                fields=["tenant", "recipient_id"],
                condition=models.Q(status="active"),
                name="ca_one_active_per_recipient",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "status"], name="ca_recognition_status_idx")]

    def __str__(self) -> str:
        return f"認定 {self.number}"

    @property
    def number(self) -> str:
        """認定番号 as printed."""
        return f"{self.id:08d}"


class Revision(TenantOwned):
    """The children of a recognition from ``effective_month`` on (認定, 額改定 増額/減額, 消滅), appended only.

    ``children`` is the full list in force: ``[{"resident_id", "birth_date", "supported"}]``, oldest first.
    ``monthly_total`` is the amount for ``effective_month`` as computed when the row was written (for the notice);
    payments recompute each month from the children and the rules."""

    class Kind(models.TextChoices):
        RECOGNITION = "認定", "認定"
        INCREASE = "額改定（増額）", "額改定（増額）"
        DECREASE = "額改定（減額）", "額改定（減額）"
        ENDED = "消滅", "消滅"

    recognition = models.ForeignKey(  # indexed with the tenant (Meta), as every query reads it
        Recognition, models.PROTECT, db_constraint=False, db_index=False, related_name="revisions"
    )
    seq = models.PositiveIntegerField("版")
    kind = models.CharField("区分", max_length=16, choices=Kind.choices)
    effective_month = models.DateField("適用月")
    reason = models.CharField("事由", max_length=64)
    children = models.JSONField("対象児童", default=list)
    monthly_total = models.BigIntegerField("月額（適用月）", default=0)
    event_id = models.UUIDField("契機となった異動イベント", null=True, blank=True)
    created_at = models.DateTimeField("作成日時", auto_now_add=True)

    class Meta:
        verbose_name = "revision (額改定履歴)"
        ordering = ["recognition_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "recognition", "seq"], name="ca_revision_seq_unique"),
            models.UniqueConstraint(
                fields=["tenant", "recognition", "event_id"], condition=models.Q(event_id__isnull=False),
                name="ca_revision_event_unique",
            ),
        ]  # fmt: skip


class PayerAccount(TenantOwned):
    """The municipality's account the allowance is paid from and its bank contract (委託者コード).

    Appended: the newest row is in force."""

    requester_code = models.CharField("振込依頼人コード", max_length=10)
    requester_name_kana = models.CharField("振込依頼人名（カナ）", max_length=40)
    bank_code = models.CharField("金融機関コード", max_length=4)
    branch_code = models.CharField("店舗コード", max_length=3)
    account_type = models.CharField("預金種目", max_length=1)
    account_number = models.CharField("口座番号", max_length=7)
    created_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        verbose_name = "payer account (支払口座)"


class PaymentRun(TenantOwned):
    """One run of a 支払期月: the payments it created and their Zengin file (kept as written)."""

    payment_month = models.DateField("支払期月")
    transfer_date = models.DateField("振込指定日")
    months = models.JSONField("支払対象月", default=list)
    count = models.PositiveIntegerField("件数")
    total = models.BigIntegerField("合計金額")
    file = models.BinaryField("全銀ファイル")
    created_at = models.DateTimeField("作成日時", auto_now_add=True)

    class Meta:
        verbose_name = "payment run (支払処理)"


class Payment(TenantOwned, BankAccountFields):
    """One recognition paid in one 支払期月 (児童手当法 8条4項), with the months it covers and their amounts."""

    recognition = models.ForeignKey(  # indexed with the tenant (Meta), as every query reads it
        Recognition, models.PROTECT, db_constraint=False, db_index=False, related_name="payments"
    )
    run = models.ForeignKey(PaymentRun, models.PROTECT, db_constraint=False, related_name="payments")
    payment_month = models.DateField("支払期月")
    amount = models.BigIntegerField("支払額")
    breakdown = models.JSONField("月別内訳", default=dict)  # {"2024-06": 30000, ...}

    class Meta:
        verbose_name = "payment (支払)"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "recognition", "payment_month"], name="ca_one_payment_per_month"),
        ]

    def __str__(self) -> str:
        return f"支払 {self.recognition_id} {self.payment_month:%Y-%m}"
