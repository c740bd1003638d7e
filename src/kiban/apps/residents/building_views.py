"""方書マスタ at the counter (住民記録システム標準仕様書 1.3.4 方書管理, j260; 4.0.7 方書入力補助, j520): staff look up
an address's buildings, add, correct and retire them; supervisors take the buildings of the households on the
register into the master. The wizards' 方書 field gets the buildings of the address typed as choices
(``building_candidates``, JSON). Every read is by address: no page or answer finds an address from a building's name
(4.0.7 実装しない機能)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from kiban.platform.web.staff import staff_view

from . import buildings, forms
from .permissions import READ_ROLES, SUPERVISOR_ROLES
from .validation import Problems, ProcedureError
from .views import _has_role, _page, era

DONE = {
    "save": ("登録しました。", "Saved."),
    "retire": ("廃止しました。", "Retired."),
    "take": ("住民記録の方書を取り込みました。", "The buildings on the register were taken into the master."),
}


def _act(request: HttpRequest) -> str:
    """Runs the POSTed action; its ``done`` query (with a count for ``take``)."""
    post = request.POST
    action = post.get("action", "")
    raw_id = post.get("building", "")
    building_id = int(raw_id) if raw_id.isdigit() else None
    if action == "save":
        buildings.save(address=post.get("address", ""), name=post.get("name", ""),
                       name_kana=post.get("name_kana", ""), building_id=building_id)  # fmt: skip
        return "save"
    if action == "retire":
        problems = Problems()
        on = forms.posted_date(post.get("on", ""), "on", problems, default=timezone.localdate())
        if building_id is None:
            problems.add("building", "required", "廃止する方書を選んでください。", "Choose the building to retire.")
        problems.raise_if_any()
        assert on is not None and building_id is not None
        buildings.retire(building_id, on)
        return "retire"
    if action == "take":
        if not _has_role(request, SUPERVISOR_ROLES):
            raise PermissionDenied("taking the register's buildings needs the supervisor role")
        return f"take&count={buildings.take_from_register()}"
    problems = Problems()
    problems.add("action", "unknown", "操作を選んでください。", "Choose an action.")
    problems.raise_if_any()
    return ""


@staff_view(*READ_ROLES)
def building_manage(request: HttpRequest) -> HttpResponse:
    """GET ``?address=``: the buildings at that address and the form to add one; POST ``action`` = ``save`` (add, or
    correct ``building``), ``retire`` (``building``, ``on``) or ``take`` (supervisors)."""
    address = (request.POST if request.method == "POST" else request.GET).get("address", "").strip()
    errors: list[str] = []
    if request.method == "POST":
        try:
            done = _act(request)
        except ProcedureError as exc:
            errors = [forms.error_text(e) for e in exc.errors]
        else:
            query = urlencode({"address": address})
            return HttpResponseRedirect(f"{reverse('resident-buildings')}?{query}&done={done}")
    rows: list[dict[str, Any]] = [{"b": b, "retired": era(b.retired_on) if b.retired_on else ""}
                                  for b in buildings.at(address)]  # fmt: skip
    done_key = request.GET.get("done", "")
    page = _page(request, address=address, rows=rows, errors=errors, done=DONE.get(done_key),
                 count=request.GET.get("count", ""), today=era(timezone.localdate()),
                 can_take=_has_role(request, SUPERVISOR_ROLES), posted=request.POST if errors else {})  # fmt: skip
    return render(request, "residents/buildings.html", page, status=400 if errors else 200)


@staff_view(*READ_ROLES)
def building_candidates(request: HttpRequest) -> HttpResponse:
    """The 方書 in force at ``address`` (4.0.7), as JSON for the wizards' 方書 field. No personal data."""
    return JsonResponse({"buildings": buildings.candidates(request.GET.get("address", "")[:255])})
