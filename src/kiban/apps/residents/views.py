"""Counter (窓口) pages of the resident registry: search, a person's record, and one wizard per procedure.

A wizard has three steps: enter (入力), confirm (確認), done (完了). Between steps its state travels in one hidden
field signed with ``django.core.signing`` (which wizard, for whom, on which household, the request id, and after
step 1 the data entered), so nothing posted is trusted: a tampered field is refused, and the data are validated
again by the form and by the service when recorded. The request id is made when the wizard opens; the services are
idempotent by request id, so a confirmation submitted twice records the procedure once.

Every view runs inside ``staff_view``, i.e. inside the staff member's tenant context, which is one database
transaction (kiban.platform.tenants.context): a refused procedure rolls back its own savepoint and writes nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse

from kiban.platform.web.staff import staff_view

from . import forms, selectors
from .models import Resident
from .permissions import PROCEDURE_ROLES, READ_ROLES, SUPERVISOR_ROLES
from .validation import LATE_NOTIFICATION, ProcedureError

# Kept for callers that import the search forms from here.
SearchForm = forms.SearchForm
PurposeForm = forms.PurposeForm

STATE_SALT = "kiban.residents.counter.wizard"
STATE_MAX_AGE = 60 * 60  # seconds; a wizard left open longer starts again
DONE_SESSION_KEY = "residents.counter.done"
DONE_KEPT = 10
FLAG_LABELS = {LATE_NOTIFICATION: ("届出期間経過", "Notified after the legal period (法22条・23条・25条)")}
DETAIL_DATES = ("birth_date", "became_resident_on", "moved_in_on", "removed_on", "period_of_stay_until")
PURPOSE_EXAMPLES = ("住民票の写しの交付", "転入届の受付", "転居届の受付", "転出届の受付", "届出内容の確認", "税務調査")


era = forms.era_text


def _has_role(request: HttpRequest, roles: tuple[str, ...]) -> bool:
    user: Any = request.user
    return any(user.has_role(r) for r in roles)


# ---------------------------------------------------------------------------------------------------------------
# Search and a person's record


@staff_view(*READ_ROLES)
def resident_search(request: HttpRequest) -> HttpResponse:
    form = forms.SearchForm(request.GET or None)
    results = None
    if form.is_valid():
        data = form.cleaned_data
        criteria = selectors.SearchCriteria(
            kana=data["kana"], name=data["name"], address=data["address"], birth_date=data["birth_date"]
        )
        try:
            found = selectors.search(criteria, data["purpose"])
        except ProcedureError as exc:
            for error in exc.errors:
                form.add_error(None, forms.error_text(error))
        else:
            results = [{"r": r, "birth": era(r.birth_date), "protected": getattr(r, "protected", False)} for r in found]
            if results:  # the first result takes the focus: Enter opens it, Tab goes on to the next
                form.fields["kana"].widget.attrs.pop("autofocus", None)
    status = 400 if request.GET and not form.is_valid() else 200
    return render(request, "residents/search.html", _page(request, form=form, results=results), status=status)


@staff_view(*READ_ROLES)
def resident_detail(request: HttpRequest, resident_id: int) -> HttpResponse:
    form = forms.PurposeForm(request.GET or None)
    if not form.is_valid():
        return render(request, "residents/purpose.html", _page(request, form=form), status=400 if request.GET else 200)
    purpose = form.cleaned_data["purpose"]
    resident = selectors.open_resident(resident_id, purpose)
    if resident is None:
        raise Http404("no such resident")
    registered = resident.status == "registered"
    # The household's members are read (and audited as opened) only when there are others than this person; a
    # count reads no personal item.
    others = (
        registered
        and Resident.objects.filter(household_id=resident.household_id, status=Resident.Status.REGISTERED)
        .exclude(id=resident_id)
        .exists()
    )
    members = selectors.household_members(resident.household_id, purpose) if others else []
    history = selectors.history(resident_id, purpose)
    protected = selectors.protected_ids([resident_id, *(m.id for m in members)])
    context = {
        "resident": resident,
        "purpose": purpose,
        "registered": registered,
        "protected": resident_id in protected,
        "dates": {k: era(getattr(resident, k, None)) for k in DETAIL_DATES},
        "members": [{"m": m, "birth": era(m.birth_date), "protected": m.id in protected} for m in members],
        "history": [_history_row(h) for h in history],
        "procedures": [w for w in WIZARDS.values() if w.needs and _has_role(request, w.roles)] if registered else [],
    }
    return render(request, "residents/detail.html", _page(request, **context))


def _history_row(entry: Any) -> dict[str, Any]:
    return {
        "h": entry,
        "effective": era(entry.effective_on),
        "notified": era(entry.notified_on),
        "flags": [FLAG_LABELS.get(f, (f, f))[0] for f in entry.procedure.flags],
    }


def _page(request: HttpRequest, **context: Any) -> dict[str, Any]:
    return {"purpose_examples": PURPOSE_EXAMPLES, "relationship_examples": forms.RELATIONSHIP_EXAMPLES, **context}


# ---------------------------------------------------------------------------------------------------------------
# Procedure wizards


@dataclass(frozen=True)
class Wizard:
    slug: str
    ja: str
    en: str
    form: type[forms.ProcedureForm]
    needs: str = ""  # "household" (opened from a member's record), "resident", or nothing (転入)
    roles: tuple[str, ...] = PROCEDURE_ROLES
    accesskey: str = ""

    @property
    def supervisor_only(self) -> bool:
        return self.roles == SUPERVISOR_ROLES


WIZARDS: dict[str, Wizard] = {
    w.slug: w
    for w in (
        Wizard("move-in", "転入届", "Move in", forms.MoveInForm, accesskey="i"),
        Wizard("move-within", "転居届", "Move within the municipality", forms.MoveWithinForm, "household"),
        Wizard("move-out", "転出届", "Move out", forms.MoveOutForm, "household"),
        Wizard("birth", "出生", "Birth", forms.BirthForm, "household"),
        Wizard("death", "死亡", "Death", forms.DeathForm, "household"),
        Wizard("householder", "世帯主変更届", "Change of householder", forms.HouseholderForm, "household"),
        Wizard(
            "household",
            "世帯分離・世帯合併・世帯変更",
            "Split, merge or change households",
            forms.HouseholdChangeForm,
            "household",
        ),
        Wizard("removal", "職権消除", "Removal by authority", forms.RemovalForm, "household", SUPERVISOR_ROLES),
        Wizard("correction", "職権修正", "Correction by authority", forms.CorrectionForm, "resident", SUPERVISOR_ROLES),
    )
}


@dataclass
class State:
    """What the signed hidden field carries between the steps of one wizard."""

    wizard: str
    request_id: str
    user: int
    target: int | None = None  # the household or resident the wizard works on
    data: dict[str, list[str]] | None = None

    def sign(self) -> str:
        return signing.dumps(asdict(self), salt=STATE_SALT, compress=True)

    def query(self) -> QueryDict:
        data = QueryDict(mutable=True)
        for key, values in (self.data or {}).items():
            data.setlist(key, values)
        return data


class StateRefused(Exception):
    pass


def _read_state(request: HttpRequest, wizard: Wizard) -> State:
    try:
        raw = signing.loads(request.POST.get("state", ""), salt=STATE_SALT, max_age=STATE_MAX_AGE)
        state = State(**raw)
    except (signing.BadSignature, TypeError) as exc:
        raise StateRefused from exc
    if state.wizard != wizard.slug or state.user != request.user.pk:
        raise StateRefused
    return state


def _target(request: HttpRequest, wizard: Wizard) -> int | None:
    raw = request.GET.get(wizard.needs, "") if wizard.needs else ""
    return int(raw) if raw.isdigit() else None


def _context(wizard: Wizard, target: int | None) -> forms.WizardContext | None:
    """The household and its registered members (or the resident) the wizard works on; None if there is none here."""
    purpose = f"{wizard.ja}の受付"
    if not wizard.needs:
        return forms.WizardContext()
    if target is None:
        return None
    if wizard.needs == "resident":
        resident = selectors.open_resident(target, purpose)
        if resident is None or resident.status != "registered":
            return None
        return forms.WizardContext(household_id=resident.household_id, resident=resident)
    members = selectors.household_members(target, purpose)
    return forms.WizardContext(household_id=target, members=members) if members else None


def _posted(request: HttpRequest) -> dict[str, list[str]]:
    return {k: request.POST.getlist(k) for k in request.POST if k not in ("csrfmiddlewaretoken", "state", "action")}


@staff_view(*PROCEDURE_ROLES)
def procedure_menu(request: HttpRequest) -> HttpResponse:
    wizards = [w for w in WIZARDS.values() if _has_role(request, w.roles)]
    return render(request, "residents/procedures.html", _page(request, wizards=wizards))


@staff_view(*READ_ROLES)
def procedure_wizard(request: HttpRequest, slug: str) -> HttpResponse:
    wizard = WIZARDS.get(slug)
    if wizard is None:
        raise Http404("no such procedure")
    if not _has_role(request, wizard.roles):
        raise PermissionDenied(f"{wizard.ja} needs the supervisor role (決裁)")
    if request.method == "POST":
        try:
            state = _read_state(request, wizard)
        except StateRefused:
            return _render(request, "residents/wizard_expired.html", wizard, None, status=400)
    else:
        state = State(wizard.slug, f"ui-{secrets.token_hex(16)}", int(request.user.pk or 0), _target(request, wizard))
    context = _context(wizard, state.target)
    if context is None:
        return _render(request, "residents/wizard_no_target.html", wizard, None, status=400 if state.target else 200)
    action = request.POST.get("action", "next")
    if request.method != "POST":
        return _entry(request, wizard, state, wizard.form(context=context))
    if action == "add-person" and wizard.form is forms.MoveInForm:
        return _entry(request, wizard, state, forms.MoveInForm(request.POST, context=context, extra_person=True))
    if action in ("back", "record") and state.data is None:
        return _render(request, "residents/wizard_expired.html", wizard, None, status=400)
    if action == "back":
        return _entry(request, wizard, replace_data(state, None), wizard.form(state.query(), context=context))
    if action == "record":
        form = wizard.form(state.query(), context=context)
        if not form.is_valid():  # the household changed since step 1: enter again
            return _entry(request, wizard, replace_data(state, None), form)
        try:
            result = form.procedure(form.notification(state.request_id))
        except ProcedureError as exc:
            form.attach(exc)
            return _entry(request, wizard, replace_data(state, None), form)
        _remember_done(request, wizard, state, form, result)
        return HttpResponseRedirect(reverse("resident-procedure-done", args=[wizard.slug, state.request_id]))
    form = wizard.form(request.POST, context=context)
    if not form.is_valid():
        return _entry(request, wizard, state, form)
    confirmed = replace_data(state, _posted(request))
    return _render(request, "residents/wizard_confirm.html", wizard, confirmed, form=form, rows=form.summary())


def replace_data(state: State, data: dict[str, list[str]] | None) -> State:
    return State(state.wizard, state.request_id, state.user, state.target, data)


def _entry(request: HttpRequest, wizard: Wizard, state: State, form: forms.ProcedureForm) -> HttpResponse:
    return _render(request, "residents/wizard_entry.html", wizard, state, form=form)


def _render(request: HttpRequest, template: str, wizard: Wizard, state: State | None, status: int = 200,
            **context: Any) -> HttpResponse:  # fmt: skip
    steps = {"residents/wizard_entry.html": 1, "residents/wizard_confirm.html": 2, "residents/wizard_done.html": 3}
    page = _page(request, wizard=wizard, state=state.sign() if state else "", step=steps.get(template, 0), **context)
    return render(request, template, page, status=status)


def _remember_done(request: HttpRequest, wizard: Wizard, state: State, form: forms.ProcedureForm, result: Any) -> None:
    """What the done page shows, kept in the session (not the URL: it holds personal data)."""
    n = form.notification(state.request_id)
    done: dict[str, Any] = dict(request.session.get(DONE_SESSION_KEY, {}))
    done[state.request_id] = {
        "procedure_id": result.procedure_id,
        "kind": result.kind,
        "replayed": result.replayed,
        "flags": list(result.flags),
        "resident_ids": list(result.resident_ids),
        "household_ids": list(result.household_ids),
        "effective_on": n.effective_on.isoformat(),
        "notified_on": n.notified_on.isoformat(),
        "rows": [asdict(r) for r in form.summary()],
    }
    request.session[DONE_SESSION_KEY] = dict(list(done.items())[-DONE_KEPT:])


@staff_view(*READ_ROLES)
def procedure_done(request: HttpRequest, slug: str, request_id: str) -> HttpResponse:
    wizard = WIZARDS.get(slug)
    done: Mapping[str, Any] | None = request.session.get(DONE_SESSION_KEY, {}).get(request_id)
    if wizard is None or done is None:
        raise Http404("no such procedure in this session")
    effective_on, notified_on = date.fromisoformat(done["effective_on"]), date.fromisoformat(done["notified_on"])
    flags = [FLAG_LABELS.get(f, (f, f)) for f in done["flags"]]
    return _render(
        request, "residents/wizard_done.html", wizard, None, done=done, flags=flags,
        effective=f"{era(effective_on)} ({effective_on.isoformat()})",
        notified=f"{era(notified_on)} ({notified_on.isoformat()})",
        rows=[forms.Row(**r) for r in done["rows"]], check_purpose=f"{wizard.ja}の確認",
    )  # fmt: skip
