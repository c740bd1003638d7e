"""What the residents' portal puts into the standard exchange files (format 3): the online submissions and their
steps (``resident_id`` is the registry's id of the resident, kept as it is and checked against the residents file).
The declarations' vocabulary is ``kiban.platform.exchange``."""

from __future__ import annotations

from kiban.platform.exchange import ExchangedTable

from .models import Submission, SubmissionStep

EXCHANGE: tuple[ExchangedTable, ...] = (
    ExchangedTable(
        "portal_submissions",
        Submission,
        (
            "id",
            "procedure",
            "resident_id",
            "subject",
            "status",
            "data",
            "prefill",
            "reason",
            "request_id",
            "assisted_by",
            "outcome",
            "created_at",
            "updated_at",
        ),
        refers_to={"resident_id": "residents"},
    ),
    ExchangedTable("portal_submission_steps", SubmissionStep, ("id", "submission_id", "status", "actor", "note", "at")),
)
