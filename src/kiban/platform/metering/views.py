"""The operators' cost allocation page (no personal data: counts per municipality)."""

from __future__ import annotations

import json
from datetime import date

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kiban.platform.web.staff import operator_view

from .models import METRICS
from .report import to_csv
from .services import Rule, allocate


def _parse(request: HttpRequest) -> tuple[date, int, list[str]]:
    errors = []
    today = date.today()
    month, total = today.replace(day=1), 0
    try:
        year, mon = request.GET.get("month", f"{today:%Y-%m}").split("-")
        month = date(int(year), int(mon), 1)
    except ValueError:
        errors.append("月は YYYY-MM で入力してください (month must be YYYY-MM)")
    try:
        total = int(request.GET.get("cost", "0"))
        if total < 0:
            raise ValueError
    except ValueError:
        errors.append("費用は0以上の整数(円)で入力してください (cost must be a non-negative integer number of yen)")
    return month, total, errors


@operator_view
def cost_allocation(request: HttpRequest) -> HttpResponse:
    month, total, errors = _parse(request)
    rule = Rule.from_dict(json.loads(settings.KIBAN_COST_RULE))
    allocations = [] if errors else allocate(total, month, rule)
    if request.GET.get("format") == "csv" and not errors:
        response = HttpResponse(to_csv(allocations, month, total, rule), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="kiban-cost-{month:%Y-%m}.csv"'
        return response
    context = {"month": month, "total": total, "errors": errors, "rule": rule, "formula": rule.formula(),
               "allocations": allocations, "metrics": sorted(METRICS)}  # fmt: skip
    return render(request, "metering/cost_allocation.html", context, status=400 if errors else 200)
