"""Writes on accounts: creating staff and operators, assigning roles, enrolling TOTP devices."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from kiban.platform.tenants.models import Tenant

from . import roles
from .models import RoleAssignment, User

# What operators administer on the admin site: tenants, accounts and roles, machine clients. Never a business
# app's data (and no tenant-owned model is registered on the admin site at all).
OPERATOR_ADMIN_APPS = ("tenants", "accounts", "oauth2_provider")


@transaction.atomic
def create_staff(tenant: Tenant, username: str, password: str, role_codes: list[str], **fields: str) -> User:
    """A municipal staff account with the given business roles (none by default: least privilege)."""
    for code in role_codes:
        if roles.get(code).platform:
            raise ValueError(f"{code} is a platform role; municipal staff cannot hold it")
    user = User(username=username, tenant=tenant, **fields)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    RoleAssignment.objects.bulk_create(RoleAssignment(user=user, role=code) for code in role_codes)
    return user


@transaction.atomic
def create_operator(username: str, password: str, **fields: str) -> User:
    """A platform operator: admin site access for tenants, apps and metrics; no tenant, no business role."""
    user = User(username=username, tenant=None, is_staff=True, **fields)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    RoleAssignment.objects.create(user=user, role=roles.PLATFORM_OPERATOR.code)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label__in=OPERATOR_ADMIN_APPS))
    return user


def enroll_totp(user: User, name: str = "default") -> TOTPDevice:
    """Create a confirmed TOTP device (RFC 6238, 30 s, 6 digits) for the user."""
    return TOTPDevice.objects.create(user=user, name=name, confirmed=True)
