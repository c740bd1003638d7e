"""The audit trail for a municipality's auditors (監査担当)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from kiban.platform.accounts import roles
from kiban.platform.web.staff import staff_view

from . import selectors


@staff_view(roles.AUDITOR.code)
def entry_list(request: HttpRequest) -> HttpResponse:
    try:
        after = max(int(request.GET.get("after", "0")), 0)
    except ValueError:
        after = 0
    entries = list(selectors.page(after=after, limit=100))
    return render(request, "audit/entry_list.html", {"entries": entries})


@staff_view(roles.AUDITOR.code)
def entry_detail(request: HttpRequest, seq: int) -> HttpResponse:
    entry = selectors.by_seq(seq)
    if entry is None:
        raise Http404("no such audit entry")
    return render(request, "audit/entry_detail.html", {"entry": entry})
