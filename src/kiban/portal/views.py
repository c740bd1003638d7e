"""Portal pages: choose the municipality, sign in over OpenID Connect, see what the municipality holds."""

from __future__ import annotations

import time
import unicodedata
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from kiban.platform.audit.actor import Actor, acting_as
from kiban.platform.tenants.context import tenant_context
from kiban.platform.tenants.models import Tenant
from kiban.standard.contracts import registry

from . import identity, oidc, services
from .forms import PortalForm, form_for
from .i18n import both, localized, message
from .models import Submission
from .procedures import PROCEDURES

SESSION_KEY = "portal"
MESSAGES = {  # shown on the refusal page (portal/refused.html), English from locale/en
    "not_found": _(
        "ご本人の住民記録が見つかりませんでした。住所・氏名・生年月日が住民票と同じか確認し、窓口にご相談ください。"
    ),
    "ambiguous": _("ご本人を1人に特定できませんでした。安全のため、窓口でお手続きください。"),
    "claims_missing": _("本人確認に必要な情報（氏名・住所・生年月日）を受け取れませんでした。"),
    "unavailable": _("本人確認のサービスにつながりません。しばらくしてからお試しください。"),
    "failed": _("本人確認に失敗しました。もう一度お試しください。"),
}


def _tenant(code: str) -> Tenant:
    tenant = Tenant.objects.filter(code=code, active=True).first()
    if tenant is None:
        raise Http404("no such municipality")
    return tenant


def signed_in(view: Any) -> Any:
    """The resident linked at sign-in, in their municipality's context, acting as the resident (audited)."""

    @wraps(view)
    @localized
    def wrapper(request: HttpRequest, code: str, *args: Any, **kwargs: Any) -> HttpResponse:
        session = request.session.get(SESSION_KEY)
        if not session or session.get("tenant") != code or not session.get("resident_id"):
            return redirect(reverse("portal-login", args=[code]))
        with acting_as(Actor("resident", session["sub"])), tenant_context(code, sole=True):
            return view(request, code, session["resident_id"], *args, **kwargs)

    return wrapper


@localized
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"tenants": Tenant.objects.filter(active=True).order_by("code")})


@localized
def login(request: HttpRequest, code: str) -> HttpResponse:
    tenant = _tenant(code)
    request.session["portal_login_tenant"] = tenant.code
    try:
        return oidc.client().authorize_redirect(request, request.build_absolute_uri(reverse("portal-callback")))
    except Exception:  # the provider cannot be reached (network, metadata): say so, do not fail with a 500
        return render(request, "portal/refused.html", {"message": MESSAGES["unavailable"]}, status=503)


@localized
def callback(request: HttpRequest) -> HttpResponse:
    code = request.session.get("portal_login_tenant")
    if not code:
        return render(request, "portal/refused.html", {"message": MESSAGES["failed"]}, status=400)
    try:
        token = oidc.client().authorize_access_token(request)
    except Exception:  # authlib raises several error types (state mismatch, denied, bad token)
        return render(request, "portal/refused.html", {"message": MESSAGES["failed"]}, status=400)
    claims = dict(token.get("userinfo") or {})
    with acting_as(Actor("resident", str(claims.get("sub", "")))), tenant_context(code):
        found = identity.match(claims)
    if found.resident_id is None:
        return render(request, "portal/refused.html", {"message": MESSAGES[found.problem]}, status=403)
    request.session.cycle_key()
    request.session[SESSION_KEY] = {
        "tenant": code,
        "resident_id": found.resident_id,
        "sub": str(claims["sub"]),
        "signed_in_at": int(time.time()),
    }
    return redirect(reverse("portal-mypage", args=[code]))


@require_POST
def logout(request: HttpRequest, code: str) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    return redirect(reverse("portal-home"))


@signed_in
def mypage(request: HttpRequest, code: str, resident_id: int) -> HttpResponse:
    person = registry().record(resident_id, "住民ポータル: ご本人の登録内容の表示")
    if person is None:
        request.session.pop(SESSION_KEY, None)
        return render(request, "portal/refused.html", {"message": MESSAGES["not_found"]}, status=403)
    return render(request, "portal/mypage.html", {"person": person, "tenant": _tenant(code)})


# --- preferences: large text, high contrast, readings (ruby), plain Japanese, English -------------------------------

PREFERENCES = ("large", "contrast", "ruby", "easy")


def preferences(request: HttpRequest) -> HttpResponse:
    """Switches that work without JavaScript (a GET link per switch), kept in the session."""
    prefs = dict(request.session.get("portal_prefs", {}))
    for name in PREFERENCES:
        if name in request.GET:
            prefs[name] = request.GET[name] == "1"
    lang = request.GET.get("lang")
    if lang in ("ja", "en"):
        prefs["lang"] = lang
    request.session["portal_prefs"] = prefs
    back = request.GET.get("next", "/portal/")
    return redirect(back if back.startswith("/portal/") else "/portal/")


# --- procedures ------------------------------------------------------------------------------------------------------


@signed_in
def procedure_list(request: HttpRequest, code: str, resident_id: int) -> HttpResponse:
    mine = [
        (s, PROCEDURES.get(s.procedure))
        for s in Submission.objects.filter(resident_id=resident_id).order_by("-id")[:20]
    ]
    return render(request, "portal/procedures.html", {"procedures": PROCEDURES.values(), "mine": mine, "code": code})


@signed_in
@require_POST
def procedure_start(request: HttpRequest, code: str, resident_id: int, slug: str) -> HttpResponse:
    spec = PROCEDURES.get(slug)
    if spec is None:
        raise Http404("no such procedure")
    submission = services.start(spec, resident_id, request.session[SESSION_KEY]["sub"])
    return redirect(reverse("portal-submission", args=[code, submission.id]))


def _entered(spec: Any, submission: Submission, names: dict[int, str]) -> list[tuple[Any, str]]:
    """What the resident entered, under each field's label (persons by name, not by id)."""
    shown = []
    for f in spec.fields:
        value = submission.data.get(f.name)
        if value and f.kind == "members":
            value = "、".join(names.get(int(m), str(m)) for m in value)
        if value:
            shown.append((f, str(value)))
    return shown


@signed_in
def submission_page(request: HttpRequest, code: str, resident_id: int, submission_id: int) -> HttpResponse:
    submission = Submission.objects.filter(id=submission_id, resident_id=resident_id).first()
    if submission is None:
        raise Http404("no such submission")
    spec = PROCEDURES[submission.procedure]
    members = [(int(i), n) for i, n in submission.prefill.get("members", [])]
    form = None
    if submission.status == Submission.Status.DRAFT:
        if request.method == "POST":
            form = form_for(spec, members, data=request.POST)
            if form.is_valid():
                services.save(submission, form.cleaned_data, submit="submit" in request.POST)
                return redirect(reverse("portal-submission", args=[code, submission.id]))
        else:
            form = form_for(spec, members, initial=submission.data or {"members": [str(resident_id)]})
    context = {
        "submission": submission,
        "spec": spec,
        "form": form,
        "rows": [(form[f.name], f) for f in spec.fields] if form is not None else [],
        "entered": _entered(spec, submission, dict(members)),
        "code": code,
        "steps": submission.steps.order_by("id"),
        "session_minutes": settings.SESSION_COOKIE_AGE // 60,
    }
    return render(request, "portal/submission.html", context, status=400 if form is not None and form.errors else 200)


# --- 住民票の写し: issued at once, signed, verifiable by its QR code ------------------------------------------------

CERTIFICATE_ITEMS = [
    ("householder", _("世帯主の氏名と続柄")),
    ("domicile", _("本籍・筆頭者")),
    ("resident_code", _("住民票コード")),
    ("individual_number", _("個人番号（マイナンバー）")),
]


class CertificateForm(PortalForm):
    purpose = forms.CharField(
        label=_("使いみち"),
        max_length=200,
        error_messages={"required": message(gettext_noop("使いみちを入力してください。"), {}, {})},
    )

    def __init__(self, members: list[tuple[int, str]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"] = forms.TypedMultipleChoiceField(
            label=_("載せる人"),
            choices=[(str(i), n) for i, n in members],
            coerce=str,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": message(gettext_noop("1人以上選んでください。"), {}, {})},
        )
        self.fields["items"] = forms.MultipleChoiceField(
            label=_("載せる項目（省略もできます）"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            choices=CERTIFICATE_ITEMS,
        )


@signed_in
def certificate(request: HttpRequest, code: str, resident_id: int) -> HttpResponse:
    members = services.household_members(resident_id)
    form = CertificateForm(members, request.POST or None, initial={"members": [str(resident_id)]})
    errors: list[tuple[str, str, str]] = []
    if request.method == "POST" and form.is_valid():
        ids = [int(i) for i in form.cleaned_data["members"]]
        outcome = registry().issue_certificate(
            resident_id, ids, tuple(form.cleaned_data["items"]), f"住民ポータル: {form.cleaned_data['purpose']}"
        )
        if outcome.pdf is not None:
            services.record_issued(
                resident_id, request.session[SESSION_KEY]["sub"], ids, outcome.issue_number, outcome.verification_code
            )
            response = HttpResponse(outcome.pdf, content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="juminhyo-{outcome.issue_number}.pdf"'
            return response
        errors = list(outcome.errors)
    status = 400 if form.errors else 403 if errors else 200
    return render(request, "portal/certificate.html", {"form": form, "errors": errors, "code": code}, status=status)


# --- one-off benefits (給付金): the prefilled application of the resident's household ------------------------------


class BenefitApplicationForm(PortalForm):
    bank_code = forms.CharField(label=_("金融機関コード（4桁）"), max_length=4)
    branch_code = forms.CharField(label=_("支店コード（3桁）"), max_length=3)
    account_type = forms.ChoiceField(
        label=_("預金種目"),
        choices=[("1", _("普通")), ("2", _("当座")), ("4", _("貯蓄"))],
    )
    account_number = forms.CharField(label=_("口座番号（7桁以内）"), max_length=7)
    holder_kana = forms.CharField(label=_("口座名義（カナ）"), max_length=60)


@signed_in
def benefit_list(request: HttpRequest, code: str, resident_id: int) -> HttpResponse:
    from kiban.standard.contracts import benefits

    offers = benefits().offers_for(resident_id)
    return render(request, "portal/benefits.html", {"offers": offers, "code": code})


@signed_in
def benefit_apply(request: HttpRequest, code: str, resident_id: int, benefit_code: str) -> HttpResponse:
    from django.utils import timezone

    from kiban.standard.contracts import BankAccountData, benefits

    offer = next((o for o in benefits().offers_for(resident_id) if o.code == benefit_code), None)
    if offer is None:
        raise Http404("no such benefit for you")
    form = BenefitApplicationForm(request.POST or None)
    errors: list[tuple[str, str, str]] = []
    if request.method == "POST" and form.is_valid():
        data = {k: unicodedata.normalize("NFKC", v) for k, v in form.cleaned_data.items()}
        outcome = benefits().apply(benefit_code, resident_id, BankAccountData(**data), timezone.localdate())
        if outcome.ok:
            return redirect(reverse("portal-benefits", args=[code]))
        for field, ja, en in outcome.errors:
            name = field.removeprefix("bank.")
            if name in form.fields:
                form.add_error(name, both(ja, en))
            else:
                errors.append((field, ja, en))
    status = 400 if form.errors or errors else 200
    return render(
        request,
        "portal/benefit_apply.html",
        {"form": form, "offer": offer, "errors": errors, "code": code},
        status=status,
    )
