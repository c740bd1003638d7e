"""Accounts: municipal staff (one municipality each) and platform operators (no municipality)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from kiban.platform.tenants.models import Tenant

from . import roles


class User(AbstractUser):
    """A person who signs in to Kiban.

    Municipal staff (職員) belong to exactly one tenant; platform operators (プラットフォーム運用者) belong to none
    and hold only platform roles. Django's ``is_staff`` flag (admin site access) is for operators only.
    """

    tenant = models.ForeignKey(
        Tenant, verbose_name="所属団体", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    # A resident signing in at the demo identity provider (kiban.idp): neither staff nor operator, no roles.
    is_citizen = models.BooleanField("住民（認証用）", default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(tenant__isnull=True) | models.Q(is_staff=False, is_superuser=False),
                name="municipal_staff_are_not_platform_admins",
            ),
            models.CheckConstraint(
                condition=models.Q(is_citizen=False)
                | models.Q(tenant__isnull=True, is_staff=False, is_superuser=False),
                name="citizens_are_neither_staff_nor_operators",
            ),
        ]

    @property
    def is_operator(self) -> bool:
        return self.tenant_id is None and not self.is_citizen

    def role_codes(self) -> frozenset[str]:
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            cached = frozenset(self.role_assignments.values_list("role", flat=True))
            self._role_codes = cached
        return cached

    def has_role(self, code: str) -> bool:
        return self.is_active and code in self.role_codes()


class RoleAssignment(models.Model):
    """A role held by a user. Platform roles only for operators; business roles only for municipal staff."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField("役割", max_length=64)
    granted_at = models.DateTimeField(auto_now_add=True)
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="one_assignment_per_role")]

    def __str__(self) -> str:
        return f"{self.user} {self.role}"

    def clean(self) -> None:
        role = roles.get(self.role)
        if role.platform != self.user.is_operator:
            raise ValidationError(
                f"role {role.code} is for {'platform operators' if role.platform else 'municipal staff'} only"
            )


class ClientGrant(models.Model):
    """A municipality's choice of a machine client (another vendor's system) for one business.

    An OAuth 2.0 client (django-oauth-toolkit ``Application``, client-credentials grant) may act for a tenant
    only through such a grant, and only with the scopes of that business.
    """

    application = models.ForeignKey("oauth2_provider.Application", on_delete=models.CASCADE, related_name="grants")
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="client_grants")
    business = models.CharField("業務", max_length=64)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "tenant", "business"], name="one_grant_per_business")
        ]

    def __str__(self) -> str:
        return f"{self.application} → {self.tenant_id} ({self.business})"
