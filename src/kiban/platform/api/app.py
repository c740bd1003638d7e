"""The one NinjaAPI instance; business apps add their routers in ``kiban.urls`` (the composition root)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from .principals import API_AUTH
from .problems import Problem, problem_response


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="Kiban API",
        version="1",
        description="Standard APIs of the Kiban platform. Errors are application/problem+json (RFC 9457).",
        auth=API_AUTH,
        urls_namespace="api",
    )

    @api.exception_handler(Problem)
    def _problem(request: HttpRequest, exc: Problem) -> HttpResponse:
        return problem_response(request, exc)

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem_response(request, Problem(404, "Not Found", "no such resource"))

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem_response(request, Problem(401, "Unauthorized", "sign in or present a valid bearer token"))

    @api.exception_handler(NinjaValidationError)
    def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors
        ]
        return problem_response(
            request, Problem(422, "Unprocessable Content", "the request does not match the schema", errors=errors)
        )

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return problem_response(request, Problem(exc.status_code, str(exc) or "Error", str(exc)))

    return api
