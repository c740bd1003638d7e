"""The counter's character lookup (文字コード照会, 住民記録システム標準仕様書 2.2.3, j370): a name's characters
enlarged, each with its code point, its Unicode name, whether JIS X 0208 / JIS X 0213 hold it, its MJ文字図形名 and
the MJ degeneration map's JIS form (``kiban.standard.characters``).

The text comes by POST (typed, or sent from a record page's button with the person's name), never in the URL, so
names stay out of access logs. Nothing is read from or written to the register here.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kiban.platform.web.staff import staff_view
from kiban.standard.characters import describe

from .permissions import READ_ROLES
from .views import _page

MAX_LENGTH = 64  # characters looked up at once


@staff_view(*READ_ROLES)
def character_lookup(request: HttpRequest) -> HttpResponse:
    text = request.POST.get("text", "").strip() if request.method == "POST" else ""
    error = None
    if len(text) > MAX_LENGTH:
        error = (f"{MAX_LENGTH}文字以内で入力してください（{len(text)}文字）。",
                 f"Enter at most {MAX_LENGTH} characters ({len(text)}).")  # fmt: skip
    elif request.method == "POST" and not text:
        error = ("照会する文字を入力してください。", "Enter the characters to look up.")
    found = describe(text) if text and error is None else None
    page = _page(request, text=text, found=found, error=error, max_length=MAX_LENGTH)
    return render(request, "residents/characters.html", page, status=400 if error else 200)
