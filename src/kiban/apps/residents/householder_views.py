"""世帯主変更依頼通知書 at the counter (住民記録システム標準仕様書 4.0.5, j500): the 対象者リスト of the households left
without a householder, each with the member the notice goes to; the 世帯主変更依頼通知書 printed from it; the way to
set the householder by authority (the 世帯主変更 wizard, 「職権で行う」); and the 世帯主変更通知書 of such a change,
offered in the 本登録 results (``provisional_views``). The persons listed are audited with the purpose given."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kiban.platform.web.staff import staff_view

from . import forms, householder_notices
from .permissions import PROCEDURE_ROLES
from .resident_code_views import notice_response
from .views import _page, era


def _purpose(request: HttpRequest) -> str | HttpResponse:
    form = forms.PurposeForm(request.GET or None)
    if not form.is_valid():
        return render(request, "residents/purpose.html", _page(request, form=form), status=400 if request.GET else 200)
    return str(form.cleaned_data["purpose"])


@staff_view(*PROCEDURE_ROLES)
def undecided_list(request: HttpRequest) -> HttpResponse:
    purpose = _purpose(request)
    if isinstance(purpose, HttpResponse):
        return purpose
    rows = [{"r": r, "left": era(r.left_on)} for r in householder_notices.undecided(purpose)]
    return render(request, "residents/householder_requests.html", _page(request, rows=rows, purpose=purpose))


@staff_view(*PROCEDURE_ROLES)
def request_notice(request: HttpRequest, household_id: int) -> HttpResponse:
    """The 世帯主変更依頼通知書 of a household on the list (PDF, inline)."""
    return notice_response(
        request, lambda p: householder_notices.request_notice(household_id, p), f"request-{household_id}"
    )


@staff_view(*PROCEDURE_ROLES)
def change_notice(request: HttpRequest, procedure_id: int) -> HttpResponse:
    """The 世帯主変更通知書 of a 世帯主変更 by authority of such a household (PDF, inline)."""
    return notice_response(
        request, lambda p: householder_notices.change_notice(procedure_id, p), f"change-{procedure_id}"
    )
