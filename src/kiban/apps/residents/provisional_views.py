"""仮登録一覧 at the counter (住民記録システム標準仕様書 4.0.8 審査・決裁, j530): the provisional entries the wizards
kept, filtered by 入力支所; supervisors register (本登録) the chosen ones or all of the shown 入力支所, clerks and
supervisors withdraw (取消) or correct (修正: the wizard reopened with the entry's data and request id).

本登録 replays the wizard: the form is rebuilt from the entry's data with the context of its target and the
procedure runs (``form.procedure(form.notification(entry.request_id))``), so its checks are exactly those of
direct entry, against the register as it is then. A refused entry stays provisional with its problems shown next to
it. Who registered is in the audit log only: the entry keeps no examiner name or decision date (実装しない機能).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django import forms as django_forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from kiban.platform.web.staff import staff_view
from kiban.standard.codes import MOVE_OUT_REASONS, NOTIFIED_REASONS, ChangeReason

from . import forms, householder_notices, places, provisional, resident_code, services, views
from .models import ProvisionalEntry
from .permissions import PROCEDURE_ROLES, SUPERVISOR_ROLES
from .validation import BY_AUTHORITY, FieldError, ProcedureError

OUTCOMES_SESSION_KEY = "residents.counter.registered"
PURPOSE = "仮登録の本登録"


class BranchForm(forms.LabelledForm):
    """The counter's 入力支所 for this session (kept with each provisional entry it makes)."""

    labels = {"branch": ("この窓口の入力支所", "This counter's branch")}
    branch = django_forms.CharField(
        max_length=64,
        error_messages=forms.FIELD_MESSAGES,
        widget=django_forms.TextInput(attrs={"autocomplete": "off", "list": "place-names"}),  # the registered places
    )


def run_entry(entry: ProvisionalEntry) -> services.ProcedureResult:
    """本登録 of one entry: its wizard's form rebuilt from the data entered, run as direct entry would run it."""
    wizard = views.WIZARDS.get(entry.procedure_kind)
    if wizard is None:
        raise ProcedureError([FieldError("procedure", "unknown", f"手続「{entry.procedure_kind}」はありません。",
                                         f"Unknown procedure {entry.procedure_kind!r}.")])  # fmt: skip
    context = views._context(wizard, views.entry_target(wizard, entry), purpose=PURPOSE)
    if context is None:
        raise ProcedureError([FieldError("target", "not_found", "対象の世帯・住民・通知が見つかりません。",
                                         "The household, resident or notice is no longer found.")])  # fmt: skip
    form = wizard.form(views.entry_query(entry), context=context)
    if not form.is_valid():
        raise ProcedureError(_form_problems(form))
    return form.procedure(form.notification(entry.request_id))


def _form_problems(form: forms.ProcedureForm) -> list[FieldError]:
    """A form's own refusals (the household changed since the entry …) as the service's problems are kept."""
    problems = []
    for name, errors in form.errors.items():
        label = form.label_of(name) if name != "__all__" else ("", "")
        for text in errors:
            plain = str(text)
            problems.append(FieldError(name, "invalid", f"{label[0]}: {plain}" if label[0] else plain,
                                       f"{label[1]}: {plain}" if label[1] else plain))  # fmt: skip
    return problems or [FieldError("data", "invalid", "入力内容が不正です。", "The entry is invalid.")]


def _problem_rows(entry: ProvisionalEntry) -> list[dict[str, str]]:
    return [{"message": p.get("message", ""), "message_en": p.get("message_en", "")} for p in entry.problems or []]


@staff_view(*PROCEDURE_ROLES)
def provisional_list(request: HttpRequest) -> HttpResponse:
    """仮登録一覧, and its actions: 入力支所 of this counter, 本登録 (chosen / all of the shown 入力支所), 取消."""
    supervisor = views._has_role(request, SUPERVISOR_ROLES)
    terminal = views.counter_place(request)  # read once: the terminal and the 入力支所 it gives (1.3.1)
    branch = views.branch_of(request, terminal)
    shown_branch = request.GET.get("branch", "").strip() if "branch" in request.GET else branch
    branch_form = BranchForm(initial={"branch": branch}, prefix="counter")
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        shown_branch = request.POST.get("shown_branch", "").strip()
        back = f"{reverse('resident-provisional')}?branch={shown_branch}"
        if action == "set-terminal":  # 入力端末 (標準仕様書 1.3.1): this browser is a registered terminal
            return _set_terminal(request, back)
        if action == "set-branch":
            branch_form = BranchForm(request.POST, prefix="counter")
            named = {p.name for p in places.places()}
            if branch_form.is_valid() and named and branch_form.cleaned_data["branch"].strip() not in named:
                branch_form.add_error("branch", "登録された入力場所から選んでください。 (Choose a registered place.)")
            if branch_form.is_valid():
                request.session[views.BRANCH_SESSION_KEY] = branch_form.cleaned_data["branch"].strip()
                return HttpResponseRedirect(f"{reverse('resident-provisional')}?branch="
                                            f"{branch_form.cleaned_data['branch'].strip()}")  # fmt: skip
            status = 400
        elif action in ("register", "register-all"):
            if not supervisor:
                raise PermissionDenied("本登録 needs the supervisor role (決裁)")
            if action == "register-all":
                ids = [e.id for e in provisional.pending(branch=shown_branch or None)]
            else:
                ids = [int(v) for v in request.POST.getlist("entry") if v.isdigit()]
            try:
                outcomes = provisional.register(ids, run_entry)
            except ProcedureError as exc:
                errors = [forms.error_text(e) for e in exc.errors]
                status = 400
            else:
                _keep_outcomes(request, outcomes)
                return HttpResponseRedirect(f"{back}&done=register")
        elif action == "withdraw":
            ids = [int(v) for v in request.POST.getlist("entry") if v.isdigit()]
            if not ids:
                errors = [forms.bilingual("取り消す仮登録を選んでください。", "Choose the entries to withdraw.")]
                status = 400
            else:
                try:
                    for entry_id in ids:
                        provisional.withdraw(entry_id)
                except ProcedureError as exc:
                    errors = [forms.error_text(e) for e in exc.errors]
                    status = 400
                else:
                    return HttpResponseRedirect(f"{back}&done=withdraw&count={len(ids)}")
        else:
            errors = [forms.bilingual("操作を選んでください。", "Choose an action.")]
            status = 400
    entries = provisional.pending(branch=shown_branch or None)
    branches = sorted({b for b in ProvisionalEntry.objects.filter(status=ProvisionalEntry.Status.PROVISIONAL)
                       .values_list("branch", flat=True).distinct()} | {branch})  # fmt: skip
    rows = [{"e": e, "entered": views.era(e.entered_at), "problems": _problem_rows(e),
             "edit": reverse("resident-procedure", args=[e.procedure_kind]) + f"?entry={e.id}"
             if e.procedure_kind in views.WIZARDS and views._has_role(request, views.WIZARDS[e.procedure_kind].roles)
             else ""} for e in entries]  # fmt: skip
    outcomes = request.session.get(OUTCOMES_SESSION_KEY, []) if request.GET.get("done") == "register" else []
    page = views._page(
        request, rows=rows, branches=branches, shown_branch=shown_branch, branch_form=branch_form, errors=errors,
        counter=branch, outcomes=outcomes, done=request.GET.get("done", ""),
        terminals=places.terminals(), place_names=[p.name for p in places.places()],
        terminal=terminal,
        withdrawn=request.GET.get("count", ""), limit=provisional.bulk_limit(), can_register=supervisor,
    )  # fmt: skip
    return render(request, "residents/provisional.html", page, status=status)


def _keep_outcomes(request: HttpRequest, outcomes: list[provisional.Outcome]) -> None:
    """What the list shows after 本登録 (in the session: the summaries name persons)."""
    entries = ProvisionalEntry.objects.in_bulk([o.entry_id for o in outcomes])
    # 住民票コード通知票 (標準仕様書 4.3.3, j890): offered in the flow for the persons given a new code (転入, 出生 …)
    notices = resident_code.for_procedures(
        [o.result.procedure_id for o in outcomes if o.result and o.result.code_assigned]
    )
    # 世帯主変更通知書 (標準仕様書 4.0.5, j500): offered for a 世帯主変更 by authority of a household left without one
    changed = [o.result.procedure_id for o in outcomes if o.result and o.result.kind == ChangeReason.HOUSEHOLDER_CHANGE]
    changes = householder_notices.change_notices(changed) if changed else {}
    kept: list[dict[str, Any]] = []
    for o in outcomes:
        entry = entries.get(o.entry_id)
        kept.append({
            "entry_id": o.entry_id, "summary": entry.summary if entry else "", "registered": o.registered,
            "procedure_id": o.result.procedure_id if o.result else None,
            "move_out": bool(o.result and o.result.kind in MOVE_OUT_REASONS),  # its 転出証明書 next (j660)
            "acceptance": bool(o.result and o.result.kind in NOTIFIED_REASONS and BY_AUTHORITY not in o.result.flags),
            "flags": [views.FLAG_LABELS.get(f, (f, f))[0] for f in (o.result.flags if o.result else [])],
            "resident_ids": list(o.result.resident_ids) if o.result else [],
            "householder_notice": bool(o.result and o.result.procedure_id in changes),
            "code_notices": [{"resident_id": rid, "seq": n.seq, "title": n.title}
                             for rid, n in notices.get(o.result.procedure_id if o.result else 0, [])],
            "errors": [asdict(e) for e in o.errors],
        })  # fmt: skip
    request.session[OUTCOMES_SESSION_KEY] = kept


def _set_terminal(request: HttpRequest, back: str) -> HttpResponse:
    """This browser told which registered terminal it is (a signed cookie, a year), or told it is none."""
    raw = request.POST.get("terminal", "")
    response = HttpResponseRedirect(back)
    if not raw:
        response.delete_cookie(places.COOKIE)
        return response
    terminal = next((t for t in places.terminals() if str(t.id) == raw), None)
    if terminal is None:
        raise PermissionDenied("not a terminal in use here")
    response.set_cookie(places.COOKIE, places.terminal_cookie(terminal), max_age=places.COOKIE_MAX_AGE,
                        secure=request.is_secure(), httponly=True, samesite="Lax")  # fmt: skip
    return response
