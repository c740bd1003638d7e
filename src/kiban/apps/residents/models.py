"""Resident records (住民票)."""

from __future__ import annotations

from datetime import date

from django.db import models

from kiban.platform.tenants.models import TenantOwned


class Resident(TenantOwned):
    """A person recorded in the municipality's basic resident register (住民基本台帳法 7条)."""

    class Sex(models.TextChoices):
        # 住民記録システム標準仕様書 / 基本データリスト: 性別 1 男, 2 女
        MALE = "1", "男"
        FEMALE = "2", "女"

    family_name = models.CharField("氏", max_length=64)
    given_name = models.CharField("名", max_length=64)
    family_name_kana = models.CharField("氏カナ", max_length=128)
    given_name_kana = models.CharField("名カナ", max_length=128)
    birth_date = models.DateField("生年月日")
    sex = models.CharField("性別", max_length=1, choices=Sex.choices)
    address = models.CharField("住所", max_length=255)
    removed = models.BooleanField("消除", default=False)
    became_resident_on = models.DateField("住民となった年月日", null=True, blank=True)
    removed_on = models.DateField("消除日", null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "family_name_kana", "given_name_kana"], name="resident_kana_idx")]

    def __str__(self) -> str:
        return f"{self.family_name} {self.given_name}"

    def registered_on(self, day: date) -> bool:
        """Whether the person was a resident of the municipality on ``day`` (from moving in until removal)."""
        started = self.became_resident_on or self.birth_date
        return started <= day and (self.removed_on is None or day < self.removed_on)

    PERSONAL_FIELDS = (
        "family_name",
        "given_name",
        "family_name_kana",
        "given_name_kana",
        "birth_date",
        "sex",
        "address",
    )
    LIST_FIELDS = ("family_name", "given_name", "family_name_kana", "given_name_kana", "birth_date")
