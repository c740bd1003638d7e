"""The counter page where supervisors manage the certifiers (認証者, 住民記録システム標準仕様書 1.3.9, j310).

One page: the certifiers registered (mayor, acting deputies with their periods, wards of a designated city), the
one in force today, a form to register one, and a button to withdraw a mistaken registration. The rules (title and
name required, a deputy's period, no overlaps) are the service's (``certificates.register_certifier``); its
refusals come back next to the fields.
"""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from kiban.platform.web.staff import staff_view

from . import certificates, forms
from .models import Certifier
from .permissions import SUPERVISOR_ROLES
from .validation import ProcedureError
from .views import _page


class CertifierForm(forms.LabelledForm):
    labels = {
        "role": ("区分", "Role"),
        "title": ("職名", "Title"),
        "name": ("氏名", "Name"),
        "starts_on": ("開始日", "From"),
        "ends_on": ("終了日（職務代理者は必須）", "Until (required for a deputy)"),
        "ward_code": ("区のコード（指定都市の区長のみ）", "Ward code (a designated city's ward only)"),
    }
    role = forms._choice(
        [("mayor", "市区町村長・区長 (mayor)"), ("deputy", "職務代理者 (acting deputy)")], initial="mayor"
    )
    title = forms._text(64)
    name = forms._text(64)
    starts_on = forms._date()
    ends_on = forms._date(required=False)
    ward_code = forms._text(6, required=False, inputmode="numeric")

    def data_for_service(self) -> certificates.CertifierData:
        d = self.cleaned_data
        return certificates.CertifierData(
            d["role"], d["title"], d["name"], d["starts_on"], d.get("ends_on"), d.get("ward_code") or ""
        )


class WithdrawForm(django_forms.Form):
    certifier_id = django_forms.IntegerField()


@staff_view(*SUPERVISOR_ROLES)
def certifier_manage(request: HttpRequest) -> HttpResponse:
    """List, register (POST action=register) and withdraw (POST action=withdraw) certifiers."""
    form = CertifierForm()
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "withdraw":
                withdraw = WithdrawForm(request.POST)
                if withdraw.is_valid():
                    certificates.withdraw_certifier(withdraw.cleaned_data["certifier_id"])
                    return HttpResponseRedirect(reverse("resident-certifiers"))
                status = 400
            else:
                form = CertifierForm(request.POST)
                if form.is_valid():
                    certificates.register_certifier(form.data_for_service())
                    return HttpResponseRedirect(reverse("resident-certifiers"))
                status = 400
        except ProcedureError as exc:
            form.attach(exc)
            status = 400
    today = timezone.localdate()
    rows = certificates.certifiers()
    context: dict[str, Any] = {
        "form": form,
        "rows": [_row(c) for c in rows],
        "in_force": certificates.certifier_on(today),
        "today": forms.display_date(today),
    }
    return render(request, "residents/certifiers.html", _page(request, **context), status=status)


def _row(c: Certifier) -> dict[str, Any]:
    return {
        "c": c,
        "role": c.get_role_display(),
        "starts_on": forms.display_date(c.starts_on),
        "ends_on": forms.display_date(c.ends_on) if c.ends_on else "",
        "withdrawn": c.withdrawn_at is not None,
    }
