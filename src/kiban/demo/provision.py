"""Provision the demo municipality: tenant, staff with TOTP, an operator, a machine client, sample residents."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from oauth2_provider.models import Application

from kiban.apps.residents.permissions import CLERK, SUPERVISOR
from kiban.apps.residents.sample import create_sample_residents, ensure_demo_certifier
from kiban.idp.services import create_identity, register_portal_client
from kiban.platform.accounts import roles
from kiban.platform.accounts.models import ClientGrant, User
from kiban.platform.accounts.services import create_operator, create_staff
from kiban.platform.audit.actor import Actor, acting_as
from kiban.platform.tenants.context import tenant_context
from kiban.platform.tenants.models import Tenant
from kiban.platform.tenants.services import provision

DEMO_TENANT = "131016"  # 東京都千代田区
DEMO_PASSWORD = "kiban-demo-2026"
DEMO_CLIENT_ID = "demo-child-allowance-vendor"
DEMO_CLIENT_SECRET = "demo-client-secret-not-for-production"
PORTAL_CLIENT_ID = "kiban-portal"
PORTAL_CLIENT_SECRET = "kiban-portal-demo-secret"
# Fixed TOTP secrets so that a demo can be followed from this page; real accounts get random ones.
_DEMO_KEYS = {
    "operator": "3132333435363738393031323334353637383930",
    "chiyoda.clerk": "4142434445464748494a4b4c4d4e4f5051525354",
    "chiyoda.supervisor": "6162636465666768696a6b6c6d6e6f7071727374",
    "chiyoda.auditor": "2122232425262728292a2b2c2d2e2f3031323334",
}
_STAFF_ROLES = {
    "chiyoda.clerk": [CLERK.code],
    "chiyoda.supervisor": [CLERK.code, SUPERVISOR.code],
    "chiyoda.auditor": [roles.AUDITOR.code],
}


@dataclass
class DemoAccount:
    username: str
    description: str
    otpauth_uri: str


def totp_now(username: str) -> str:
    # Only the fixed demo devices: this must never print a code of a real account.
    device = TOTPDevice.objects.get(user__username=username, name="demo", key=_DEMO_KEYS[username])
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


@transaction.atomic
def provision_demo(residents: int = 3000, addrport: str = "127.0.0.1:8000") -> list[DemoAccount]:
    tenant = Tenant.objects.filter(code=DEMO_TENANT).first() or provision(DEMO_TENANT)
    if not User.objects.filter(username="operator").exists():
        create_operator("operator", DEMO_PASSWORD)
    for username, role_codes in _STAFF_ROLES.items():
        if not User.objects.filter(username=username).exists():
            create_staff(tenant, username, DEMO_PASSWORD, role_codes)
    accounts = []
    for username, key in _DEMO_KEYS.items():
        user = User.objects.get(username=username)
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="demo", defaults={"key": key, "confirmed": True})
        what = (
            "platform operator (admin site; no resident data)"
            if user.is_operator
            else ", ".join(roles.get(c).label_en for c in sorted(user.role_codes()))
        )
        accounts.append(DemoAccount(username, what, device.config_url))
    app = Application.objects.filter(client_id=DEMO_CLIENT_ID).first()
    if app is None:
        app = Application.objects.create(
            name="Demo vendor system (child allowance)",
            client_id=DEMO_CLIENT_ID,
            client_secret=DEMO_CLIENT_SECRET,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        )
        ClientGrant.objects.create(application=app, tenant=tenant, business="residents")
    with acting_as(Actor("system", "demo")), tenant_context(tenant.code):
        from kiban.apps.residents.models import Resident

        missing = residents - Resident.objects.count()
        if missing > 0:
            create_sample_residents(missing, f"{tenant.prefecture}{tenant.name}千代田")
        ensure_demo_certifier()  # also for a demo database made before certifiers existed
        from kiban.apps.residents import address_dictionary
        from kiban.apps.residents.models import AddressEntry

        if not AddressEntry.objects.exists():
            address_dictionary.refresh(timezone.localdate())
        # The demo municipality's child allowance follows the registry through the standard subscription.
        from kiban.apps.child_allowance.services import subscribe_to_registry

        subscribe_to_registry()
        citizens = list(Resident.objects.select_related("household").filter(relationship="世帯主").order_by("id")[:2])
    register_portal_client(PORTAL_CLIENT_ID, PORTAL_CLIENT_SECRET, f"http://{addrport}/portal/callback/")
    for n, person in enumerate(citizens, start=1):
        username = f"citizen{n}"
        if not User.objects.filter(username=username).exists():
            create_identity(
                username,
                DEMO_PASSWORD,
                family_name=person.family_name,
                given_name=person.given_name,
                birth_date=person.birth_date,
                sex=person.sex,
                address=person.household.address,
            )
        accounts.append(
            DemoAccount(username, f"resident {person.family_name} {person.given_name} (portal, demo IdP)", "")
        )
    return accounts
