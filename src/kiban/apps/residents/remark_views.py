"""The counter page of a record's 統合記載欄 entries other than the history (留意事項 B類型, 備考 C類型;
住民記録システム標準仕様書 1.1.14, j140): those in force, a form to enter one (a 留意事項 on an entry of the
current 住民票's history, a 備考 on its own), and a withdrawal with the reason. The rules are ``remarks``'; its
refusals come back on the page (400, nothing written). Opened from the record page with its purpose (the history
read is audited with it)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kiban.platform.web.staff import staff_view

from . import forms, remarks, selectors
from .models import ResidentRemark
from .permissions import PROCEDURE_ROLES
from .validation import Problems
from .views import _page, era, person_page


def _act(resident_id: int, post: Any) -> None:
    problems = Problems()
    if post.get("action") == "withdraw":
        remark_id = post.get("remark", "")
        remarks.withdraw(resident_id, int(remark_id) if remark_id.isdigit() else 0, post.get("reason", ""))
        return
    on = forms.posted_date(post.get("entered_on", ""), "entered_on", problems, default=timezone.localdate())
    seq_text = post.get("history_seq", "")
    problems.raise_if_any()
    seq = int(seq_text) if seq_text.isdigit() else None
    assert on is not None
    remarks.add(resident_id, remarks.RemarkData(post.get("kind", ""), post.get("text", ""), on, seq))


@staff_view(*PROCEDURE_ROLES)
def resident_remarks(request: HttpRequest, resident_id: int) -> HttpResponse:
    opened = person_page(request, resident_id, "resident-remarks", _act)
    if isinstance(opened, HttpResponse):
        return opened
    purpose, person, errors = opened
    history = selectors.history(resident_id, purpose)
    entries = {h.seq: h for h in history}
    rows = [
        {"r": r, "on": era(r.entered_on),
         "entry": f"{era(entries[r.history_seq].effective_on)} {entries[r.history_seq].kind}"
         if r.history_seq in entries else ""}
        for r in remarks.standing(resident_id)
    ]  # fmt: skip
    context = {
        "person": person, "purpose": purpose, "rows": rows, "errors": errors, "posted": request.POST,
        "history": [{"seq": h.seq, "label": f"{era(h.effective_on)} {h.kind}"} for h in history],
        "kinds": ResidentRemark.Kind.choices, "phrases": remarks.FIXED_PHRASES, "max_length": remarks.MAX_LENGTH,
        "today": era(timezone.localdate()), "done": request.GET.get("done", ""),
    }  # fmt: skip
    return render(request, "residents/remarks.html", _page(request, **context), status=400 if errors else 200)
