"""Staff views: signed in with a verified second factor, holding a role, acting for their own municipality."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from kiban.platform.audit.actor import Actor, acting_as
from kiban.platform.tenants.context import tenant_context


def staff_view(*roles: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Require a municipal staff member holding one of ``roles``; run the view in their tenant's context."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user: Any = request.user
            if not user.is_authenticated or not user.is_verified():
                return redirect_to_login(request.get_full_path())
            if user.is_operator:
                raise PermissionDenied("platform operators have no access to municipal data")
            if roles and not any(user.has_role(r) for r in roles):
                raise PermissionDenied("your role does not allow this")
            with acting_as(Actor("staff", user.username)), tenant_context(user.tenant_id, sole=True):
                return view(request, *args, **kwargs)

        return wrapper

    return decorate


def operator_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Require a platform operator signed in with a verified second factor (no tenant context: no resident data)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user: Any = request.user
        if not user.is_authenticated or not user.is_verified():
            return redirect_to_login(request.get_full_path())
        if not user.is_operator or not user.has_role("platform.operator"):
            raise PermissionDenied("platform operators only")
        with acting_as(Actor("operator", user.username)):
            return view(request, *args, **kwargs)

    return wrapper
