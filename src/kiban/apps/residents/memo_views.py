"""The counter page of a person's memos (メモ, 住民記録システム標準仕様書 1.1.15, j150): the memos as they stand, a
form to write one, a correction or deletion of each, and on request every version written (``memos.history``).

Opened from the record page with its purpose (every read is audited with it). Each form carries a request id of its
own, so a form sent twice writes once, and the version it was made on, so that two clerks correcting the same memo
do not overwrite each other (the second is refused, nothing written). Refusals come back on the page (400).
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kiban.platform.web.staff import staff_view

from . import memos
from .permissions import PROCEDURE_ROLES
from .validation import Problems
from .views import _page, person_page

DONE = {
    "write": ("メモを登録しました。", "The memo was recorded."),
    "revise": ("メモを修正しました（修正前の内容は履歴に残ります）。", "The memo was corrected (earlier text kept)."),
    "delete": ("メモを削除しました（内容は履歴に残ります）。", "The memo was deleted (its text kept in the history)."),
}


def _act(resident_id: int, post: Any) -> None:
    """Run the action the form names; raises ``ProcedureError`` (nothing written) if refused."""
    action, body, request_id = post.get("action", ""), post.get("body", ""), post.get("request_id", "")
    if action == "write":
        memos.write(resident_id, body, request_id)
        return
    problems = Problems()
    try:
        memo, based_on = uuid.UUID(post.get("memo", "")), int(post.get("based_on", ""))
    except ValueError:
        problems.add("memo", "not_found", "このメモはありません。", "No such memo.")
        problems.raise_if_any()
    if action == "revise":
        memos.revise(resident_id, memo, based_on, body, request_id)
    elif action == "delete":
        memos.delete(resident_id, memo, based_on, request_id)
    else:
        problems.add("action", "invalid", "操作を選んでください。", "Choose an action.")
        problems.raise_if_any()


@staff_view(*PROCEDURE_ROLES)
def resident_memos(request: HttpRequest, resident_id: int) -> HttpResponse:
    opened = person_page(request, resident_id, "resident-memos", _act)
    if isinstance(opened, HttpResponse):
        return opened
    purpose, person, errors = opened
    # A refused form keeps what was typed, next to the memo it was for (or in the new memo's form).
    failed = {k: request.POST.get(k, "") for k in ("action", "memo", "body")} if errors else {}
    status = 400 if errors else 200
    standing = memos.memos_of(resident_id, purpose)
    rows = [
        {"m": m, "request_id": secrets.token_hex(16),
         "body": failed["body"] if failed.get("memo") == str(m.memo) else m.body,
         "errors": errors if failed.get("memo") == str(m.memo) else []}
        for m in standing
    ]  # fmt: skip
    context = {
        "person": person, "purpose": purpose, "rows": rows, "max_length": memos.MAX_LENGTH,
        "new_request_id": secrets.token_hex(16),
        "new_body": failed.get("body", "") if failed.get("action") == "write" else "",
        "new_errors": errors if failed.get("action") == "write" else [],
        "other_errors": errors if failed and failed.get("action") != "write" and not any(r["errors"] for r in rows)
        else [],
        "done": DONE.get(request.GET.get("done", "")),
        "history": memos.history(resident_id, purpose) if request.GET.get("history") == "1" else None,
    }  # fmt: skip
    return render(request, "residents/memos.html", _page(request, **context), status=status)
