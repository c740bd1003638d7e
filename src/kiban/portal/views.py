"""Portal pages: choose the municipality, sign in over OpenID Connect, see what the municipality holds."""

from __future__ import annotations

import time
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kiban.platform.audit.actor import Actor, acting_as
from kiban.platform.tenants.context import tenant_context
from kiban.platform.tenants.models import Tenant
from kiban.standard.contracts import registry

from . import identity, oidc

SESSION_KEY = "portal"
MESSAGES = {
    "not_found": (
        "ご本人の住民記録が見つかりませんでした。住所・氏名・生年月日が住民票と同じか確認し、窓口にご相談ください。",
        "We could not find your resident record. Please check with the municipal office.",
    ),
    "ambiguous": ("ご本人を1人に特定できませんでした。安全のため、窓口でお手続きください。",
                  "More than one record matches; for your safety, please visit the municipal office."),
    "claims_missing": ("本人確認に必要な情報（氏名・住所・生年月日）を受け取れませんでした。",
                       "The identity provider did not send name, address and date of birth."),
    "failed": ("本人確認に失敗しました。もう一度お試しください。", "Sign-in failed. Please try again."),
}  # fmt: skip


def _tenant(code: str) -> Tenant:
    tenant = Tenant.objects.filter(code=code, active=True).first()
    if tenant is None:
        raise Http404("no such municipality")
    return tenant


def signed_in(view: Any) -> Any:
    """The resident linked at sign-in, in their municipality's context, acting as the resident (audited)."""

    @wraps(view)
    def wrapper(request: HttpRequest, code: str, *args: Any, **kwargs: Any) -> HttpResponse:
        session = request.session.get(SESSION_KEY)
        if not session or session.get("tenant") != code or not session.get("resident_id"):
            return redirect(reverse("portal-login", args=[code]))
        with acting_as(Actor("resident", session["sub"])), tenant_context(code):
            return view(request, code, session["resident_id"], *args, **kwargs)

    return wrapper


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"tenants": Tenant.objects.filter(active=True).order_by("code")})


def login(request: HttpRequest, code: str) -> HttpResponse:
    tenant = _tenant(code)
    request.session["portal_login_tenant"] = tenant.code
    return oidc.client().authorize_redirect(request, request.build_absolute_uri(reverse("portal-callback")))


def callback(request: HttpRequest) -> HttpResponse:
    code = request.session.get("portal_login_tenant")
    if not code:
        return render(request, "portal/refused.html", {"message": MESSAGES["failed"]}, status=400)
    try:
        token = oidc.client().authorize_access_token(request)
    except Exception:  # authlib raises several error types (state mismatch, denied, bad token)
        return render(request, "portal/refused.html", {"message": MESSAGES["failed"]}, status=400)
    claims = dict(token.get("userinfo") or {})
    with acting_as(Actor("resident", str(claims.get("sub", "")))), tenant_context(code):
        found = identity.match(claims)
    if found.resident_id is None:
        return render(request, "portal/refused.html", {"message": MESSAGES[found.problem]}, status=403)
    request.session.cycle_key()
    request.session[SESSION_KEY] = {"tenant": code, "resident_id": found.resident_id, "sub": str(claims["sub"]),
                                    "signed_in_at": int(time.time())}  # fmt: skip
    return redirect(reverse("portal-mypage", args=[code]))


@require_POST
def logout(request: HttpRequest, code: str) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    return redirect(reverse("portal-home"))


@signed_in
def mypage(request: HttpRequest, code: str, resident_id: int) -> HttpResponse:
    person = registry().record(resident_id, "住民ポータル: ご本人の登録内容の表示")
    if person is None:
        request.session.pop(SESSION_KEY, None)
        return render(request, "portal/refused.html", {"message": MESSAGES["not_found"]}, status=403)
    return render(request, "portal/mypage.html", {"person": person, "tenant": _tenant(code)})
