"""The supervisors' page of one person's 成年被後見人 setting (住民記録システム標準仕様書 9.4, j1310): set it from
a date, end it with the reason, and, for a person under guardianship who moved out, the notice to the municipality
moved to, ready to print (``guardianship``). Opened from the record page with its purpose; there is no page listing
persons under guardianship (実装しない機能)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kiban.platform.web.staff import staff_view

from . import forms, guardianship
from .permissions import SUPERVISOR_ROLES
from .validation import Problems
from .views import _page, era, person_page


def _act(resident_id: int, post: Any) -> None:
    problems = Problems()
    on = forms.posted_date(post.get("on", ""), "on", problems, default=timezone.localdate())
    problems.raise_if_any()
    assert on is not None
    if post.get("action") == "end":
        guardianship.end(resident_id, on, post.get("reason", ""))
    else:
        guardianship.start(resident_id, on)


@staff_view(*SUPERVISOR_ROLES)
def resident_guardianship(request: HttpRequest, resident_id: int) -> HttpResponse:
    opened = person_page(request, resident_id, "resident-guardianship", _act)
    if isinstance(opened, HttpResponse):
        return opened
    purpose, person, errors = opened
    current = guardianship.active(resident_id)
    notice = guardianship.move_out_notice(resident_id, purpose)
    page = _page(request, person=person, purpose=purpose, current=current, errors=errors, notice=notice,
                 started=era(current.started_on) if current else "", today=era(timezone.localdate()),
                 notice_dates={"planned": era(notice.planned_on), "birth": era(notice.birth_date),
                               "started": era(notice.started_on), "today": era(timezone.localdate())}
                 if notice else {}, done=request.GET.get("done", ""))  # fmt: skip
    return render(request, "residents/guardianship.html", page, status=400 if errors else 200)
