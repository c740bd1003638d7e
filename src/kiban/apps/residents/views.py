"""Counter (窓口) pages of the resident registry: search, a person's record, and one wizard per procedure.

A wizard has three steps: enter (入力), confirm (確認), done (完了). Between steps its state travels in one hidden
field signed with ``django.core.signing`` (which wizard, for whom, on which household, the request id, and after
step 1 the data entered), so nothing posted is trusted: a tampered field is refused, and the data are validated
again by the form and by the service when recorded. The request id is made when the wizard opens; the services are
idempotent by request id, so a confirmation submitted twice records the procedure once.

The last step of a procedure wizard does not write in the register: it keeps a provisional entry (仮登録,
標準仕様書 4.0.8, ``provisional.enter``) after running the procedure's checks and rolling them back, so the clerk sees
the service's refusals at once. A supervisor registers it (本登録) from the list (``provisional_views``), which
replays the same form against the register as it is then.

Every view runs inside ``staff_view``, i.e. inside the staff member's tenant context, which is one database
transaction (kiban.platform.tenants.context): a refused procedure rolls back its own savepoint and writes nothing.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse

from kiban.platform.audit.services import Event as AuditEvent
from kiban.platform.audit.services import record_many
from kiban.platform.events.models import Event
from kiban.platform.tenants.models import Tenant
from kiban.platform.web.staff import staff_view

from . import (
    acceptance,
    certificates,
    csv_import,
    events,
    forms,
    guardianship,
    mail_names,
    manual,
    other_businesses,
    personal_notice,
    places,
    provisional,
    remarks,
    search_history,
    selectors,
    services,
    support,
    visibility,
)
from .models import Procedure, ProvisionalEntry, Resident, SupportMeasure
from .permissions import PROCEDURE_ROLES, READ_ROLES, SUPERVISOR_ROLES
from .validation import (
    BY_AUTHORITY,
    LATE_NOTIFICATION,
    ON_APPLICATION,
    SAME_AS_REMOVED_RECORD,
    Problems,
    ProcedureError,
)

# Kept for callers that import the search forms from here.
SearchForm = forms.SearchForm
PurposeForm = forms.PurposeForm

STATE_SALT = "kiban.residents.counter.wizard"
STATE_MAX_AGE = 60 * 60  # seconds; a wizard left open longer starts again
DONE_SESSION_KEY = "residents.counter.done"
DONE_KEPT = 10
FLAG_LABELS = {
    LATE_NOTIFICATION: ("届出期間経過", "Notified after the legal period (法22条・23条・25条)"),
    SAME_AS_REMOVED_RECORD: ("除票と氏名・性別・生年月日が一致（再転入者の可能性）",
                             "Name, sex and birth date match a removed record (possibly a returning resident)"),
    BY_AUTHORITY: ("職権による（届出なし）", "By authority (nobody notified)"),
    ON_APPLICATION: ("申出による職権記載等（届出日は申出日）",
                     "Ex officio on a person's application (notified on = applied on)"),
}  # fmt: skip
DETAIL_DATES = ("birth_date", "became_resident_on", "moved_in_on", "removed_on", "period_of_stay_until")
BRANCH_SESSION_KEY = "residents.counter.branch"
PURPOSE_EXAMPLES = ("住民票の写しの交付", "転入届の受付", "転居届の受付", "転出届の受付", "届出内容の確認", "税務調査")


# Dates are shown by forms.display_date (標準仕様書 1.1.9, j90): 和暦 only; 西暦 only for a foreign resident's birth
# date and 在留期間の満了の日 (forms.person_date decides by the item).
era = forms.display_date


def _has_role(request: HttpRequest, roles: tuple[str, ...]) -> bool:
    user: Any = request.user
    return any(user.has_role(r) for r in roles)


def counter_place(request: HttpRequest) -> places.Counter | None:
    """The registered terminal this browser is (標準仕様書 1.3.1, ``places``), with its place, if any."""
    return places.counter_of(request.COOKIES.get(places.COOKIE))


def counter_branch(request: HttpRequest) -> str:
    """The counter's 入力支所 kept with each provisional entry (``branch_of`` this browser's terminal)."""
    return branch_of(request, counter_place(request))


def branch_of(request: HttpRequest, counter: places.Counter | None) -> str:
    """The 入力支所 of a counter: the place of its registered terminal (標準仕様書 1.3.1), else chosen per session on
    the list of provisional entries, by default the setting ``KIBAN_COUNTER_BRANCH`` (本庁)."""
    if counter is not None:
        return counter.place
    default = str(getattr(settings, "KIBAN_COUNTER_BRANCH", "本庁"))
    return str(request.session.get(BRANCH_SESSION_KEY) or default)


# ---------------------------------------------------------------------------------------------------------------
# Search and a person's record


@staff_view(*READ_ROLES)
def resident_search(request: HttpRequest) -> HttpResponse:
    user_id = int(request.user.pk or 0)
    if request.method == "POST" and request.POST.get("action") == "clear-history":  # the user's own, on request
        cleared = search_history.forget(user_id)
        return render(request, "residents/search.html", _page(request, form=forms.SearchForm(), results=None,
                                                              recent=[], cleared=cleared))  # fmt: skip
    chosen = request.GET.get("history", "")
    entry = search_history.find(user_id, int(chosen)) if chosen.isdigit() else None
    # 検索履歴 (標準仕様書 2.1.1): a kept condition chosen to be changed fills the form, and searches nothing yet.
    if chosen:  # one no longer kept (or not this user's) gives the empty form
        form = forms.SearchForm(initial=search_history.initial(entry) if entry else None)
    else:
        form = forms.SearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
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
            search_history.remember(user_id, criteria, data["purpose"])
            results = [
                {"r": r, "birth": forms.person_date(r, "birth_date"), "protected": getattr(r, "protected", False)}
                for r in found
            ]
            if results:  # the first result takes the focus: Enter opens it, Tab goes on to the next
                form.fields["kana"].widget.attrs.pop("autofocus", None)
    status = 400 if form.is_bound and not form.is_valid() else 200
    recent = [{"h": h, "query": search_history.query(h)} for h in search_history.recent(user_id)]
    page = _page(request, form=form, results=results, recent=recent)
    return render(request, "residents/search.html", page, status=status)


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
    # 転出予定 (標準仕様書 1.1.5, j50): removed by a move-out whose planned date has not come; still on the register.
    row = Resident.objects.only("id", "status", "removed_on", "household_id").get(id=resident_id)
    moving_out = not registered and selectors.is_current(row)
    # The household as it stands today (j50): a member whose 転出 waits for its planned date is still in it, marked
    # 転出予定 as on their own page, and everyone has today's 世帯主・続柄. Its members are read (and audited as opened)
    # only when there are others than this person on the register; a count reads no personal item.
    on_register = Resident.objects.filter(selectors.current(), household_id=row.household_id)
    others = (registered or moving_out) and on_register.exclude(id=resident_id).exists()
    members = selectors.household_today(resident_id, purpose) if others else []
    today_row = next((m for m in members if m.id == resident_id), None)
    if registered and today_row is not None:  # a member who stays: today's 続柄, as in the household table (the
        resident = today_row  # latest entry is the 転出's, which gives the new ones from its planned date on)
    leaving = Resident.objects.filter(id__in=[m.id for m in members]).exclude(status=Resident.Status.REGISTERED)
    moving_on = {r.id: forms.person_date(r, "removed_on") for r in leaving.only("id", "kind", "removed_on")}
    # 住民票 one at a time (標準仕様書 2.2.1, j350): the current one's history, links to the earlier ones.
    records = selectors.records_of(resident_id)
    raw_record = request.GET.get("record", "")
    chosen = int(raw_record) if raw_record.isdigit() else None
    if chosen is None or not any(r.number == chosen for r in records) or (records and chosen == records[-1].number):
        chosen = None
    history = selectors.history(resident_id, purpose, chosen)
    undoable = None  # the procedure of the current 住民票's last entry, which a supervisor may undo (異動の取消し)
    if chosen is None and history and _has_role(request, WIZARDS["cancel"].roles):
        last = history[-1].procedure
        undoable = last.id if last.kind not in services.CANCEL_REASONS else None
    # 消除対象者記載 (標準仕様書 3.3, j430): the household's members removed by a move-out or a death, below the others.
    removed = selectors.household_removed(row.household_id, purpose) if registered or moving_out else []
    protected = selectors.protected_ids([resident_id, *(m.id for m in members), *(m.id for m in removed)])
    entered = remarks.entered(resident_id)  # 統合記載欄 (標準仕様書 1.1.14): 留意事項 with their entries, 備考 apart
    hidden = visibility.hidden_for(int(request.user.pk or 0))  # 操作権限設定 (標準仕様書 10.4)
    context = {
        "resident": resident,
        "purpose": purpose,
        "registered": registered,
        "protected": resident_id in protected,
        "dates": {k: forms.person_date(resident, k) for k in DETAIL_DATES},
        "members": [{"m": m, "birth": forms.person_date(m, "birth_date"), "protected": m.id in protected,
                     "moving_out": moving_on.get(m.id, "")} for m in members],
        "removed_members": [{"m": m, "birth": forms.person_date(m, "birth_date"), "protected": m.id in protected,
                             "removed_on": forms.person_date(m, "removed_on")} for m in removed],
        "history": [{**_history_row(h), "undo": h.procedure_id == undoable, "notes": entered.notes.get(h.seq, ())}
                    for h in history],
        "remarks": entered.remarks,
        # 郵便物送付コード (標準仕様書 1.1.19, j190): kept for foreign residents only
        "mail_name": mail_names.label(mail_names.in_force([resident_id]).get(resident_id))
        if resident.kind == Resident.Kind.FOREIGN else None,
        "moving_out": moving_out,
        "current": registered or moving_out,
        "record_number": chosen or (records[-1].number if records else None),
        "viewing_current": chosen is None,
        "records": [{"r": r, "began": era(r.began_on), "removed": era(r.removed_on), "current": i == len(records) - 1}
                    for i, r in enumerate(records)] if len(records) > 1 else [],
        "procedures": [
            w for w in WIZARDS.values()
            if w.needs in ("household", "resident") and _has_role(request, w.roles)
            and visibility.WIZARD_SUBJECTS.get(w.slug) not in hidden
            and (not w.foreign_only or resident.kind == Resident.Kind.FOREIGN)
        ] if registered else [],
        "measures": None,
        "hidden": hidden,
        # 転出証明書 (標準仕様書 4.1.3.0.3, j660): issued, or reissued, from the page of the move-out
        "move_out_procedure": selectors.move_out_procedure_of(resident_id) if not registered else None,
    }  # fmt: skip
    if _has_role(request, SUPERVISOR_ROLES):  # clerks see the marker only
        context["measures"] = _measure_rows(SupportMeasure.objects.filter(resident_id=resident_id).order_by("id"))
        context["guardianship"] = guardianship.active(resident_id) is not None  # 成年被後見人 (9.4): supervisors
        context["personal_notice"] = personal_notice.active(resident_id) is not None  # 本人通知 (8.1.1)
    return render(request, "residents/detail.html", _page(request, **context))


@staff_view(*READ_ROLES)
def resident_issued(request: HttpRequest, resident_id: int) -> HttpResponse:
    """交付履歴照会 (標準仕様書 2.2.2, j360): the certificates issued that name this person, on request only (a read
    of its own, audited with the purpose given; the record page links to it)."""
    opened = _opened(request, request.GET, resident_id)
    if isinstance(opened, HttpResponse):
        return opened
    purpose, person = opened
    issued = [{"i": i, "on": era(i.issued_on)} for i in selectors.issued_to(resident_id, purpose)]
    return render(request, "residents/issued.html", _page(request, person=person, purpose=purpose, issued=issued))


@staff_view(*READ_ROLES)
def resident_other_businesses(request: HttpRequest, resident_id: int) -> HttpResponse:
    """他業務照会 (標準仕様書 7.2.2, j1180): what other businesses hold on this person, on request only (each answer
    audited with the purpose given, here and by the business answering)."""
    opened = _opened(request, request.GET, resident_id)
    if isinstance(opened, HttpResponse):
        return opened
    purpose, person = opened
    found = other_businesses.inquire(resident_id, purpose)
    return render(request, "residents/other_businesses.html", _page(request, person=person, purpose=purpose,
                                                                     found=found))  # fmt: skip


def _opened(request: HttpRequest, data: Any, resident_id: int) -> HttpResponse | tuple[str, Resident]:
    """A page on one person asks for the purpose first (its reads are audited with it); 404 for no such person."""
    form = forms.PurposeForm(data or None)
    if not form.is_valid():
        return render(request, "residents/purpose.html", _page(request, form=form), status=400 if data else 200)
    person = Resident.objects.only("id", "family_name", "given_name").filter(id=resident_id).first()
    if person is None:
        raise Http404("no such resident")
    return form.cleaned_data["purpose"], person


def _history_row(entry: Any) -> dict[str, Any]:
    return {
        "h": entry,
        # 住民異動届受理通知 (標準仕様書 4.1.0.3): printable later from the row of each person the notification moved
        "acceptance": entry.kind == entry.procedure.kind and acceptance.eligible(entry.procedure),
        "effective": era(entry.effective_on),
        "notified": era(entry.notified_on),
        "flags": [FLAG_LABELS.get(f, (f, f))[0] for f in entry.procedure.flags],
    }


def person_page(
    request: HttpRequest, resident_id: int, url_name: str, act: Callable[[int, Any], None]
) -> HttpResponse | tuple[str, Resident, list[Any]]:
    """A page on one person opened with a purpose (its reads audited with it) whose POST runs ``act`` (memos,
    統合記載欄, 成年被後見人): the purpose form while none is given, 404 for no such person, a redirect after an
    action recorded (``done=<action>``); otherwise the purpose, the person and the refusals of a POST (nothing
    written), for the page to show."""
    opened = _opened(request, request.POST if request.method == "POST" else request.GET, resident_id)
    if isinstance(opened, HttpResponse):
        return opened
    purpose, person = opened
    errors: list[Any] = []
    if request.method == "POST":
        try:
            act(resident_id, request.POST)
        except ProcedureError as exc:
            errors = [forms.error_text(e) for e in exc.errors]
        else:
            query = urlencode({"purpose": purpose, "done": request.POST.get("action", "")})
            return HttpResponseRedirect(f"{reverse(url_name, args=[resident_id])}?{query}")
    return purpose, person, errors


def _page(request: HttpRequest, **context: Any) -> dict[str, Any]:
    return {
        "purpose_examples": PURPOSE_EXAMPLES, "relationship_examples": forms.RELATIONSHIP_EXAMPLES,
        "residence_statuses": forms.RESIDENCE_STATUSES, "certificate_purposes": forms.CERTIFICATE_PURPOSES,
        "address_correction_reasons": forms.ADDRESS_CORRECTION_REASONS,
        "is_supervisor": _has_role(request, SUPERVISOR_ROLES), "help_topic": manual.topic_for(request), **context,
    }  # fmt: skip


# ---------------------------------------------------------------------------------------------------------------
# Procedure wizards


@dataclass(frozen=True)
class Flow:
    """A page with steps that is not a registry procedure (証明書交付, 支援措置): its names and who may use it."""

    slug: str
    ja: str
    en: str
    roles: tuple[str, ...] = PROCEDURE_ROLES
    takes_csv: bool = False  # its first step may be filled from a CSV (標準仕様書 10.8, ``csv_import``)

    @property
    def supervisor_only(self) -> bool:
        return self.roles == SUPERVISOR_ROLES


@dataclass(frozen=True)
class Wizard:
    slug: str
    ja: str
    en: str
    form: type[forms.ProcedureForm]
    # "household" (opened from a member's record), "resident", "notice" (from the list of advance notices),
    # "procedure" (異動の取消し, from a history row of a record), or nothing (転入, 職権記載)
    needs: str = ""
    roles: tuple[str, ...] = PROCEDURE_ROLES
    accesskey: str = ""
    foreign_only: bool = False  # offered on foreign residents' records only
    takes_csv: bool = True  # its first step may be filled from a CSV (標準仕様書 10.8, ``csv_import``)

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
        Wizard("residence-status", "在留資格等の変更", "Change of residence status, period or card",
               forms.ResidenceStatusForm, "resident", foreign_only=True),
        Wizard("former-surname", "旧氏の記載・変更・削除", "Former surname (on request)", forms.FormerSurnameForm,
               "resident"),
        Wizard("move-in-from-notice", "転入届（転出証明書情報から）", "Move in from an advance notice",
               forms.MoveInFromNoticeForm, "notice"),
        Wizard("registration", "職権記載", "Entry by authority", forms.RegistrationForm, "", SUPERVISOR_ROLES),
        Wizard("cancel", "異動の取消し", "Cancel a recorded change", forms.CancelForm, "procedure", SUPERVISOR_ROLES),
        Wizard("nationality", "帰化・国籍取得・国籍喪失", "Naturalization, acquisition or loss of Japanese nationality",
               forms.NationalityForm, "resident", SUPERVISOR_ROLES),
        Wizard("address-correction", "住所の軽微な修正", "Minor correction of the address (住居表示の実施 …)",
               forms.AddressCorrectionForm, "household", SUPERVISOR_ROLES),
    )
}  # fmt: skip
CERTIFICATE = Flow("certificate", "証明書交付", "Issue a certificate", takes_csv=True)
SUPPORT = Flow("support", "支援措置の管理", "Support measures", SUPERVISOR_ROLES)


@dataclass
class State:
    """What the signed hidden field carries between the steps of one wizard."""

    wizard: str
    request_id: str
    user: int
    target: int | str | None = None  # the household or resident (id) or the advance notice (UUID) worked on
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


def _read_state(request: HttpRequest, wizard: Wizard | Flow) -> State:
    try:
        raw = signing.loads(request.POST.get("state", ""), salt=STATE_SALT, max_age=STATE_MAX_AGE)
        state = State(**raw)
    except (signing.BadSignature, TypeError) as exc:
        raise StateRefused from exc
    if state.wizard != wizard.slug or state.user != request.user.pk:
        raise StateRefused
    return state


def _target(request: HttpRequest, wizard: Wizard) -> int | str | None:
    raw = request.GET.get(wizard.needs, "") if wizard.needs else ""
    if wizard.needs == "notice":
        try:
            return str(uuid.UUID(raw))
        except ValueError:
            return None
    return int(raw) if raw.isdigit() else None


def _context(wizard: Wizard, target: int | str | None, opening: bool = False,
             purpose: str = "") -> forms.WizardContext | None:  # fmt: skip
    """The household and its registered members (or the resident, the notice, the procedure to undo) the wizard
    works on; None if there is none here. A notice already used opens no new wizard (``opening``), but a wizard
    under way still finds it, so a repeated confirmation answers with the procedure already recorded."""
    purpose = purpose or f"{wizard.ja}の受付"
    if not wizard.needs:
        return forms.WizardContext()
    if target is None:
        return None
    if wizard.needs == "notice":
        if opening and target not in {str(e.event_id) for e in services.move_out_notices()}:
            return None
        notice = Event.objects.filter(type=events.MOVE_OUT_NOTICE.name, event_id=target).first()
        return forms.WizardContext(notice=notice) if notice is not None else None
    assert isinstance(target, int)
    if wizard.needs == "procedure":  # 異動の取消し: the procedure and its persons as recorded now
        procedure = Procedure.objects.filter(id=target).first()
        if procedure is None:
            return None
        ids = dict.fromkeys(procedure.entries.order_by("seq").values_list("resident_id", flat=True))
        persons = [p for p in (selectors.open_resident(rid, purpose) for rid in ids) if p is not None]
        # chosen at first: the persons whose last change is this procedure (the others must undo later ones first)
        undoable = [p.id for p in persons if p.version == procedure.entries.filter(resident_id=p.id).aggregate(
            last=Max("seq"))["last"]]  # fmt: skip
        return forms.WizardContext(members=persons, procedure=procedure, undoable=undoable) if persons else None
    if wizard.needs == "resident":
        resident = selectors.open_resident(target, purpose)
        if resident is None or resident.status != "registered":
            return None
        members = selectors.household_members(resident.household_id, purpose) if wizard.form.reads_household else []
        return forms.WizardContext(household_id=resident.household_id, resident=resident, members=members)
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
    hidden = visibility.hidden_for(int(request.user.pk or 0))  # 操作権限設定 (標準仕様書 10.4)
    if visibility.WIZARD_SUBJECTS.get(slug) in hidden:
        raise PermissionDenied(f"{wizard.ja}: its subject is an item hidden from this user (操作権限設定)")
    reopened: ProvisionalEntry | None = None
    if request.method == "POST":
        try:
            state = _read_state(request, wizard)
        except StateRefused:
            return _render(request, "residents/wizard_expired.html", wizard, None, status=400)
    elif request.GET.get("entry", "").isdigit():  # 修正 of a provisional entry: its data and its request id
        reopened = ProvisionalEntry.objects.filter(
            id=int(request.GET["entry"]), procedure_kind=wizard.slug, status=ProvisionalEntry.Status.PROVISIONAL
        ).first()
        if reopened is None:
            raise Http404("no such provisional entry")
        state = State(wizard.slug, reopened.request_id, int(request.user.pk or 0), entry_target(wizard, reopened))
    else:
        state = State(wizard.slug, f"ui-{secrets.token_hex(16)}", int(request.user.pk or 0), _target(request, wizard))
    context = _context(wizard, state.target, opening=request.method != "POST" and reopened is None)
    if context is None:
        return _render(request, "residents/wizard_no_target.html", wizard, None, status=400 if state.target else 200)
    action = request.POST.get("action", "next")

    def build(data: Any, **options: Any) -> forms.ProcedureForm:
        """The wizard's form, the items hidden from this user left out (``ProcedureForm.conceal``)."""
        built = cast(Any, wizard.form)(data, context=context, **options)
        built.conceal(hidden)
        return cast(forms.ProcedureForm, built)

    if request.method != "POST":
        data = entry_query(reopened) if reopened is not None else None
        return _entry(request, wizard, state, build(data))
    if action == "add-person" and issubclass(wizard.form, forms.MoveInForm):
        return _entry(request, wizard, state, build(request.POST, extra_person=True))
    if action == "import-csv":  # CSV形式のデータの取込 (標準仕様書 10.8): step 1 filled, nothing recorded
        never = {name for item in hidden for name in visibility.ITEM_FIELDS.get(item, ())}
        persons = issubclass(wizard.form, forms.MoveInForm)
        return _import_csv(request, wizard, state, build(None),
                           (lambda data: build(data, extra_person=True)) if persons else None, never)  # fmt: skip
    if action in ("back", "record") and state.data is None:
        return _render(request, "residents/wizard_expired.html", wizard, None, status=400)
    if action == "back":
        return _entry(request, wizard, replace_data(state, None), build(state.query()))
    if action == "record":
        form = build(state.query())
        if not form.is_valid():  # the household changed since step 1: enter again
            return _entry(request, wizard, replace_data(state, None), form)
        try:
            entered = _enter_provisionally(request, wizard, state, form)
        except ProcedureError as exc:
            form.attach(exc)
            return _entry(request, wizard, replace_data(state, None), form)
        _remember_done(request, wizard, state, form, *entered)
        return HttpResponseRedirect(reverse("resident-procedure-done", args=[wizard.slug, state.request_id]))
    form = build(request.POST)
    if not form.is_valid():
        return _entry(request, wizard, state, form)
    confirmed = replace_data(state, _posted(request))
    return _render(request, "residents/wizard_confirm.html", wizard, confirmed, form=form, rows=form.summary())


def _import_csv(request: HttpRequest, wizard: Wizard | Flow, state: State, blank: Any,
                refill: Callable[[dict[str, str]], Any] | None = None, never: Iterable[str] = (),
                extra: Mapping[str, Any] | None = None) -> HttpResponse:  # fmt: skip
    """Step 1 filled from an uploaded CSV (``csv_import``), to be checked and completed: ``blank`` is the wizard's
    empty form; ``refill`` builds the form from the data instead (a move-in's persons). ``never``: fields not taken
    (the items hidden from this user, 操作権限設定). ``extra``: the page's own context."""
    upload = request.FILES.get("csv")
    try:
        if upload is None:
            problems = Problems()
            problems.add("csv", "required", "取り込むCSVファイルを選んでください。", "Choose the CSV file.")
            problems.raise_if_any()
        assert upload is not None
        imported = csv_import.read(upload.read(csv_import.MAX_BYTES + 1), type(blank),
                                   [f for f in blank.fields if f not in set(never)], never=set(never))  # fmt: skip
    except ProcedureError as exc:
        errors = [forms.error_text(e) for e in exc.errors]
        return _entry(request, wizard, state, blank, csv_errors=errors, **(extra or {}))
    data = csv_import.as_choices(blank, imported.data)
    if refill is not None:
        form = refill(data)
    else:
        form = blank
        form.initial = {**form.initial, **data}
    return _entry(request, wizard, state, form, csv_imported=imported, **(extra or {}))


class _Checked(Exception):
    """Raised to roll back a procedure that was run only for its checks."""


def check_procedure(form: forms.ProcedureForm, request_id: str) -> services.ProcedureResult:
    """Runs the procedure with every check of the service, then rolls it back: nothing reaches the register (a
    仮登録 is not 本登録), but a refusal is shown to the clerk at once, next to the field. Its flags (届出期間経過)
    are those the procedure would have now."""
    result: services.ProcedureResult | None = None
    try:
        with transaction.atomic():
            result = form.procedure(form.notification(request_id))
            raise _Checked
    except _Checked:
        pass
    assert result is not None
    return result


def _enter_provisionally(request: HttpRequest, wizard: Wizard, state: State, form: forms.ProcedureForm,
                         ) -> tuple[ProvisionalEntry, services.ProcedureResult, bool, bool]:  # fmt: skip
    """仮登録 (provisional.enter): the entry, the checked result, whether it repeats an identical entry (a
    confirmation sent twice) and whether it corrects (修正) an entry made before with the same request id."""
    result = check_procedure(form, state.request_id)
    before = ProvisionalEntry.objects.filter(request_id=state.request_id).first()
    if before is not None and before.status != ProvisionalEntry.Status.WITHDRAWN and before.data == state.data:
        return before, result, True, False  # the same confirmation again (double click, reload, after 本登録)
    entry = provisional.enter(
        procedure=wizard.slug, label=wizard.ja, request_id=state.request_id, data=state.data or {},
        target="" if state.target is None else str(state.target), summary=form.headline(),
        branch=before.branch if before is not None else counter_branch(request),  # 修正 keeps where it was entered
        resident_ids=form.concerned_ids(),
    )  # fmt: skip
    return entry, result, False, before is not None


def entry_target(wizard: Wizard, entry: ProvisionalEntry) -> int | str | None:
    """The wizard's target as a provisional entry keeps it (text): a household, resident or procedure id, a UUID."""
    if not entry.target:
        return None
    return entry.target if wizard.needs == "notice" else int(entry.target)


def entry_query(entry: ProvisionalEntry) -> QueryDict:
    """The form data a provisional entry keeps, as posted (a QueryDict), to rebuild the wizard's form."""
    data = QueryDict(mutable=True)
    for key, values in (entry.data or {}).items():
        data.setlist(key, values if isinstance(values, list) else [values])
    return data


def replace_data(state: State, data: dict[str, list[str]] | None) -> State:
    return State(state.wizard, state.request_id, state.user, state.target, data)


def _entry(request: HttpRequest, wizard: Wizard | Flow, state: State, form: Any, **extra: Any) -> HttpResponse:
    pending: list[ProvisionalEntry] = []
    if isinstance(wizard, Wizard):  # other provisional entries for the same persons (not yet in the register)
        ids = form.context.person_ids()
        pending = [e for e in provisional.pending_for(ids) if e.request_id != state.request_id] if ids else []
    correcting = (
        isinstance(wizard, Wizard)
        and ProvisionalEntry.objects.filter(
            request_id=state.request_id, status=ProvisionalEntry.Status.PROVISIONAL
        ).exists()
    )
    return _render(request, "residents/wizard_entry.html", wizard, state, form=form, pending=pending,
                   correcting=correcting, **extra)  # fmt: skip


def _render(request: HttpRequest, template: str, wizard: Wizard | Flow, state: State | None, status: int = 200,
            **context: Any) -> HttpResponse:  # fmt: skip
    steps = {"residents/wizard_entry.html": 1, "residents/wizard_confirm.html": 2, "residents/wizard_done.html": 3,
             "residents/certificate_done.html": 3}  # fmt: skip
    page = _page(request, wizard=wizard, state=state.sign() if state else "", step=steps.get(template, 0), **context)
    return render(request, template, page, status=status)


def _remember_done(request: HttpRequest, wizard: Wizard, state: State, form: forms.ProcedureForm,
                   entry: ProvisionalEntry, result: services.ProcedureResult, replayed: bool,
                   corrected: bool) -> None:  # fmt: skip
    """What the done page shows, kept in the session (not the URL: it holds personal data)."""
    n = form.notification(state.request_id)
    done: dict[str, Any] = dict(request.session.get(DONE_SESSION_KEY, {}))
    done[state.request_id] = {
        "entry_id": entry.id,
        "branch": entry.branch,
        "replayed": replayed,
        "registered": entry.status == ProvisionalEntry.Status.REGISTERED,
        "corrected": corrected,
        "flags": list(result.flags),
        "resident_ids": list(entry.resident_ids),
        "effective_on": n.effective_on.isoformat(),
        "notified_on": n.notified_on.isoformat(),
        "rows": [asdict(r) for r in form.summary()],
    }
    request.session[DONE_SESSION_KEY] = dict(list(done.items())[-DONE_KEPT:])


@staff_view(*READ_ROLES)
def procedure_done(request: HttpRequest, slug: str, request_id: str) -> HttpResponse:
    """完了 of a wizard: the entry is kept as 仮登録, not yet in the register."""
    wizard = WIZARDS.get(slug)
    done: Mapping[str, Any] | None = request.session.get(DONE_SESSION_KEY, {}).get(request_id)
    if wizard is None or done is None:
        raise Http404("no such procedure in this session")
    effective_on, notified_on = date.fromisoformat(done["effective_on"]), date.fromisoformat(done["notified_on"])
    flags = [FLAG_LABELS.get(f, (f, f)) for f in done["flags"]]
    return _render(
        request, "residents/wizard_done.html", wizard, None, done=done, flags=flags,
        effective=era(effective_on), notified=era(notified_on),
        rows=[forms.Row(**r) for r in done["rows"]], check_purpose=f"{wizard.ja}の確認",
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------------------------
# 証明書交付: certificates at the counter (enter → confirm → issued, the signed PDF opened inline for printing)

CERTIFICATE_SESSION_KEY = "residents.counter.certificates"
CERTIFICATES_KEPT = 3  # the PDFs kept in the session for printing again (they hold personal data: only a few)


def _certificate_context(resident_id: int) -> forms.WizardContext | None:
    """The person and whom a certificate may name with them: their household as it stands today (a person whose
    転出 waits for its planned date is still a member and gets a 住民票の写し, 標準仕様書 1.1.5 j50), or, for a
    person no longer on the register (a 除票), the person alone. Each read is audited with the purpose
    証明書交付の受付."""
    purpose = f"{CERTIFICATE.ja}の受付"
    person = selectors.open_resident(resident_id, purpose)
    if person is None:
        return None
    members = selectors.household_today(resident_id, purpose)
    if not any(m.id == person.id for m in members):
        members = [person, *members]
    return forms.WizardContext(household_id=person.household_id, members=members, resident=person)


@staff_view(*READ_ROLES)
def certificate_wizard(request: HttpRequest, resident_id: int) -> HttpResponse:
    if request.method == "POST":
        try:
            state = _read_state(request, CERTIFICATE)
        except StateRefused:
            return _render(request, "residents/wizard_expired.html", CERTIFICATE, None, status=400)
        if state.target != resident_id:
            return _render(request, "residents/wizard_expired.html", CERTIFICATE, None, status=400)
    else:
        state = State(CERTIFICATE.slug, f"ui-{secrets.token_hex(16)}", int(request.user.pk or 0), resident_id)
    context = _certificate_context(resident_id)
    if context is None:
        return _render(request, "residents/wizard_no_target.html", CERTIFICATE, None, status=404)
    action = request.POST.get("action", "next")
    # 本人通知 (標準仕様書 8.1.2, j1230): the registered persons among those offered, shown on every step.
    offered = {"personal_notice_persons": _registered_names(context.members)}
    if request.method != "POST":
        return _entry(request, CERTIFICATE, state, forms.CertificateForm(context=context), **offered)
    if action in ("back", "record") and state.data is None:
        return _render(request, "residents/wizard_expired.html", CERTIFICATE, None, status=400)
    if action == "back":
        return _entry(
            request,
            CERTIFICATE,
            replace_data(state, None),
            forms.CertificateForm(state.query(), context=context),
            **offered,
        )
    if action == "record":
        issued_before = request.session.get(CERTIFICATE_SESSION_KEY, {}).get(state.request_id)
        if issued_before is not None:  # the same confirmation again (double click, reload): nothing new is issued
            _keep_certificate(request, state.request_id, {**issued_before, "replayed": True})
            return HttpResponseRedirect(reverse("resident-certificate-done", args=[state.request_id]))
        form = forms.CertificateForm(state.query(), context=context)
        if not form.is_valid():
            return _entry(request, CERTIFICATE, replace_data(state, None), form, **offered)
        try:
            # 入力場所・入力端末 (1.3.1): recorded with the certificate; at a ward office its 区長 certifies
            counter = counter_place(request)
            wanted = form.request()
            if counter is not None:
                wanted = replace(wanted, place=counter.place, terminal=counter.terminal, ward_code=counter.ward_code)
            issued = certificates.issue(wanted)
        except support.Blocked:
            # Answered, not raised: the refusal's audit entry and the supervisors' alert are written in this
            # view's transaction (staff_view), which an exception would roll back.
            return _render(request, "residents/certificate_refused.html", CERTIFICATE, None, status=403,
                           resident_id=resident_id)  # fmt: skip
        except ProcedureError as exc:
            form.attach(exc)
            return _entry(request, CERTIFICATE, replace_data(state, None), form, **offered)
        c = issued.certificate
        _keep_certificate(request, state.request_id, {
            "issue_number": c.issue_number, "verification_code": c.verification_code,
            "verification_url": certificates.verification_url(c.verification_code), "kind": c.get_kind_display(),
            "issued_on": c.issued_on.isoformat(), "resident_id": resident_id, "replayed": False,
            "rows": [asdict(r) for r in form.summary()], "pdf": base64.b64encode(issued.pdf).decode(),
            "personal_notice": _registered_names([m for m in context.members if m.id in c.resident_ids]),
        })  # fmt: skip
        return HttpResponseRedirect(reverse("resident-certificate-done", args=[state.request_id]))
    if action == "import-csv":  # 交付申請書 as CSV (標準仕様書 10.8): the form filled, nothing issued
        return _import_csv(request, CERTIFICATE, state, forms.CertificateForm(context=context),
                           never=("resident_ids", "requester_resident_id"), extra=offered)  # fmt: skip
    form = forms.CertificateForm(request.POST, context=context)
    if not form.is_valid():
        return _entry(request, CERTIFICATE, state, form, **offered)
    chosen = [m for m in context.members if str(m.id) in form.cleaned_data["resident_ids"]]
    return _render(request, "residents/wizard_confirm.html", CERTIFICATE, replace_data(state, _posted(request)),
                   form=form, rows=form.summary(), record_label=("交付する", "Issue"),
                   personal_notice_persons=_registered_names(chosen))  # fmt: skip


def _registered_names(members: Sequence[forms.ResidentRecord]) -> list[str]:
    """The names of those of ``members`` registered for 本人通知 today (標準仕様書 8.1.2)."""
    registered = personal_notice.registered_among(m.id for m in members)
    return [f"{m.family_name} {m.given_name}" for m in members if m.id in registered]


def _keep_certificate(request: HttpRequest, request_id: str, issued: dict[str, Any]) -> None:
    kept: dict[str, Any] = dict(request.session.get(CERTIFICATE_SESSION_KEY, {}))
    kept.pop(request_id, None)
    kept[request_id] = issued
    request.session[CERTIFICATE_SESSION_KEY] = dict(list(kept.items())[-CERTIFICATES_KEPT:])


def _issued(request: HttpRequest, request_id: str) -> Mapping[str, Any]:
    issued: Mapping[str, Any] | None = request.session.get(CERTIFICATE_SESSION_KEY, {}).get(request_id)
    if issued is None:
        raise Http404("no such certificate in this session")
    return issued


@staff_view(*READ_ROLES)
def certificate_done(request: HttpRequest, request_id: str) -> HttpResponse:
    issued = _issued(request, request_id)
    issued_on = date.fromisoformat(issued["issued_on"])
    return _render(
        request, "residents/certificate_done.html", CERTIFICATE, None, issued=issued, request_id=request_id,
        issued_on=era(issued_on), rows=[forms.Row(**r) for r in issued["rows"]],
        personal_notice_persons=issued.get("personal_notice", []),
        check_purpose=f"{CERTIFICATE.ja}の確認",
    )  # fmt: skip


@staff_view(*READ_ROLES)
def certificate_pdf(request: HttpRequest, request_id: str) -> HttpResponse:
    """The signed PDF as issued, inline: the clerk's browser shows it and prints it."""
    issued = _issued(request, request_id)
    response = HttpResponse(base64.b64decode(issued["pdf"]), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{issued["issue_number"]}.pdf"'
    response["Cache-Control"] = "no-store"  # personal data: not kept by the browser or a proxy
    response["X-Issue-Number"] = issued["issue_number"]
    response["X-Verification-Code"] = issued["verification_code"]
    return response


# ---------------------------------------------------------------------------------------------------------------
# 転入予定: advance notices from other municipalities (転出・転入手続ワンストップ)


@staff_view(*PROCEDURE_ROLES)
def notice_list(request: HttpRequest) -> HttpResponse:
    """The notices not yet used: origin, planned date and the number of persons; no personal item in the list."""
    notices = services.move_out_notices()
    origins = {t.code: t for t in Tenant.objects.filter(code__in={e.data.get("from_tenant", "") for e in notices})}
    rows = []
    for e in notices:
        code = e.data.get("from_tenant", "")
        origin = origins.get(code)
        planned = date.fromisoformat(e.data["planned_on"])
        rows.append({
            "notice_id": str(e.event_id), "origin": f"{origin.prefecture}{origin.name}" if origin else code,
            "origin_code": code, "planned": era(planned),
            "persons": len(e.data.get("persons", [])), "received": era(e.occurred_at),
        })  # fmt: skip
    return render(request, "residents/notices.html", _page(request, rows=rows, wizard=WIZARDS["move-in-from-notice"]))


# ---------------------------------------------------------------------------------------------------------------
# 支援措置: support measures, supervisors only (clerks see the marker on the record and in lists)

SUPPORT_DONE_KEY = "residents.counter.support_done"
SUPPORT_ACTIONS = {
    "apply": ("仮支援措置として受け付けました", "Recorded as a provisional measure"),
    "confirm": ("支援措置を確認しました（期間1年）", "Confirmed for one year"),
    "extend": ("支援措置を延長しました（1年）", "Extended for one year"),
    "release": ("支援措置を解除しました", "Released"),
}


def _measure_rows(measures: Any) -> list[dict[str, Any]]:
    return [{"m": m, **forms.measure_dates(m)} for m in measures]


@staff_view(*SUPERVISOR_ROLES)
def support_manage(request: HttpRequest, resident_id: int) -> HttpResponse:
    """The measures of one person and the actions on them: 申出 (仮支援措置), 確認, 延長, 解除 (support.py)."""
    apply_form = forms.SupportApplyForm(prefix="apply")
    action_forms: dict[int, forms.SupportActionForm] = {}
    status = 200
    if request.method == "POST":
        try:
            state = _read_state(request, SUPPORT)
        except StateRefused:
            return _render(request, "residents/wizard_expired.html", SUPPORT, None, status=400)
        if state.target != resident_id:
            return _render(request, "residents/wizard_expired.html", SUPPORT, None, status=400)
        action = request.POST.get("action", "")
        done: list[str] = list(request.session.get(SUPPORT_DONE_KEY, []))
        if state.request_id in done:  # submitted twice: the first one was recorded
            return HttpResponseRedirect(f"{reverse('resident-support', args=[resident_id])}?done=repeated")
        refused = _support_action(request, resident_id, action, apply_form, action_forms)
        if refused is None:
            request.session[SUPPORT_DONE_KEY] = [*done, state.request_id][-DONE_KEPT:]
            return HttpResponseRedirect(f"{reverse('resident-support', args=[resident_id])}?done={action}")
        apply_form = refused if isinstance(refused, forms.SupportApplyForm) else apply_form
        status = 400
    person = selectors.open_resident(resident_id, SUPPORT.ja)
    if person is None:
        raise Http404("no such resident")
    state = State(SUPPORT.slug, f"ui-{secrets.token_hex(16)}", int(request.user.pk or 0), resident_id)
    measures = list(SupportMeasure.objects.filter(resident_id=resident_id).order_by("id"))
    rows = []
    for row in _measure_rows(measures):
        m = row["m"]
        row["form"] = action_forms.get(m.id) or forms.SupportActionForm(prefix=f"m{m.id}")
        row["open"] = m.released_on is None
        row["can_confirm"] = m.kind == SupportMeasure.Kind.PROVISIONAL
        row["can_extend"] = m.kind == SupportMeasure.Kind.CONFIRMED
        rows.append(row)
    done_message = SUPPORT_ACTIONS.get(request.GET.get("done", ""))
    page = _page(request, wizard=SUPPORT, person=person, rows=rows, apply_form=apply_form, state=state.sign(),
                 in_force=support.in_force(resident_id), done_message=done_message,
                 repeated=request.GET.get("done") == "repeated")  # fmt: skip
    return render(request, "residents/support.html", page, status=status)


def _support_action(request: HttpRequest, resident_id: int, action: str, apply_form: forms.SupportApplyForm,
                    action_forms: dict[int, forms.SupportActionForm]) -> forms.LabelledForm | None:  # fmt: skip
    """Runs one action; None when recorded, else the form with its errors (nothing recorded)."""
    if action == "apply":
        form: forms.LabelledForm = forms.SupportApplyForm(request.POST, prefix="apply")
        if form.is_valid():
            try:
                support.apply(resident_id, requested_by=form.cleaned_data["requested_by"], on=form.cleaned_data["on"])
                return None
            except ProcedureError as exc:
                form.attach(exc)
        return form
    measure_id = request.POST.get("measure", "")
    measure = (
        SupportMeasure.objects.filter(id=int(measure_id), resident_id=resident_id).first()
        if measure_id.isdigit()
        else None
    )
    if measure is None or action not in ("confirm", "extend", "release"):
        raise Http404("no such support measure")
    action_form = forms.SupportActionForm(request.POST, prefix=f"m{measure.id}")
    action_forms[measure.id] = action_form
    if action_form.is_valid():
        on = action_form.cleaned_data["on"]
        try:
            if action == "confirm":
                support.confirm(measure.id, on=on)
            elif action == "extend":
                support.extend(measure.id, on=on)
            else:
                support.release(measure.id, reason=action_form.cleaned_data["reason"] or "", on=on)
            return None
        except ProcedureError as exc:
            action_form.attach(exc)
    return action_form


@staff_view(*SUPERVISOR_ROLES)
def support_alerts(request: HttpRequest) -> HttpResponse:
    """The supervisor's alerts: measures ending within a month (extension open) and periods that ended without an
    extension or a release (still protecting, to be decided on). The persons listed are audited as listed."""
    expiring, ended = support.expiring(), support.ended_without_extension()
    people = Resident.objects.in_bulk({m.resident_id for m in [*expiring, *ended]})
    record_many(AuditEvent("resident.listed", "resident", str(rid), Resident.LIST_FIELDS, SUPPORT.ja) for rid in people)

    def rows(measures: list[SupportMeasure]) -> list[dict[str, Any]]:
        return [{**row, "person": people.get(row["m"].resident_id)} for row in _measure_rows(measures)]

    page = _page(request, wizard=SUPPORT, expiring=rows(expiring), ended=rows(ended), purpose=SUPPORT.ja)
    return render(request, "residents/support_alerts.html", page)


@staff_view(*READ_ROLES)
def address_lookup(request: HttpRequest) -> HttpResponse:
    """住所辞書 entry assistance for the counter's address fields (標準仕様書 1.3.3): ``postal_code`` or ``kana``
    (「ト ヒ シ」) → up to 30 addresses as JSON, the municipality's own dictionary first. No personal data."""
    from django.http import JsonResponse

    from . import address_dictionary

    suggestions = address_dictionary.lookup(
        postal_code=request.GET.get("postal_code", "")[:8], kana=request.GET.get("kana", "")[:32]
    )
    return JsonResponse({"addresses": [asdict(s) for s in suggestions]})
