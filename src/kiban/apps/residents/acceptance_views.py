"""住民異動届受理通知 at the counter (標準仕様書 4.1.0.3, j580): printed on request from the 本登録 results or, later,
from a history row of the record (``acceptance.notice``), with the purpose asked for first (audited)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from kiban.platform.web.staff import staff_view

from . import acceptance
from .permissions import PROCEDURE_ROLES
from .resident_code_views import notice_response


@staff_view(*PROCEDURE_ROLES)
def acceptance_notice(request: HttpRequest, procedure_id: int) -> HttpResponse:
    """The 住民異動届受理通知書 of a recorded notification (PDF, inline for printing)."""
    return notice_response(request, lambda p: acceptance.notice(procedure_id, p), f"acceptance-{procedure_id}")
