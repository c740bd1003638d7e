"""Request metrics by route pattern (``/staff/residents/<int:resident_id>/``, never the concrete path)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .metrics import LATENCY, REQUESTS


def _route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return "/" + match.route if match is not None and match.route else "unmatched"


class MetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        route = _route(request)
        LATENCY.labels(route, request.method).observe(time.perf_counter() - started)
        REQUESTS.labels(route, request.method, str(response.status_code)).inc()
        return response
