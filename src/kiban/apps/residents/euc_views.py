"""EUC at the counter (標準仕様書 10.1, j1360), supervisors only: a wizard (item, operator, value per line; all or any)
or a condition written directly, the items to output, and the output — 該当者数, a list on screen, CSV (UTF-8 or
Shift_JIS), XML or address labels (``euc``). Every person output is audited with the purpose."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kiban.platform.web.staff import staff_view

from . import euc, forms
from .permissions import SUPERVISOR_ROLES
from .validation import Problems, ProcedureError
from .views import _page

WIZARD_LINES = 3
SHOWN = 1000  # persons shown on screen; more go to a file
OUTPUTS = {"count": "該当者数", "list": "一覧（画面）", "csv": "CSV（UTF-8）", "csv_sjis": "CSV（Shift_JIS）",
           "xml": "XML", "labels": "宛名シール（PDF）"}  # fmt: skip
DEFAULT_ITEMS = ("family_name", "given_name", "birth_date", "age", "address")


def _query(post: Any) -> tuple[euc.Query, str]:
    """The query and its written form (for the audit and the page), from the wizard's lines or the expression."""
    problems = Problems()
    base = forms.posted_date(post.get("base_date", ""), "base_date", problems, default=timezone.localdate())
    expression = post.get("expression", "").strip()
    if expression:
        try:
            groups = euc.parse(expression)
        except ValueError as exc:
            problems.add("expression", "invalid", f"条件式を読めません:「{exc}」。例: 年齢 >= 65 & 町字 = 九段南",
                         f"The condition cannot be read: {exc!s}")  # fmt: skip
            groups = ()
    else:
        lines = [euc.Condition(post.get(f"item_{n}", ""), post.get(f"op_{n}", ""), post.get(f"value_{n}", "").strip())
                 for n in range(WIZARD_LINES) if post.get(f"item_{n}")]  # fmt: skip
        groups = tuple((c,) for c in lines) if post.get("combine") == "any" else ((tuple(lines),) if lines else ())
        expression = (" | " if post.get("combine") == "any" else " & ").join(
            f"{euc.ITEMS[c.item].title if c.item in euc.ITEMS else c.item} {c.operator} {c.value}" for c in lines
        )
    problems.raise_if_any()
    return euc.Query(groups, post.get("population", "current"), base), expression


def _shown(value: Any) -> str:
    """A value on screen: dates in 和暦 as every counter page shows them (標準仕様書 1.1.9)."""
    return forms.display_date(value) if isinstance(value, date) else str(value)


def _file(content: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"  # personal data: not kept by the browser or a proxy
    return response


@staff_view(*SUPERVISOR_ROLES)
def euc_page(request: HttpRequest) -> HttpResponse:
    post = request.POST if request.method == "POST" else None
    errors: list[str] = []
    result: dict[str, Any] = {}
    items = [i for i in (post.getlist("items") if post else DEFAULT_ITEMS) if i in euc.ITEMS]
    if post is not None:
        output, purpose = post.get("output", "count"), post.get("purpose", "").strip()
        try:
            if not purpose:
                problems = Problems()
                problems.add("purpose", "required", "利用目的を入力してください。", "Enter the purpose.")
                problems.raise_if_any()
            query, written = _query(post)
            if output == "count":
                result = {"count": euc.count(query, purpose, written), "written": written}
            elif output == "labels":
                return _file(euc.labels(query, purpose), "labels.pdf", "application/pdf")
            else:
                drawn = euc.rows(query, items, purpose)
                if output in ("csv", "csv_sjis"):
                    sjis = output == "csv_sjis"
                    data, replaced = euc.to_csv(drawn, items, "cp932" if sjis else "utf-8")
                    response = _file(data, "euc.csv", f"text/csv; charset={'shift_jis' if sjis else 'utf-8'}")
                    response["X-Replaced-Characters"] = str(replaced)  # 〓 in place of characters CP932 lacks
                    return response
                if output == "xml":
                    return _file(euc.to_xml(drawn, items), "euc.xml", "application/xml")
                shown = [[_shown(row[i]) for i in items] for row in drawn[:SHOWN]]
                result = {"count": len(drawn), "rows": shown, "more": len(drawn) > SHOWN, "written": written}
        except ProcedureError as exc:
            errors = [forms.error_text(e) for e in exc.errors]
    page = _page(
        request, item_choices=[(k, i.title) for k, i in euc.ITEMS.items()], operators=euc.OPERATORS.items(),
        populations=euc.POPULATIONS.items(), outputs=OUTPUTS.items(), lines=range(WIZARD_LINES), posted=post or {},
        chosen=items, errors=errors, result=result, titles=[euc.ITEMS[i].title for i in items], max_rows=euc.MAX_ROWS,
        today=forms.display_date(timezone.localdate()),
    )  # fmt: skip
    return render(request, "residents/euc.html", page, status=400 if errors else 200)
