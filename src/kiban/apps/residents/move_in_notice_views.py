"""転入通知未着 at the counter (標準仕様書 4.1.3.1.4 j710, 4.1.3.1.3 j700): the 転入通知未着者一覧 (the persons who
moved out, or were removed by authority, and whose 転入通知 has not come), each with its 転入通知未着照会書 to print
and, for supervisors, the receipt of a 転入通知 that came on paper (``move_in_notices``). The persons listed are
audited with the purpose given."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from kiban.platform.web.staff import staff_view

from . import forms, move_in_notices
from .permissions import PROCEDURE_ROLES, SUPERVISOR_ROLES
from .resident_code_views import notice_response
from .validation import Problems, ProcedureError
from .views import _has_role, _page, era

DEFAULT_DAYS = 14  # 転出予定日から: a 転入届 is due within 14 days of the move (法22条)


@staff_view(*PROCEDURE_ROLES)
def awaiting_list(request: HttpRequest) -> HttpResponse:
    """GET ``purpose`` (``days``, ``authority``): the list; POST ``resident_id``, ``moved_in_on`` (supervisors): a
    転入通知 received on paper, recorded."""
    data = request.POST if request.method == "POST" else request.GET
    form = forms.PurposeForm(data or None)
    if not form.is_valid():
        return render(request, "residents/purpose.html", _page(request, form=form), status=400 if data else 200)
    purpose = form.cleaned_data["purpose"]
    raw_days = data.get("days", "")
    days = int(raw_days) if raw_days.isdigit() else DEFAULT_DAYS
    authority = data.get("authority") == "1"
    errors: list[str] = []
    if request.method == "POST":
        if not _has_role(request, SUPERVISOR_ROLES):
            raise PermissionDenied("receiving a 転入通知 needs the supervisor role")
        raw_id = data.get("resident_id", "")
        problems = Problems()
        moved_in_on = forms.posted_date(data.get("moved_in_on", ""), "moved_in_on", problems)
        if not raw_id.isdigit():
            problems.add("resident_id", "required", "転出者を選んでください。", "Choose the person.")
        try:
            problems.raise_if_any()
            assert moved_in_on is not None
            move_in_notices.receive_on_paper(int(raw_id), moved_in_on, purpose)
        except ProcedureError as exc:
            errors = [forms.error_text(e) for e in exc.errors]
        else:
            query = urlencode({"purpose": purpose, "days": days, "authority": "1" if authority else "", "done": "1"})
            return HttpResponseRedirect(f"{reverse('resident-move-in-notices')}?{query}")
    rows: list[dict[str, Any]] = [
        {"r": r, "removed": era(r.removed_on), "birth": forms.display_date(r.birth_date) if r.birth_date else ""}
        for r in move_in_notices.awaiting(purpose, days=days, removed_by_authority=authority)
    ]
    page = _page(request, rows=rows, purpose=purpose, days=days, authority=authority, errors=errors,
                 done=request.GET.get("done") == "1", can_receive=_has_role(request, SUPERVISOR_ROLES))  # fmt: skip
    return render(request, "residents/move_in_notices.html", page, status=400 if errors else 200)


@staff_view(*PROCEDURE_ROLES)
def inquiry_letter(request: HttpRequest, resident_id: int) -> HttpResponse:
    """The 転入通知未着照会書 of a person on the list (PDF, inline)."""
    return notice_response(
        request, lambda p: move_in_notices.inquiry_letter(resident_id, p), f"move-in-notice-inquiry-{resident_id}"
    )
