"""The supervisors' pages of 特別永住者証明書 (住民記録システム標準仕様書 8.2, j1250–j1270; ``special_permanent``).

- ``resident_special_permanent``: one 特別永住者's certificates and applications (8.2.2 申請受理処理): record the card
  held, accept an application, then for it 接受 (交付待ち), 交付, 不交付返戻 or 受理の取消し; a certificate's 返納.
  Opened from the record page with its purpose.
- ``special_permanent_list``: 切替異動者リスト (8.2.1) for a window of end dates, an age group and an office (shown,
  then as CSV or as the 案内 letters, one PDF), with the 特別永住者 whose certificate is not recorded (入力漏れ).
- ``special_permanent_counts``: 切替予定数調査 (8.2.3): counts by office and fiscal year, and by month for this
  fiscal year and the next; as CSV.
Refusals come back on the page (400), nothing written.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone

from kiban.platform.web.staff import staff_view
from kiban.standard.era import format_month

from . import forms, places
from . import special_permanent as spr
from .models import SpecialPermanentApplication, SpecialPermanentCertificate
from .permissions import SUPERVISOR_ROLES
from .validation import Problems, ProcedureError
from .views import _page, era, person_page

DONE = {
    "held": "所持する証明書を登録しました。",
    "accept": "申請を受理しました。",
    "cancel": "受理を取り消しました（記録は残ります）。",
    "receive": "接受を登録しました（交付待ち）。",
    "deliver": "交付を登録しました。新しい証明書が有効になりました。",
    "not_delivered": "不交付返戻を登録しました。",
    "return": "返納を登録しました。",
}


def _date(post: Any, name: str, problems: Problems) -> date | None:
    return forms.posted_date(post.get(name, ""), name, problems, default=timezone.localdate())


def _id(post: Any, name: str, problems: Problems) -> int:
    text = str(post.get(name, "")).strip()
    if not text.isdigit():
        problems.add(name, "required", "対象を選んでください。", "Choose the record.")
        return 0
    return int(text)


def _place_id(post: Any) -> int | None:
    text = str(post.get("place", "")).strip()
    return int(text) if text.isdigit() else None


def _act(resident_id: int, post: Any) -> None:
    problems = Problems()
    action = post.get("action", "")
    on = _date(post, "on", problems)
    reason = post.get("reason", "")
    if action in ("cancel", "receive", "deliver", "not_delivered"):
        application = _id(post, "application", problems)
        # the application must be this person's (another's is not found from this page)
        if (
            application
            and not SpecialPermanentApplication.objects.filter(id=application, resident_id=resident_id).exists()
        ):
            problems.add("application", "not_found", "申請が見つかりません。", "No such application.")
    card_issued_on = _date(post, "card_issued_on", problems) if action == "receive" else None
    certificate = _id(post, "certificate", problems) if action == "return" else 0
    if action not in DONE:
        problems.add("action", "invalid", "操作を選んでください。", "Choose an action.")
    problems.raise_if_any()
    assert on is not None
    if action == "held":
        spr.record_held(resident_id, post.get("number", ""), on, post.get("renewal") == "1", _place_id(post))
    elif action == "accept":
        spr.accept(resident_id, post.get("kind", ""), on, _place_id(post), post.get("early_reason", ""))
    elif action == "cancel":
        spr.cancel(application, on, reason)
    elif action == "receive":
        assert card_issued_on is not None
        spr.receive(application, on, post.get("number", ""), card_issued_on)
    elif action == "deliver":
        spr.deliver(application, on)
    elif action == "not_delivered":
        spr.not_delivered(application, on, reason)
    else:  # the certificate must be this person's
        if not SpecialPermanentCertificate.objects.filter(id=certificate, resident_id=resident_id).exists():
            problems.add("certificate", "not_found", "特別永住者証明書が見つかりません。", "No such certificate.")
            problems.raise_if_any()
        spr.record_return(certificate, on, reason)


@staff_view(*SUPERVISOR_ROLES)
def resident_special_permanent(request: HttpRequest, resident_id: int) -> HttpResponse:
    opened = person_page(request, resident_id, "resident-special-permanent", _act)
    if isinstance(opened, HttpResponse):
        return opened
    purpose, person, errors = opened
    held, applications = spr.records_of(resident_id, purpose)
    statuses = dict(SpecialPermanentApplication.Status.choices)
    page = _page(
        request, person=person, purpose=purpose, errors=errors, today=era(timezone.localdate()),
        held=[{"h": h, "issued": era(h.certificate.issued_on), "expires": era(h.certificate.expires_on),
               "returned": era(h.returned.returned_on) if h.returned else ""} for h in held],
        applications=[{"a": a, "kind": spr.KINDS[a.kind], "status": statuses[a.status], "applied": era(a.applied_on),
                       "received": era(a.received_on) if a.received_on else "",
                       "closed": era(a.closed_on) if a.closed_on else ""} for a in applications],
        kinds=spr.KINDS.items(), places=places.places(), done=DONE.get(request.GET.get("done", "")),
    )  # fmt: skip
    return render(request, "residents/special_permanent.html", page, status=400 if errors else 200)


def _criteria(data: QueryDict, problems: Problems) -> tuple[date | None, date | None, str, int | None]:
    start = forms.posted_date(data.get("start", ""), "start", problems)
    end = forms.posted_date(data.get("end", ""), "end", problems)
    return start, end, data.get("age_group", "all"), _place_id(data)


def _download(body: str | bytes, content_type: str, name: str) -> HttpResponse:
    data = ("\ufeff" + body).encode() if isinstance(body, str) else body  # a BOM: Excel reads the CSV as UTF-8
    response = HttpResponse(data, content_type=content_type)
    kind = "attachment" if content_type.startswith("text/csv") else "inline"
    response["Content-Disposition"] = f'{kind}; filename="{name}-{timezone.localdate():%Y%m%d}"'
    response["Cache-Control"] = "no-store"  # personal data: not kept by the browser or a proxy
    return response


def _output(post: QueryDict) -> HttpResponse:
    problems = Problems()
    action = post.get("action", "")
    if action not in ("letters", "csv"):
        problems.add("action", "invalid", "操作を選んでください。", "Choose an action.")
    start, end, group, place = _criteria(post, problems)
    problems.raise_if_any()
    if action == "csv":
        body = spr.expiring_csv(start, end, group, place, spr.LIST_PURPOSE)
        return _download(body, "text/csv; charset=utf-8", "special-permanent-list.csv")
    pdf = spr.guidance_letters_pdf(start, end, group, place, "特別永住者証明書の切替案内")
    return _download(pdf, "application/pdf", "special-permanent-guidance.pdf")


@staff_view(*SUPERVISOR_ROLES)
def special_permanent_list(request: HttpRequest) -> HttpResponse:
    errors: list[str] = []
    sent = request.POST if request.method == "POST" else request.GET
    found = None
    if request.method == "POST":
        try:
            return _output(request.POST)
        except ProcedureError as exc:
            errors = [forms.error_text(e) for e in exc.errors]
    elif request.GET.get("start") or request.GET.get("end"):
        problems = Problems()
        start, end, group, place = _criteria(request.GET, problems)
        try:
            problems.raise_if_any()
            found = spr.expiring(start, end, group, place)
        except ProcedureError as exc:
            errors = [forms.error_text(e) for e in exc.errors]
        else:
            spr.audit_listed("residents.special_permanent.listed", [d.person.id for d in found],
                             f"{spr.LIST_PURPOSE} ({start}–{end})")  # fmt: skip
    missing = spr.missing()
    spr.audit_listed("residents.special_permanent.listed_missing", [p.id for p in missing], "有効期限の入力漏れの確認")
    page = _page(
        request, errors=errors, sent=sent, age_groups=spr.AGE_GROUPS.items(), places=places.places(),
        rows=[{"d": d, "birth": forms.person_date(d.person, "birth_date"), "expires": era(d.certificate.expires_on),
               "opens": era(d.renewal_opens)} for d in found] if found is not None else None,
        missing=missing, today=era(timezone.localdate()),
    )  # fmt: skip
    return render(request, "residents/special_permanent_list.html", page, status=400 if errors else 200)


@staff_view(*SUPERVISOR_ROLES)
def special_permanent_counts(request: HttpRequest) -> HttpResponse:
    if request.GET.get("format") == "csv":
        return _download(spr.counts_csv(), "text/csv; charset=utf-8", "special-permanent-counts.csv")
    found = spr.counts()
    years = [{"label": spr.fiscal_year_label(y), "counts": [found.by_year.get((p, y), 0) for p in found.places]}
             for y in found.years]  # fmt: skip
    months = [{"label": format_month(y, m), "counts": [found.by_month.get((p, (y, m)), 0) for p in found.places]}
              for y, m in found.months]  # fmt: skip
    page = _page(request, places=found.places, years=years, months=months)
    return render(request, "residents/special_permanent_counts.html", page)
