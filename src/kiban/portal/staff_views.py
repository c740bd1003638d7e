"""The back office of online procedures: the review queue, drafting (起案), the decision (決裁), rejection, and
counter-assisted input (代理入力) where staff enter a procedure with the resident, who confirms it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kiban.platform.audit.actor import Actor, acting_as, current_actor
from kiban.platform.web.staff import staff_view

from . import services
from .forms import form_for
from .models import Submission
from .procedures import PROCEDURES

# Role codes of the registry business (strings: the portal does not import the registry app).
CLERK, SUPERVISOR = "residents.clerk", "residents.supervisor"


class DecisionForm(forms.Form):
    note = forms.CharField(
        label="メモ・却下の理由 (note; the reason is shown to the resident)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _submission(submission_id: int) -> Submission:
    submission = Submission.objects.filter(id=submission_id).first()
    if submission is None:
        raise Http404("no such submission")
    return submission


@staff_view(CLERK, SUPERVISOR)
def queue(request: HttpRequest) -> HttpResponse:
    waiting = Submission.objects.filter(status__in=[Submission.Status.SUBMITTED, Submission.Status.DRAFTED]).order_by(
        "id"
    )
    return render(request, "portal/staff_queue.html", {"waiting": waiting})


@staff_view(CLERK, SUPERVISOR)
def detail(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = _submission(submission_id)
    user: Any = request.user
    context = {
        "submission": submission,
        "spec": PROCEDURES[submission.procedure],
        "form": DecisionForm(),
        "is_supervisor": user.has_role(SUPERVISOR),
        "steps": submission.steps.order_by("id"),
    }
    return render(request, "portal/staff_detail.html", context)


@require_POST
@staff_view(CLERK, SUPERVISOR)
def decide(request: HttpRequest, submission_id: int, action: str) -> HttpResponse:
    submission = _submission(submission_id)
    form = DecisionForm(request.POST)
    form.is_valid()
    note = form.cleaned_data.get("note", "")
    try:
        if action == "draft":
            services.draft_decision(submission, note)
        elif action == "approve":
            if not request.user.has_role(SUPERVISOR):  # type: ignore[union-attr]
                return HttpResponse("決裁は責任者のみ (supervisors only)", status=403)
            services.approve(submission)
        elif action == "reject":
            services.reject(submission, note)
        else:
            raise Http404("no such action")
    except (services.WrongState, ValueError) as exc:
        return render(
            request,
            "portal/staff_detail.html",
            {
                "submission": submission,
                "form": form,
                "error": str(exc),
                "spec": PROCEDURES[submission.procedure],
                "steps": submission.steps.order_by("id"),
            },
            status=409,
        )
    return redirect(reverse("portal-staff-detail", args=[submission.id]))


@staff_view(CLERK, SUPERVISOR)
def assist(request: HttpRequest, slug: str, resident_id: int) -> HttpResponse:
    """代理入力: staff enter the procedure with the resident at the counter; it is submitted only when the resident
    has confirmed it, and is audited as done by staff on the resident's behalf."""
    spec = PROCEDURES.get(slug)
    if spec is None:
        raise Http404("no such procedure")
    staff = current_actor().ident
    with acting_as(Actor("staff", staff, on_behalf_of=f"resident:{resident_id}")):
        try:
            members = services.household_members(resident_id)
        except Exception:
            members = []
        if not members:
            raise Http404("no such resident")
        form = form_for(spec, members, data=request.POST or None, initial={"members": [str(resident_id)]})
        confirmed = request.POST.get("resident_confirmed") == "1"
        if request.method == "POST" and form.is_valid() and confirmed:
            submission = services.start(spec, resident_id, f"counter:{staff}", assisted_by=staff)
            services.save(submission, form.cleaned_data, submit=True)
            return redirect(reverse("portal-staff-detail", args=[submission.id]))
        error = (
            "ご本人に内容を確認していただき、確認欄にチェックしてください。 (The resident must confirm.)"
            if (request.method == "POST" and form.is_valid() and not confirmed)
            else ""
        )
        return render(
            request,
            "portal/staff_assist.html",
            {"form": form, "spec": spec, "error": error, "resident_id": resident_id},
            status=400 if error or form.errors else 200,
        )
