"""The public certificate verification page (no sign-in): the QR code on a certificate points here."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kiban.platform.audit.actor import Actor, acting_as
from kiban.platform.tenants.context import tenant_context
from kiban.platform.tenants.models import Tenant


class VerifyForm(forms.Form):
    code = forms.CharField(label="確認コード (verification code)", max_length=40)
    pdf = forms.FileField(label="PDFファイル（任意） (the PDF file, optional)", required=False)


def verify_certificate(request: HttpRequest, code: str = "") -> HttpResponse:
    """Is this certificate genuine? Shows validity, the kind, issue number, date and municipality — what the paper
    shows at its top — and nothing about the persons."""
    from . import certificates

    form = VerifyForm(request.POST or None, request.FILES or None, initial={"code": code})
    posted = request.method == "POST" and form.is_valid()
    wanted = (form.cleaned_data["code"] if posted else code).strip().upper()
    result = None
    if wanted:
        tenant_code = wanted.split("-", 1)[0]
        result = certificates.Verification(False)
        if Tenant.objects.filter(code=tenant_code, active=True).exists():
            upload = form.cleaned_data.get("pdf") if posted else None
            with acting_as(Actor("public", "verification-page")), tenant_context(tenant_code):
                result = certificates.verify(wanted, upload.read() if upload else None)
    status = 404 if result is not None and not result.found else 200
    return render(request, "residents/verify.html", {"form": form, "result": result, "code": wanted}, status=status)
