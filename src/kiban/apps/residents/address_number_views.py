"""住居表示・地番のマスタ at the counter (標準仕様書 1.3.2, j240): a town of the 住所辞書 chosen, its 住居表示 numbers,
地番 (特殊地番 included) and land-readjustment numbers listed in numeric order; supervisors add and retire them
(``address_numbers``)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from kiban.platform.web.staff import staff_view

from . import address_numbers, forms
from .models import AddressEntry, AddressNumber
from .permissions import READ_ROLES, SUPERVISOR_ROLES
from .validation import Problems, ProcedureError
from .views import _has_role, _page, era


@staff_view(*READ_ROLES)
def address_number_list(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    town = data.get("town", "").strip()
    errors: list[str] = []
    if request.method == "POST":
        if not _has_role(request, SUPERVISOR_ROLES):
            raise PermissionDenied("the master of housing and lot numbers is kept by supervisors")
        try:
            if data.get("action") == "retire":
                problems = Problems()
                on = forms.posted_date(data.get("on", ""), "on", problems, default=timezone.localdate())
                problems.raise_if_any()
                assert on is not None
                raw = data.get("id", "")
                address_numbers.retire(int(raw) if raw.isdigit() else 0, on)
            else:
                address_numbers.save(town_code=town, kind=data.get("kind", ""), label=data.get("label", ""),
                                     special=data.get("special") == "1")  # fmt: skip
        except ProcedureError as exc:
            errors = [forms.error_text(e) for e in exc.errors]
        else:
            return HttpResponseRedirect(f"{reverse('resident-address-numbers')}?{urlencode({'town': town})}&done=1")
    towns = list(AddressEntry.objects.filter(abolished_on__isnull=True).order_by("code"))
    rows = [{"n": n, "retired": era(n.retired_on) if n.retired_on else ""} for n in address_numbers.of_town(town)]
    page = _page(request, towns=towns, town=town, rows=rows, kinds=AddressNumber.Kind.choices, errors=errors,
                 posted=request.POST if errors else {}, done=request.GET.get("done") == "1",
                 can_edit=_has_role(request, SUPERVISOR_ROLES), today=era(timezone.localdate()))  # fmt: skip
    return render(request, "residents/address_numbers.html", page, status=400 if errors else 200)
