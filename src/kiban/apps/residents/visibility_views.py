"""The supervisors' page for the items hidden from each staff user (操作権限設定, 住民記録システム標準仕様書 10.4,
j1390): the municipality's staff with a box per item (戸籍の表示, 個人番号, 住民票コード, 在留資格等); saved per user
(``visibility.set_hidden``, audited). 続柄 is not among them: hiding it is 実装しない機能."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from kiban.platform.web.staff import staff_view

from . import forms, visibility
from .permissions import SUPERVISOR_ROLES
from .validation import ProcedureError
from .views import _page


@staff_view(*SUPERVISOR_ROLES)
def visibility_manage(request: HttpRequest) -> HttpResponse:
    errors: list[Any] = []
    if request.method == "POST":
        user = request.POST.get("user", "")
        try:
            visibility.set_hidden(int(user) if user.isdigit() else 0, request.POST.getlist("items"))
        except ProcedureError as exc:
            errors = [forms.error_text(e) for e in exc.errors]
        else:
            return HttpResponseRedirect(f"{reverse('resident-visibility')}?done={user}")
    rows = [{"id": uid, "name": name, "hidden": hidden} for uid, name, hidden in visibility.staff()]
    page = _page(request, rows=rows, items=list(visibility.ITEMS.items()), errors=errors,
                 done=request.GET.get("done", ""))  # fmt: skip
    return render(request, "residents/visibility.html", page, status=400 if errors else 200)
