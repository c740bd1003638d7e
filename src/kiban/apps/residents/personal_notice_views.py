"""The supervisors' pages of 本人通知 (住民記録システム標準仕様書 8.1, j1220–j1240; ``personal_notice``).

- ``resident_personal_notice``: one person's registrations (登録管理, 8.1.1): register from a day for a period (the
  municipality's default offered), withdraw with the reason. Opened from the record page with its purpose.
- ``personal_notices``: the outputs — the 住民票の写し等交付通知書 (8.1.3) under one of the three output conditions for
  a period of issue dates (shown first, then printed as one PDF and recorded; 再発行 on request), the 本人通知期間満了の
  お知らせ (8.1.1) for a window of end dates, and the correction of a certificate's requester kind after issue (8.1.1),
  by its issue number.
Refusals come back on the page (400), nothing written.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from kiban.platform.web.staff import staff_view

from . import forms, personal_notice, selectors
from .models import Certificate
from .permissions import SUPERVISOR_ROLES
from .validation import Problems, ProcedureError
from .views import _page, era, person_page

OUTPUT_PURPOSE = "本人通知の通知書出力"
DONE = {
    "register": ("本人通知の登録をしました。", "Registered."),
    "withdraw": ("本人通知の登録を廃止しました（記録は残ります）。", "Withdrawn (the record is kept)."),
    "correct": ("請求者の区分を修正しました（修正前の区分と理由は記録に残ります）。", "Corrected (both kept)."),
}


def _date(post: Any, name: str, problems: Problems, default: date | None = None) -> date | None:
    return forms.posted_date(post.get(name, ""), name, problems, default=default)


def _years(text: str, problems: Problems) -> int:
    try:
        return int(text.strip() or personal_notice.default_years())
    except ValueError:
        problems.add("years", "invalid", "登録期間は年数（数字）で入力してください。", "Enter the period in years.")
        return 0


def _act(resident_id: int, post: Any) -> None:
    problems = Problems()
    on = _date(post, "on", problems, default=timezone.localdate())
    if post.get("action") == "withdraw":
        problems.raise_if_any()
        assert on is not None
        personal_notice.withdraw(resident_id, on, post.get("reason", ""))
        return
    years = _years(post.get("years", ""), problems)
    problems.raise_if_any()
    assert on is not None
    personal_notice.register(resident_id, on, years, post.get("applicant_name", ""), post.get("send_to_address", ""))


@staff_view(*SUPERVISOR_ROLES)
def resident_personal_notice(request: HttpRequest, resident_id: int) -> HttpResponse:
    opened = person_page(request, resident_id, "resident-personal-notice", _act)
    if isinstance(opened, HttpResponse):
        return opened
    purpose, person, errors = opened
    today = timezone.localdate()
    rows = [
        {"r": r, "registered": era(r.registered_on), "ends": era(r.ends_on),
         "withdrawn": era(r.withdrawn_on) if r.withdrawn_on else "", "in_force": r.in_force_on(today)}
        for r in personal_notice.registrations_of(resident_id, purpose)
    ]  # fmt: skip
    page = _page(request, person=person, purpose=purpose, rows=rows, errors=errors, today=era(today),
                 current=next((row for row in rows if row["in_force"]), None), years=personal_notice.default_years(),
                 max_years=personal_notice.MAX_YEARS, done=DONE.get(request.GET.get("done", "")))  # fmt: skip
    return render(request, "residents/personal_notice.html", page, status=400 if errors else 200)


def _pdf(pdf: bytes, name: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}-{timezone.localdate():%Y%m%d}.pdf"'
    response["Cache-Control"] = "no-store"  # personal data: not kept by the browser or a proxy
    return response


def _window(data: QueryDict, problems: Problems) -> tuple[date | None, date | None]:
    return _date(data, "start", problems), _date(data, "end", problems)


def _preview(data: QueryDict) -> tuple[list[personal_notice.Notice] | None, list[str]]:
    """The notices the chosen condition and period give, shown before printing (audited: names and addresses)."""
    if not data.get("condition"):
        return None, []
    problems = Problems()
    start, end = _window(data, problems)
    try:
        problems.raise_if_any()
        found = personal_notice.notices(data.get("condition", ""), start, end, data.get("reprint") == "1")
    except ProcedureError as exc:
        return None, [forms.error_text(e) for e in exc.errors]
    selectors.audit_persons("residents.personal_notice.previewed", [n.resident_id for n in found],
                            ["name", "address"], f"{OUTPUT_PURPOSE} ({start}–{end})")  # fmt: skip
    return found, []


def _output(post: QueryDict) -> HttpResponse:
    """Run the POSTed action: a PDF (通知書, お知らせ) or, for a correction, a redirect; raises ``ProcedureError``."""
    problems = Problems()
    action = post.get("action", "")
    if action == "correct":
        personal_notice.correct_requester(post.get("issue_number", ""), post.get("requester", ""),
                                          post.get("reason", ""))  # fmt: skip
        return HttpResponseRedirect(f"{reverse('resident-personal-notices')}?done=correct")
    if action not in ("print", "expiry"):
        problems.add("action", "invalid", "操作を選んでください。", "Choose an action.")
    start, end = _window(post, problems)
    problems.raise_if_any()
    assert start is not None and end is not None
    if action == "expiry":
        return _pdf(personal_notice.expiry_letters_pdf(start, end, "本人通知期間満了のお知らせ"), "expiry")
    pdf = personal_notice.print_notices(post.get("condition", ""), start, end, OUTPUT_PURPOSE,
                                        reprint=post.get("reprint") == "1")  # fmt: skip
    return _pdf(pdf, "personal-notices")


@staff_view(*SUPERVISOR_ROLES)
def personal_notices(request: HttpRequest) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    sent = request.POST if request.method == "POST" else request.GET
    if request.method == "POST":
        try:
            return _output(request.POST)
        except ProcedureError as exc:
            errors[request.POST.get("action", "")] = [forms.error_text(e) for e in exc.errors]
    found, preview_errors = _preview(request.GET) if request.method == "GET" else (None, [])
    if preview_errors:
        errors["print"] = preview_errors
    today = timezone.localdate()
    page = _page(
        request, errors=errors, sent=sent, conditions=personal_notice.CONDITIONS.items(),
        condition=sent.get("condition", personal_notice.REGISTERED),
        notices=[{"n": n, "count": len(n.issuances)} for n in found] if found is not None else None,
        requesters=[(k, v) for k, v in Certificate.Requester.choices], today=era(today),
        done=DONE.get(request.GET.get("done", "")),
    )  # fmt: skip
    return render(request, "residents/personal_notices.html", page, status=400 if errors else 200)
