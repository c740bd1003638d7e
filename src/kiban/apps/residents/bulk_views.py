"""The supervisors' page for 住所一括変更 (住民記録システム標準仕様書 9.7, j1340): a CSV file of addresses (by 世帯番号)
or 本籍 (by 宛名番号) with the value before and after, the date and the reason; 仮処理 shows what would change and
what would be left out, line by line, and writes nothing; 本処理 changes it (``bulk_address``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kiban.platform.web.staff import staff_view

from . import bulk_address, forms
from .permissions import SUPERVISOR_ROLES
from .validation import Problems, ProcedureError
from .views import _page


@staff_view(*SUPERVISOR_ROLES)
def bulk_change(request: HttpRequest) -> HttpResponse:
    errors: list[Any] = []
    result = None
    posted = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        upload = request.FILES.get("file")
        problems = Problems()
        effective_on = forms.posted_date(request.POST.get("effective_on", ""), "effective_on", problems)
        if upload is None:
            problems.add("file", "required", "CSVファイルを選んでください。", "Choose the CSV file.")
        errors = [forms.error_text(e) for e in problems.errors]
        if not errors:
            assert upload is not None and effective_on is not None
            try:
                result = bulk_address.run(
                    request.POST.get("kind", ""), upload.read(), effective_on=effective_on,
                    reason=request.POST.get("reason", ""), trial=request.POST.get("action") != "apply",
                )  # fmt: skip
            except ProcedureError as exc:
                errors = [forms.error_text(e) for e in exc.errors]
    page = _page(request, result=result, errors=errors, posted=posted, headers=bulk_address.HEADERS)
    return render(request, "residents/bulk.html", page, status=400 if errors else 200)
