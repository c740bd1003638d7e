"""Django settings for Kiban.

Everything a deployment changes comes from the environment:

- ``DATABASE_URL``: unset means the embedded default (SQLite under ``var/``). A ``postgres://`` URL selects
  PostgreSQL; that URL is the *owner* role, used only for migrations and operator set-up. The application
  itself connects as ``KIBAN_APP_DB_USER`` (default ``kiban_app``), a role that owns no table, so row-level
  security applies to it (ARCHITECTURE.md, "Tenancy"). The standard import (``kiban import``) connects as
  ``KIBAN_IMPORT_DB_USER`` (default ``kiban_import``; alias ``import``), the same privileges plus one (below).
- ``KIBAN_SECRET_KEY``, ``KIBAN_AUDIT_KEY``, ``KIBAN_MASTER_KEY``:
  secrets; development defaults are used only when ``KIBAN_DEBUG=1``.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("KIBAN_VAR_DIR", PROJECT_DIR / "var"))

DEBUG = os.environ.get("KIBAN_DEBUG", "0") == "1"
_DEV_SECRET = "kiban-development-only-secret-key-do-not-use-in-production-0123456789"
# The development key is refused by `kiban check --deploy` (see kiban.platform.web.checks).
SECRET_KEY = os.environ.get("KIBAN_SECRET_KEY", _DEV_SECRET)
DEV_SECRET_KEY = _DEV_SECRET
# Key for the audit chain's HMAC (kept outside the database, so a database administrator cannot re-forge it).
AUDIT_KEY = os.environ.get("KIBAN_AUDIT_KEY", "kiban-development-audit-key")
# Master key wrapping each tenant's data key (kiban.platform.crypto): 32 bytes, base64. Outside the database.
KIBAN_MASTER_KEY = os.environ.get("KIBAN_MASTER_KEY", "a2liYW4tZGV2LW1hc3Rlci1rZXktbm90LXNlY3JldCE=")

ALLOWED_HOSTS = [h for h in os.environ.get("KIBAN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "oauth2_provider",
    "kiban.platform.tenants",
    "kiban.platform.accounts",
    "kiban.platform.audit",
    "kiban.platform.api",
    "kiban.platform.web",
    "kiban.platform.events",
    "kiban.platform.monitoring",
    "kiban.platform.metering",
    "kiban.platform.crypto",
    "kiban.platform.batch",
    "kiban.standard",
    "kiban.apps.residents",
    "kiban.apps.child_allowance",
    "kiban.apps.benefits",
    "kiban.migration",
    "kiban.idp",
    "kiban.portal",
    "kiban.demo",
]

MIDDLEWARE = [
    "kiban.platform.monitoring.middleware.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "kiban.platform.web.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kiban.urls"
WSGI_APPLICATION = "kiban.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Databases -------------------------------------------------------------------------------------------
APP_DB_USER = os.environ.get("KIBAN_APP_DB_USER", "kiban_app")
APP_DB_PASSWORD = os.environ.get("KIBAN_APP_DB_PASSWORD", "")
# The standard import's role (``kiban import``): the application role's privileges plus the right to set
# ``session_replication_role`` for its own transaction, so that the foreign keys of a million imported rows are
# checked once per key set-based instead of row by row (kiban.migration.exchange.importer). No BYPASSRLS itself.
IMPORT_DB_USER = os.environ.get("KIBAN_IMPORT_DB_USER", "kiban_import")
IMPORT_DB_PASSWORD = os.environ.get("KIBAN_IMPORT_DB_PASSWORD", "")
# The role the import's COPY statements run as (``SET ROLE``; it cannot log in): BYPASSRLS, so that COPY may write
# straight into the tenant tables, with INSERT on their columns but ``tenant_id`` and nothing else; ``tenant_id``
# takes the transaction's tenant setting as its default (kiban.platform.tenants.grants).
IMPORT_COPY_DB_ROLE = os.environ.get("KIBAN_IMPORT_COPY_DB_ROLE", "kiban_import_copy")

_database_url = os.environ.get("DATABASE_URL", "")


def _parse_database_url(url: str) -> dj_database_url.DBConfig:
    """dj-database-url, plus libpq's multi-host form ``postgres://u@h1:p1,h2:p2/db?target_session_attrs=read-write``
    (two centres, deploy/ha/): HOST and PORT become comma-separated lists, which psycopg/libpq accept as such."""
    _scheme, sep, rest = url.partition("://")
    netloc = rest.split("/", 1)[0].split("?", 1)[0]
    userinfo, at, hostlist = netloc.rpartition("@")
    if not sep or "," not in hostlist:
        return dj_database_url.parse(url, conn_max_age=0)
    hosts = [h.rpartition(":") if ":" in h else (h, "", "") for h in hostlist.split(",")]
    parsed = dj_database_url.parse(url.replace(netloc, f"{userinfo}{at}{hosts[0][0]}", 1), conn_max_age=0)
    parsed["HOST"] = ",".join(h for h, _, _ in hosts)
    parsed["PORT"] = ",".join(p or "5432" for _, _, p in hosts)
    return parsed


if _database_url:
    _owner = _parse_database_url(_database_url)
    if _owner["ENGINE"] != "django.db.backends.postgresql":
        raise RuntimeError("DATABASE_URL must be a postgres:// URL (unset it for the embedded SQLite default)")
    _owner["TEST"] = {"NAME": f"test_{_owner['NAME']}"}
    _app = {**_owner, "USER": APP_DB_USER, "PASSWORD": APP_DB_PASSWORD, "TEST": dict(_owner["TEST"])}
    # Persistent connections (KIBAN_CONN_MAX_AGE seconds; 0 = one per request) are safe with row-level security:
    # the tenant setting is transaction-local (kiban.platform.tenants.context), so it never outlives a request.
    _app["CONN_MAX_AGE"] = int(os.environ.get("KIBAN_CONN_MAX_AGE", "0"))
    _app["CONN_HEALTH_CHECKS"] = True
    _import = {**_app, "USER": IMPORT_DB_USER, "PASSWORD": IMPORT_DB_PASSWORD, "CONN_MAX_AGE": 0}
    _import["TEST"] = dict(_owner["TEST"])
    DATABASES = {"default": _app, "owner": _owner, "import": _import}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "kiban.sqlite3"),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
        }
    }
DATABASE_ROUTERS = ["kiban.platform.tenants.routers.OwnerMigratesRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Identity --------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first, so a locked-out account is refused before any check
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/staff/"

# Lockout after repeated failures (django-axes): 5 failures per account lock it for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Locking by IP address would lock a whole town hall out: offices share one address behind NAT. Accounts are
# locked by username; the reverse proxy rate-limits per address.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

OTP_TOTP_ISSUER = "Kiban"

# Sessions and CSRF: secure by default; plain-HTTP cookies only when KIBAN_INSECURE_COOKIES=1 (local demo).
_insecure = os.environ.get("KIBAN_INSECURE_COOKIES", "0") == "1"
SESSION_COOKIE_SECURE = not _insecure
CSRF_COOKIE_SECURE = not _insecure
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 30
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"


# Machine clients: OAuth 2.0 client credentials (django-oauth-toolkit). Scopes are "<business>:read|write".
def _oidc_private_key() -> str:
    key = os.environ.get("KIBAN_OIDC_RSA_PRIVATE_KEY", "")
    if key:
        return key
    path = VAR_DIR / "oidc-dev-key.pem"
    if not path.exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pem)
        path.chmod(0o600)
    return path.read_text()


# The resident portal's OpenID Connect provider. The default is the demo provider of this deployment; a real one
# (デジタル認証アプリ or a prefecture's IdP) is configured by these settings alone.
KIBAN_PORTAL_OIDC = {
    "metadata_url": os.environ.get(
        "KIBAN_PORTAL_OIDC_METADATA_URL", "http://127.0.0.1:8000/o/.well-known/openid-configuration"
    ),
    "client_id": os.environ.get("KIBAN_PORTAL_OIDC_CLIENT_ID", "kiban-portal"),
    "client_secret": os.environ.get("KIBAN_PORTAL_OIDC_CLIENT_SECRET", "kiban-portal-demo-secret"),
    "scope": "openid profile address",
}

OAUTH2_PROVIDER = {
    "SCOPES": {
        "residents:read": "Read resident records (住民記録)",
        "residents:write": "Record notifications in the resident registry",
        "audit:read": "Read the audit trail",
        "events:read": "Read the change feed of the event types the business may see",
        "events:subscribe": "Manage webhook subscriptions of the business",
        "child_allowance:read": "Read child allowance records (児童手当)",
        "child_allowance:write": "Record child allowance procedures and payments (児童手当)",
        "benefits:read": "Read emergency benefits and their progress (給付金)",
        "benefits:write": "Define, prepare, take applications for and pay emergency benefits (給付金)",
        "openid": "OpenID Connect sign-in",
        "profile": "Name, date of birth and sex (基本4情報)",
        "address": "Address (基本4情報)",
    },
    "ACCESS_TOKEN_EXPIRE_SECONDS": 600,
    "PKCE_REQUIRED": True,
    # The demo identity provider (kiban.idp): RS256 ID tokens. The key comes from KIBAN_OIDC_RSA_PRIVATE_KEY; without
    # it a development key is generated once under var/ (set the variable in production).
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": _oidc_private_key(),
    "OAUTH2_VALIDATOR_CLASS": "kiban.idp.oidc.BasicFourValidator",
}

OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"

# Webhooks go to HTTPS URLs only; plain http is allowed only for loopback demos and tests.
KIBAN_WEBHOOKS_ALLOW_HTTP = os.environ.get("KIBAN_WEBHOOKS_ALLOW_HTTP", "0") == "1"

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

# Cost allocation rule (費用按分): fractions of the month's platform cost; usage weights add up to 1.
KIBAN_COST_RULE = os.environ.get(
    "KIBAN_COST_RULE",
    '{"fixed_share": "0.3", "per_resident_share": "0.5", "usage_share": "0.2",'
    ' "usage_weights": {"api_calls": "0.5", "procedures": "0.3", "stored_bytes": "0.2"}}',
)

# Where batch jobs write their files (kiban.platform.batch): each tenant has its own folder under it, and a job's
# directory parameter is a relative folder inside that one.
KIBAN_BATCH_DIR = Path(os.environ.get("KIBAN_BATCH_DIR", VAR_DIR / "batch"))

# /readyz fails when the oldest due event delivery has waited longer than this (seconds).
KIBAN_READY_MAX_DISPATCH_LAG = int(os.environ.get("KIBAN_READY_MAX_DISPATCH_LAG", "60"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "kiban.platform.monitoring.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KIBAN_LOG_LEVEL", "WARNING")},
}
