"""Who is calling, and for which municipality they may act.

The tenant of a request comes from the authenticated principal: a staff member acts for the one municipality
they belong to; a machine client for the municipalities that chose it for that business (``ClientGrant``).
A tenant code in the URL only says which of those the caller means; a code the principal may not act for is
answered 404, exactly as for an id that does not exist, so callers cannot probe other tenants.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyHeader
from ninja.security.base import AuthBase
from oauth2_provider.oauth2_backends import get_oauthlib_core

from kiban.platform.accounts.models import ClientGrant, User
from kiban.platform.audit.actor import Actor, acting_as
from kiban.platform.metering import services as metering
from kiban.platform.tenants.context import tenant_context

from .problems import Problem, not_found


@dataclass(frozen=True)
class Principal:
    kind: str  # "staff", "operator", "client"
    ident: str
    user: User | None = None
    scopes: frozenset[str] = frozenset()
    # business -> tenant codes, for clients; staff have their single tenant
    grants: dict[str, frozenset[str]] = field(default_factory=dict)

    def actor(self) -> Actor:
        return Actor(self.kind, self.ident)

    def may_act_for(self, tenant_code: str, business: str) -> bool:
        if self.kind == "staff":
            return self.user is not None and self.user.tenant_id == tenant_code
        if self.kind == "client":
            return tenant_code in self.grants.get(business, frozenset())
        return False

    def allowed(self, *, roles: tuple[str, ...], scope: str) -> bool:
        if self.kind == "staff":
            return self.user is not None and any(self.user.has_role(r) for r in roles)
        if self.kind == "client":
            return scope in self.scopes
        return False


def principal_for_user(user: Any) -> Principal | None:
    """A signed-in person whose second factor was verified (django-otp), or None."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.is_verified():
        return None
    if user.is_operator:
        return Principal("operator", user.username, user=user)
    return Principal("staff", user.username, user=user)


class SessionAuth(AuthBase):
    """Staff and operators signed in through the web login (password + TOTP); CSRF applies to writes."""

    openapi_type = "apiKey"

    def __init__(self) -> None:
        self.openapi_name = "sessionid"
        self.openapi_in = "cookie"
        super().__init__()

    def __call__(self, request: HttpRequest) -> Principal | None:
        principal = principal_for_user(getattr(request, "user", None))
        if principal is not None and request.method not in ("GET", "HEAD", "OPTIONS"):
            from ninja.utils import check_csrf

            if check_csrf(request) is not None:
                return None
        return principal


class BearerTokenAuth(APIKeyHeader):
    """OAuth 2.0 access tokens from the client-credentials grant (django-oauth-toolkit)."""

    param_name = "Authorization"
    openapi_type = "http"
    openapi_scheme = "bearer"

    def __call__(self, request: HttpRequest) -> Principal | None:
        header = request.headers.get("Authorization", "")
        if not header.lower().startswith("bearer "):
            return None
        valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
        if not valid:
            return None
        token = oauth_request.access_token
        application = token.application
        grants: dict[str, set[str]] = {}
        for business, tenant_id in ClientGrant.objects.filter(application=application).values_list(
            "business", "tenant_id"
        ):
            grants.setdefault(business, set()).add(tenant_id)
        return Principal(
            "client",
            application.client_id,
            scopes=frozenset(token.scope.split()),
            grants={b: frozenset(t) for b, t in grants.items()},
        )

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:  # pragma: no cover - __call__ overrides
        return None


API_AUTH = [BearerTokenAuth(), SessionAuth()]


@contextmanager
def acting_for_tenant(
    request: HttpRequest, code: str, *, business: str, roles: tuple[str, ...], scope: str
) -> Iterator[Principal]:
    """Authorize the request's principal for ``code`` and enter that tenant's context (one transaction)."""
    principal: Principal | None = getattr(request, "auth", None)
    if principal is None:
        raise Problem(401, "Unauthorized", "sign in or present a bearer token")
    if not principal.may_act_for(code, business):
        raise not_found("municipality")
    if not principal.allowed(roles=roles, scope=scope):
        raise Problem(403, "Forbidden", f"this operation needs one of the roles {', '.join(roles)} or scope {scope}")
    metering.add(code, "api_calls")
    with acting_as(principal.actor()), tenant_context(code, sole=True):
        yield principal


def tenant_operation(*, business: str, roles: tuple[str, ...], scope: str) -> Callable[..., Any]:
    """Decorator for API operations under ``/tenants/{code}/``: authorize, then run in the tenant's context."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(fn)
        def wrapper(request: HttpRequest, code: str, *args: Any, **kwargs: Any) -> Any:
            with acting_for_tenant(request, code, business=business, roles=roles, scope=scope):
                return fn(request, code, *args, **kwargs)

        return wrapper

    return decorate
