"""入力場所・入力端末 for supervisors (標準仕様書 1.3.1, j230): register, correct and retire the places where the
registry is used (本庁, 支所, 出張所, a designated city's ward offices with their ward's code) and their terminals
(``places``). A counter's browser is told which terminal it is on the list of provisional entries."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from kiban.platform.web.staff import staff_view

from . import forms, places
from .models import InputPlace, InputTerminal
from .permissions import SUPERVISOR_ROLES
from .validation import Problems, ProcedureError
from .views import _page, era


def _id(raw: str) -> int | None:
    return int(raw) if raw.isdigit() else None


def _act(post: Any) -> None:
    action = post.get("action", "")
    if action == "save-place":
        places.save_place(code=post.get("code", ""), name=post.get("name", ""), kind=post.get("kind", ""),
                          ward_code=post.get("ward_code", ""), place_id=_id(post.get("place", "")))  # fmt: skip
    elif action == "save-terminal":
        places.save_terminal(code=post.get("code", ""), name=post.get("name", ""),
                             place_id=_id(post.get("place", "")) or 0,
                             terminal_id=_id(post.get("terminal", "")))  # fmt: skip
    elif action in ("retire-place", "retire-terminal"):
        problems = Problems()
        on = forms.posted_date(post.get("on", ""), "on", problems, default=timezone.localdate())
        problems.raise_if_any()
        assert on is not None
        model = InputPlace if action == "retire-place" else InputTerminal
        places.retire(model, _id(post.get("id", "")) or 0, on)
    else:
        problems = Problems()
        problems.add("action", "unknown", "操作を選んでください。", "Choose an action.")
        problems.raise_if_any()


@staff_view(*SUPERVISOR_ROLES)
def input_places(request: HttpRequest) -> HttpResponse:
    errors: list[str] = []
    if request.method == "POST":
        try:
            _act(request.POST)
        except ProcedureError as exc:
            errors = [forms.error_text(e) for e in exc.errors]
        else:
            return HttpResponseRedirect(f"{reverse('resident-input-places')}?done=1")
    page = _page(
        request, places=[{"p": p, "retired": era(p.retired_on) if p.retired_on else ""} for p in places.places(False)],
        terminals=[{"t": t, "retired": era(t.retired_on) if t.retired_on else ""} for t in places.terminals(False)],
        in_force=places.places(), kinds=InputPlace.Kind.choices, errors=errors, posted=request.POST if errors else {},
        done=request.GET.get("done") == "1", today=era(timezone.localdate()),
    )  # fmt: skip
    return render(request, "residents/input_places.html", page, status=400 if errors else 200)
