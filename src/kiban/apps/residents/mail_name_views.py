"""The counter page of a foreign resident's 郵便物送付コード (住民記録システム標準仕様書 1.1.19, j190): the code in
force, the codes chosen before, and a form to record the person's new wish. The rules are ``mail_names``'; its refusals
come back on the page (400, nothing written). Opened from the record page with its purpose."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kiban.platform.web.staff import staff_view

from . import forms, mail_names
from .models import MailName
from .permissions import PROCEDURE_ROLES
from .validation import Problems
from .views import _page, era, person_page


def _act(resident_id: int, post: Any) -> None:
    problems = Problems()
    on = forms.posted_date(post.get("requested_on", ""), "requested_on", problems, default=timezone.localdate())
    problems.raise_if_any()
    assert on is not None
    mail_names.set_code(resident_id, post.get("code", ""), on)


@staff_view(*PROCEDURE_ROLES)
def resident_mail_name(request: HttpRequest, resident_id: int) -> HttpResponse:
    opened = person_page(request, resident_id, "resident-mail-name", _act)
    if isinstance(opened, HttpResponse):
        return opened
    purpose, person, errors = opened
    code = mail_names.in_force([resident_id]).get(resident_id)
    context = {
        "person": person, "purpose": purpose, "errors": errors, "posted": request.POST,
        "in_force": mail_names.label(code), "on_mail": mail_names.name_on_mail(person, code),
        "history": [{"m": m, "on": era(m.requested_on)} for m in mail_names.history(resident_id)],
        "codes": MailName.Code.choices, "today": era(timezone.localdate()), "done": request.GET.get("done", ""),
    }  # fmt: skip
    return render(request, "residents/mail_name.html", _page(request, **context), status=400 if errors else 200)
