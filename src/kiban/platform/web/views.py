"""Sign-in, sign-out and the staff home page."""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from kiban.platform.accounts import roles

from .forms import SignInForm
from .staff import staff_view


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.user)
        otp_login(request, form.device)
        target = request.POST.get("next") or request.GET.get("next") or ""
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
            target = "/admin/" if form.user.is_operator else "/staff/"
        return redirect(target)
    return render(request, "web/sign_in.html", {"form": form, "next": request.GET.get("next", "")})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("sign-in")


@staff_view()
def staff_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    held = [roles.get(code) for code in sorted(user.role_codes())]  # type: ignore[union-attr]
    return render(request, "web/staff_home.html", {"roles": held, "tenant": user.tenant})  # type: ignore[union-attr]
