"""Identities the demo provider asserts (the 基本4情報 as read from a My Number Card)."""

from django.conf import settings
from django.db import models


class DemoIdentity(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="identity")
    family_name = models.CharField("氏", max_length=64)
    given_name = models.CharField("名", max_length=64)
    birth_date = models.DateField("生年月日")
    sex = models.CharField("性別", max_length=1)  # 1 male, 2 female (ISO 5218)
    address = models.CharField("住所", max_length=255)

    class Meta:
        verbose_name = "demo identity (認証用の本人情報)"

    def __str__(self) -> str:
        return f"{self.family_name} {self.given_name}"

    def claims(self) -> dict[str, object]:
        return {
            "name": f"{self.family_name} {self.given_name}",
            "family_name": self.family_name,
            "given_name": self.given_name,
            "birthdate": self.birth_date.isoformat(),
            "gender": {"1": "male", "2": "female"}.get(self.sex, "other"),
            "address": {"formatted": self.address},
        }
