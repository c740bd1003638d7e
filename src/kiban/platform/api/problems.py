"""Errors as ``application/problem+json`` (RFC 9457, "Problem Details for HTTP APIs")."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

PROBLEM_CONTENT_TYPE = "application/problem+json"


class Problem(Exception):
    """An error to show the client: an HTTP status, a short title and a specific detail."""

    def __init__(self, status: int, title: str, detail: str = "", *, type_: str = "about:blank", **extra: Any):
        super().__init__(detail or title)
        self.status, self.title, self.detail, self.type, self.extra = status, title, detail, type_, extra

    def as_dict(self, request: HttpRequest | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.type, "title": self.title, "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        if request is not None:
            body["instance"] = request.path
        body.update(self.extra)
        return body


def problem_response(request: HttpRequest | None, problem: Problem) -> HttpResponse:
    return JsonResponse(
        problem.as_dict(request),
        status=problem.status,
        content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )


def not_found(what: str = "resource") -> Problem:
    return Problem(404, "Not Found", f"no such {what}")
