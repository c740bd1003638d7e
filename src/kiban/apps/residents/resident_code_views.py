"""The page of one person's 住民票コード (住民記録システム標準仕様書 4.3.2 j880, 4.3.3 j890): a supervisor changes it
on the person's request (法30条の4) or corrects a wrongly entered one by authority, with the reason; the notice the
procedure made due (変更通知票・修正通知票) is then offered to print at once, and every notice of the person (the
住民票コード通知票 of a newly assigned code too) can be printed again (再出力), marked as such. Opened from the record
page with its purpose; refused to a user from whom the 住民票コード is hidden (操作権限設定, 10.4)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kiban.platform.web.staff import staff_view
from kiban.standard.text import normalize_digits

from . import forms, resident_code, selectors, services, visibility
from .permissions import PROCEDURE_ROLES, SUPERVISOR_ROLES
from .validation import Problems, ProcedureError
from .views import _has_role, _page, era, person_page


def _refuse_hidden(request: HttpRequest) -> None:
    if "resident_code" in visibility.hidden_for(int(request.user.pk or 0)):
        raise PermissionDenied("the 住民票コード is hidden from this user (操作権限設定)")


def _act(resident_id: int, post: Any) -> None:
    problems = Problems()
    today = timezone.localdate()
    on = forms.posted_date(post.get("on", ""), "on", problems, default=today)
    requested = forms.posted_date(post.get("requested_on", ""), "requested_on", problems, default=today)
    problems.raise_if_any()
    assert on is not None and requested is not None
    request_id = post.get("request_id", "")
    if not request_id.startswith("ui-") or len(request_id) > 64:
        request_id = f"ui-{secrets.token_hex(16)}"
    code = normalize_digits(post.get("resident_code", ""))
    if post.get("action") == "correct":
        services.correct_resident_code(services.Notification(request_id, on, on), resident_id=resident_id,
                                       resident_code=code, reason=post.get("reason", ""))  # fmt: skip
    else:
        services.change_resident_code(services.Notification(request_id, on, requested), resident_id=resident_id,
                                      resident_code=code)  # fmt: skip


@staff_view(*PROCEDURE_ROLES)
def resident_code_page(request: HttpRequest, resident_id: int) -> HttpResponse:
    _refuse_hidden(request)
    supervisor = _has_role(request, SUPERVISOR_ROLES)
    if request.method == "POST" and not supervisor:
        raise PermissionDenied("changing or correcting a 住民票コード needs the supervisor role (決裁)")
    opened = person_page(request, resident_id, "resident-code", _act)
    if isinstance(opened, HttpResponse):
        return opened
    purpose, person, errors = opened
    record = selectors.open_resident(resident_id, purpose)
    assert record is not None
    notices = [{"n": n, "on": era(n.recorded_on)} for n in resident_code.notices(resident_id)]
    done = request.GET.get("done", "")
    page = _page(request, person=person, purpose=purpose, errors=errors, code=record.values.get("resident_code", ""),
                 registered=record.status == "registered", notices=notices, supervisor=supervisor, done=done,
                 offered=notices[-1] if done and notices else None, today=era(timezone.localdate()),
                 request_id=f"ui-{secrets.token_hex(16)}")  # fmt: skip
    return render(request, "residents/resident_code.html", page, status=400 if errors else 200)


def notice_response(request: HttpRequest, make: Callable[[str], bytes], filename: str) -> HttpResponse:
    """A notice to a person as a PDF (inline, for printing), made by ``make`` with the purpose asked for first
    (audited); 404 for no such notice, 400 with the reason for a refusal (no certifier), nothing printed."""
    form = forms.PurposeForm(request.GET or None)
    if not form.is_valid():
        return render(request, "residents/purpose.html", _page(request, form=form), status=400 if request.GET else 200)
    try:
        pdf = make(form.cleaned_data["purpose"])
    except ProcedureError as exc:
        if any(e.code == "not_found" for e in exc.errors):
            raise Http404("no such notice") from exc
        errors = [forms.error_text(e) for e in exc.errors]
        return render(request, "residents/notice_refused.html", _page(request, errors=errors), status=400)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    return response


@staff_view(*PROCEDURE_ROLES)
def resident_code_notice(request: HttpRequest, resident_id: int, seq: int) -> HttpResponse:
    """The notice of the person's history entry ``seq`` (PDF, inline for printing); ``reprint=1`` marks 再出力."""
    _refuse_hidden(request)
    reprint = request.GET.get("reprint") == "1"
    kinds: list[str] = []

    def make(purpose: str) -> bytes:
        content, pdf = resident_code.render(resident_id, seq, purpose, reprint=reprint)
        kinds.append(content.kind)
        return pdf

    response = notice_response(request, make, f"resident-code-notice-{resident_id}-{seq}")
    if kinds:
        response["X-Notice-Kind"] = kinds[0]
    return response
