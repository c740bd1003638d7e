"""The supervisors' page of the notices to outside bodies (``external_notices``): the 戸籍の附票記載事項通知 to the
本籍地 (標準仕様書 7.2.4, j1200), the 市町村通知 to the 出入国在留管理庁 (4.5.7, j970), and over the CS the
本人確認情報 to the prefecture and the 転入通知 to the previous address's municipality (7.1.1.1, j1090).

GET ``purpose``, ``kind`` (``view=sent``: what was sent, 照会): the notices not sent yet, oldest first, each with its
destination and how it goes; POST ``action=send`` with the ``history_id``s chosen sends them (a 通知書 PDF comes back
when some go on paper), ``action=resend`` sends sent ones again (再送信, with ``reason`` a corrected 異動事由 for the
kinds that allow it); for the CS kinds ``action=manual`` / ``action=automatic`` with ``switch_reason`` switches to
manual linkage and back (一時的に手動連携に切り替えること). Every person listed is audited with the
purpose; refusals come back on the page (400), nothing written or sent.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from kiban.platform.web.staff import staff_view

from . import external_notices, forms
from .models import ExternalNoticeSent
from .permissions import SUPERVISOR_ROLES
from .validation import ProcedureError
from .views import _page

DELIVERIES = dict(ExternalNoticeSent.Delivery.choices)


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


def _post(request: HttpRequest, kind: str, purpose: str) -> HttpResponse:
    """Send or resend the chosen notices, or switch the CS linkage; raises ``ProcedureError``."""
    action = request.POST.get("action")
    if action in ("manual", "automatic") and kind in external_notices.CS_KINDS:
        external_notices.switch_linkage(action == "manual", request.POST.get("switch_reason", ""))
        query = urlencode({"purpose": purpose, "kind": kind, "switched": action})
        return HttpResponseRedirect(f"{reverse('resident-external-notices')}?{query}")
    resend = action == "resend"
    reason = request.POST.get("reason", "") if resend else ""
    batch = external_notices.send(kind, _ids(request.POST.getlist("history_id")), purpose, resend=resend,
                                  reason=reason)  # fmt: skip
    if batch.pdf is not None:
        response = HttpResponse(batch.pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="koseki-fuhyo-notices-{timezone.localdate():%Y%m%d}.pdf"'
        response["Cache-Control"] = "no-store"  # personal data: not kept by the browser or a proxy
        return response
    query = urlencode({"purpose": purpose, "kind": kind, "done": batch.sent, **({"view": "sent"} if resend else {})})
    return HttpResponseRedirect(f"{reverse('resident-external-notices')}?{query}")


@staff_view(*SUPERVISOR_ROLES)
def external_notice_list(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    form = forms.PurposeForm(data or None)
    if not form.is_valid():
        return render(request, "residents/purpose.html", _page(request, form=form), status=400 if data else 200)
    purpose = form.cleaned_data["purpose"]
    chosen = data.get("kind", "")
    kind = chosen if chosen in external_notices.KINDS else external_notices.KOSEKI_FUHYO
    errors: list[str] = []
    if request.method == "POST":
        try:
            return _post(request, kind, purpose)
        except ProcedureError as exc:
            errors = [forms.error_text(e) for e in exc.errors]
    showing_sent = data.get("view") == "sent"
    rows: list[dict[str, Any]] = []
    if showing_sent:
        for r in external_notices.sent(kind, purpose):
            rows.append({"id": r.history_id, "name": r.content.get("name", ""), "reason": r.content.get("reason", ""),
                         "effective_on": _shown(r.content.get("effective_on", "")), "destination": r.destination_name,
                         "delivery": DELIVERIES.get(r.delivery, r.delivery), "resend": r.resend,
                         "sent_at": forms.display_date(r.sent_at), "address": r.content.get("address", ""),
                         "original_reason": r.content.get("original_reason", "")})  # fmt: skip
    else:
        for n in external_notices.pending(kind, purpose):
            rows.append({"id": n.history_id, "name": n.content.get("name", ""), "reason": n.reason,
                         "effective_on": forms.display_date(n.effective_on), "address": n.content.get("address", ""),
                         "destination": n.destination.name if n.destination else "",
                         "delivery": DELIVERIES.get(n.destination.delivery, "") if n.destination else ""})  # fmt: skip
    cs = kind in external_notices.CS_KINDS
    linkage = external_notices.manual_linkage() if cs else None
    page = _page(request, purpose=purpose, kind=kind, kinds=external_notices.KINDS.items(), rows=rows, errors=errors,
                 showing_sent=showing_sent, done=request.GET.get("done", ""), cs=cs, linkage=linkage,
                 manual=bool(linkage and linkage.manual), switched=request.GET.get("switched", ""),
                 switched_at=forms.display_date(linkage.switched_at) if linkage else "",
                 reasons=external_notices.REASONS if kind in external_notices.REASON_CHANGEABLE else ())  # fmt: skip
    return render(request, "residents/external_notices.html", page, status=400 if errors else 200)


def _shown(iso: str) -> str:
    """A date kept as text in a notice's content, as the counter shows dates (和暦, 標準仕様書 1.1.9)."""
    return forms.display_date(date.fromisoformat(iso)) if iso else ""
