"""The counter's online manual (標準仕様書 10.5 ヘルプ機能, j1400): ``/staff/residents/manual/`` (contents and the
common operations) and ``/staff/residents/manual/<topic>/`` (one page's explanation, linked from it with Alt+H)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from kiban.platform.web.staff import staff_view

from . import manual
from .permissions import READ_ROLES
from .views import _page


@staff_view(*READ_ROLES)
def manual_page(request: HttpRequest, slug: str = "") -> HttpResponse:
    topic = manual.BY_SLUG.get(slug) if slug else None
    if slug and topic is None:
        raise Http404("no such topic in the manual")
    page = _page(request, topics=manual.TOPICS, topic=topic,
                 topic_template=f"residents/manual/{topic.slug}.html" if topic else "")  # fmt: skip
    return render(request, "residents/manual.html", page)
