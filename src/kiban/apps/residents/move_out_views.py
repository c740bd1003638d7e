"""転出証明書 at the counter, in the course of the 転出 (住民記録システム標準仕様書 4.1.3.0.3, j660; 住民基本台帳法24条,
施行令23条): the page of one move-out procedure, reached from the 本登録 results and from the record of a person who
moved out, issues the certificate once (``certificates.issue_move_out_certificate``: the 転出証明書, or the 転出証明書に
準ずる証明書 for a move-out notified late) and reissues a lost one marked 再交付 with the content of the first issue
(``reissue_move_out_certificate``). The signed PDF opens inline for printing as the other certificates do
(``views.certificate_pdf``, from the session). The page itself names nobody: the procedure's kind, dates and the
number of persons; the persons' items are read, and audited, only by the issue."""

from __future__ import annotations

import base64
import secrets
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from kiban.platform.web.staff import staff_view
from kiban.standard.codes import MOVE_OUT_REASONS

from . import certificates, forms
from .models import MoveOutCertificate, Procedure
from .permissions import READ_ROLES
from .validation import MOVE_OUT_LATE_DAYS, Problems, ProcedureError
from .views import CERTIFICATE_SESSION_KEY, DONE_KEPT, _keep_certificate, _page, era

USED_TOKENS_KEY = "residents.counter.move_out_tokens"  # forms already sent (a second click issues nothing more)


def _move_out(procedure_id: int) -> Procedure:
    procedure = Procedure.objects.filter(id=procedure_id, kind__in=[str(k) for k in MOVE_OUT_REASONS]).first()
    if procedure is None:
        raise Http404("no such move-out procedure")
    return procedure


def _act(request: HttpRequest, procedure: Procedure) -> certificates.IssuedMoveOut:
    if request.POST.get("action") == "reissue":
        raw = request.POST.get("certificate", "")
        issued = MoveOutCertificate.objects.filter(id=int(raw) if raw.isdigit() else 0, procedure_id=procedure.id)
        if not issued.exists():  # a certificate of another move-out is not reissued from this page
            problems = Problems()
            problems.add("certificate", "not_found", "再交付する転出証明書を選んでください。",
                         "Choose the moving-out certificate to reissue.")  # fmt: skip
            problems.raise_if_any()
        return certificates.reissue_move_out_certificate(int(raw))
    return certificates.issue_move_out_certificate(procedure.id)


@staff_view(*READ_ROLES)
def move_out_certificate(request: HttpRequest, procedure_id: int) -> HttpResponse:
    """GET: the move-out and its certificates; POST ``action=issue`` or ``action=reissue`` (``certificate``): issued,
    then the page again with the PDF to print. A form sent twice (its ``token``) issues once."""
    procedure = _move_out(procedure_id)
    errors: list[str] = []
    here = reverse("resident-move-out-certificate", args=[procedure.id])
    if request.method == "POST":
        token = request.POST.get("token", "")
        used: list[str] = list(request.session.get(USED_TOKENS_KEY, []))
        if token and token in used:
            return HttpResponseRedirect(f"{here}?done=repeated")
        try:
            issued = _act(request, procedure)
        except ProcedureError as exc:
            errors = [forms.error_text(e) for e in exc.errors]
        else:
            c = issued.certificate
            key = f"mo-{secrets.token_hex(8)}"
            _keep_certificate(request, key, {"issue_number": c.issue_number, "verification_code": c.verification_code,
                                             "pdf": base64.b64encode(issued.pdf).decode()})  # fmt: skip
            request.session[USED_TOKENS_KEY] = [*used, token][-DONE_KEPT:] if token else used
            return HttpResponseRedirect(f"{here}?issued={key}")
    issued_rows = [
        {"c": c, "on": era(c.issued_on), "reissue": c.reissue_of_id is not None}
        for c in MoveOutCertificate.objects.filter(procedure_id=procedure.id).order_by("id")
    ]
    key = request.GET.get("issued", "")
    just_issued: dict[str, Any] | None = None
    if key:
        kept = request.session.get(CERTIFICATE_SESSION_KEY, {}).get(key)
        just_issued = {"key": key, "issue_number": kept["issue_number"]} if kept else None
    page = _page(
        request, procedure=procedure, kind=procedure.kind, planned=era(procedure.effective_on),
        notified=era(procedure.notified_on), persons=len(procedure.payload.get("resident_ids", [])),
        late=(procedure.notified_on - procedure.effective_on).days > MOVE_OUT_LATE_DAYS, late_days=MOVE_OUT_LATE_DAYS,
        issued=issued_rows, first_issued=any(not r["reissue"] for r in issued_rows), just_issued=just_issued,
        errors=errors, repeated=request.GET.get("done") == "repeated", token=secrets.token_hex(16),
    )  # fmt: skip
    return render(request, "residents/move_out_certificate.html", page, status=400 if errors else 200)
