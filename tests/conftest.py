"""Test set-up shared by the whole suite.

On PostgreSQL the test database is created and migrated through the ``owner`` alias (the role that owns the
tables), and the application's ``default`` alias then connects to it as the unprivileged application role, as
in production, so row-level security and the audit grants are really exercised. On SQLite Django's usual set-up
applies and PostgreSQL-only tests are skipped with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django_otp.oath import TOTP

ON_POSTGRES = "owner" in settings.DATABASES
PASSWORD = "correct-horse-battery-staple-42"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if ON_POSTGRES:
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL (row-level security, roles, grants); run with DATABASE_URL=postgres://..."
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment: Any, django_db_blocker: Any) -> Iterator[None]:
    from django.test.utils import setup_databases, teardown_databases

    if not ON_POSTGRES:
        with django_db_blocker.unblock():
            config = setup_databases(verbosity=0, interactive=False, keepdb=False, serialized_aliases=[])
        yield
        with django_db_blocker.unblock():
            teardown_databases(config, verbosity=0)
        return
    with django_db_blocker.unblock():
        owner = connections["owner"]
        original_name = owner.settings_dict["NAME"]
        test_name = owner.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        for alias in ("default", "import"):  # the application's and the standard import's roles
            connections[alias].close()
            connections[alias].settings_dict["NAME"] = test_name
            settings.DATABASES[alias]["NAME"] = test_name
    yield
    with django_db_blocker.unblock():
        connections["default"].close()
        connections["import"].close()
        owner.creation.destroy_test_db(original_name, verbosity=0)


def _wipe_committed() -> None:
    """Remove committed test rows (as the owner, triggers off: only a superuser test harness may do this)."""
    keep = {"django_migrations", "django_content_type", "auth_permission", "auth_group", "auth_group_permissions"}
    if ON_POSTGRES:
        with connections["owner"].cursor() as cursor:
            tables = [
                t for t in connections["owner"].introspection.django_table_names(only_existing=True) if t not in keep
            ]
            cursor.execute("SET session_replication_role = replica")
            cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")
            cursor.execute("SET session_replication_role = DEFAULT")
    else:
        raise RuntimeError("committed_db is for PostgreSQL tests")


@pytest.fixture
def committed_db(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """Real commits (for tests that use a second connection); everything is wiped afterwards."""
    with django_db_blocker.unblock():
        try:
            yield
        finally:
            for c in connections.all():
                c.close()
            _wipe_committed()


@pytest.fixture
def kiban_server(committed_db: None, settings: Any) -> Iterator[str]:
    """A real HTTP server on a free port over committed PostgreSQL data (for protocols that call back into Kiban,
    such as OpenID Connect between the portal and the provider). Cookies are not marked Secure (plain HTTP)."""
    from django.test.testcases import LiveServerThread, _StaticFilesHandler

    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    thread = LiveServerThread("127.0.0.1", _StaticFilesHandler, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    try:
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()


@pytest.fixture
def any_db(request: pytest.FixtureRequest) -> None:
    """Committed data on PostgreSQL (so the owner connection sees it), a rolled-back transaction on SQLite."""
    request.getfixturevalue("committed_db" if ON_POSTGRES else "db")


# --- Tenants, people and sign-in ---------------------------------------------------------------------------

CODE_A = "131016"  # 千代田区
CODE_B = "131041"  # 新宿区


def register_test_certifier(code: str) -> None:
    """The mayor who certifies the tenant's certificates (標準仕様書 1.3.9: none without a named certifier). Written
    directly, not through ``certificates.register_certifier``, so that a fresh test tenant has no audit entry."""
    import datetime

    from kiban.apps.residents.models import Certifier
    from kiban.platform.tenants.context import tenant_context

    with tenant_context(code):
        Certifier.objects.create(
            role="mayor", title="千代田区長", name="見本　一郎", starts_on=datetime.date(2000, 1, 1), recorded_by="test"
        )


@pytest.fixture
def tenant_a(db: None) -> Any:
    from kiban.platform.tenants.services import provision

    tenant = provision(CODE_A)
    register_test_certifier(CODE_A)
    return tenant


@pytest.fixture
def tenant_b(db: None) -> Any:
    from kiban.platform.tenants.services import provision

    return provision(CODE_B)


def totp_code(user: Any) -> str:
    device = user.totpdevice_set.get()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


@pytest.fixture
def make_staff(db: None) -> Callable[..., Any]:
    from kiban.platform.accounts.services import create_staff, enroll_totp

    def make(tenant: Any, username: str, roles: list[str]) -> Any:
        user = create_staff(tenant, username, PASSWORD, roles)
        enroll_totp(user)
        return user

    return make


@pytest.fixture
def make_operator(db: None) -> Callable[..., Any]:
    from kiban.platform.accounts.services import create_operator, enroll_totp

    def make(username: str = "ops") -> Any:
        user = create_operator(username, PASSWORD)
        enroll_totp(user)
        return user

    return make


def sign_in(user: Any) -> Client:
    """A browser-like client signed in through the real form (password + current TOTP code)."""
    client = Client(enforce_csrf_checks=False, HTTP_X_FORWARDED_PROTO="https")
    response = client.post(
        "/login/", {"username": user.username, "password": PASSWORD, "otp_token": totp_code(user)}, secure=True
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return client


@pytest.fixture
def in_tenant() -> Callable[[Any], Any]:
    from kiban.platform.tenants.context import tenant_context

    def enter(tenant: Any) -> Any:
        return tenant_context(tenant.code if hasattr(tenant, "code") else tenant)

    return enter


@pytest.fixture
def make_resident(db: None) -> Callable[..., Any]:
    """A resident moved in from abroad through the registry's own procedure (new household, householder).

    ``became_resident_on`` sets the move-in date; other keyword arguments are person items (PersonData)."""
    import datetime
    import itertools

    from kiban.apps.residents import services
    from kiban.apps.residents.models import Resident
    from kiban.apps.residents.validation import PersonData
    from kiban.platform.tenants.context import tenant_context

    counter = itertools.count(1)

    def make(tenant: Any, family_kana: str = "ヤマダ", **fields: Any) -> Any:
        moved_in = fields.pop("became_resident_on", datetime.date(2015, 4, 1))
        address = fields.pop("address", "東京都千代田区千代田1番1号")
        values = {"family_name": "山田", "given_name": "花子", "family_name_kana": family_kana,
                  "given_name_kana": "ハナコ", "birth_date": datetime.date(1980, 4, 2), "sex": "2",
                  "relationship": "世帯主", "domicile": "東京都千代田区千代田1番"} | fields  # fmt: skip
        with tenant_context(tenant.code):
            result = services.move_in(
                services.Notification(f"fixture-{next(counter)}-{family_kana}", moved_in, moved_in),
                address=services.AddressData(address), persons=[PersonData(**values)], origin="abroad",
            )  # fmt: skip
            return Resident.objects.get(id=result.resident_ids[0])

    return make


@pytest.fixture
def client_token() -> Callable[..., str]:
    """Register a machine client chosen by ``tenant`` for ``businesses`` and get a token by client credentials."""
    import base64
    import itertools

    from oauth2_provider.models import Application

    from kiban.platform.accounts.models import ClientGrant

    counter = itertools.count(1)

    def make(tenant: Any, businesses: list[str], scopes: str) -> str:
        n = next(counter)
        client_id, secret = f"vendor-{n}", f"secret-{n}-0123456789abcdef"
        app = Application.objects.create(
            name=f"vendor {n}", client_id=client_id, client_secret=secret,
            client_type=Application.CLIENT_CONFIDENTIAL, authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        )  # fmt: skip
        for business in businesses:
            ClientGrant.objects.create(application=app, tenant=tenant, business=business)
        basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        response = Client().post(
            "/o/token/", {"grant_type": "client_credentials", "scope": scopes}, HTTP_AUTHORIZATION=f"Basic {basic}"
        )
        assert response.status_code == 200, response.content
        return response.json()["access_token"]

    return make
