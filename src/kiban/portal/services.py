"""Submissions: drafts, submission, the clerk's review (起案), the supervisor's decision (決裁), rejection.

The registry is changed only on approval, through the standard registry contract (``ProcedureSpec.apply``), with the
submission's request id, so approving twice (or after a failover) changes the registry once.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from kiban.platform.audit.actor import current_actor
from kiban.platform.audit.services import record
from kiban.platform.metering import services as metering
from kiban.platform.tenants.context import current_tenant_id
from kiban.standard.contracts import registry

from .models import Submission, SubmissionStep
from .procedures import PROCEDURES, ProcedureSpec

PURPOSE = "住民ポータル: 申請の事前入力 (once-only prefill)"


class WrongState(Exception):
    """The submission is not in a state that allows this step."""


def _actor() -> str:
    actor = current_actor()
    return f"{actor.kind}:{actor.ident}" + (f" (with {actor.on_behalf_of})" if actor.on_behalf_of else "")


DECISIONS = (Submission.Status.APPROVED, Submission.Status.REJECTED)


def _step(submission: Submission, status: str, note: str = "") -> None:
    """One step of the submission's history. The decision steps (決裁, 却下) keep no decider: 住民記録システム標準仕様書
    4.0.8 (j530) rules out keeping the 決裁者's name as data; who decided is in the audit log only."""
    submission.status = status
    submission.save()
    actor = "決裁" if status in DECISIONS and current_actor().kind == "staff" else _actor()
    SubmissionStep(submission=submission, status=status, actor=actor, note=note).save()
    record(f"portal.submission.{status}", "submission", str(submission.id), purpose=submission.procedure)


def household_members(resident_id: int) -> list[tuple[int, str]]:
    """(resident id, display name) of the applicant's household, applicant first."""
    person = registry().record(resident_id, PURPOSE)
    if person is None:
        return []
    members = registry().household_as_of(person.household_id, timezone.localdate(), PURPOSE)
    names = []
    for m in sorted(members, key=lambda m: m.resident_id != resident_id):
        record_ = registry().record(m.resident_id, PURPOSE)
        if record_ is not None:
            names.append((m.resident_id, f"{record_.family_name} {record_.given_name}"))
    return names


@transaction.atomic
def start(spec: ProcedureSpec, resident_id: int, subject: str, assisted_by: str = "") -> Submission:
    """A draft, prefilled with what the municipality already holds (never asked again)."""
    person = registry().record(resident_id, PURPOSE)
    if person is None:
        raise WrongState("the applicant is not a registered resident")
    prefill: dict[str, Any] = {name: str(getattr(person, name)) for name in spec.prefill}
    prefill["members"] = [[i, n] for i, n in household_members(resident_id)]
    submission = Submission(
        procedure=spec.slug,
        resident_id=resident_id,
        subject=subject,
        prefill=prefill,
        request_id=f"portal-{uuid.uuid4()}",
        assisted_by=assisted_by,
    )
    _step(submission, Submission.Status.DRAFT, "代理入力" if assisted_by else "")
    return submission


@transaction.atomic
def save(submission: Submission, data: dict[str, Any], *, submit: bool) -> Submission:
    if submission.status != Submission.Status.DRAFT:
        raise WrongState("only a draft can be changed")
    submission.data = {**data, "submitted_on": timezone.localdate().isoformat()}
    if submit:
        _step(submission, Submission.Status.SUBMITTED)
        metering.add(current_tenant_id(), "api_calls")
    else:
        submission.save()
    return submission


@transaction.atomic
def draft_decision(submission: Submission, note: str) -> Submission:
    """A clerk reviewed the submission and drafts the decision (起案)."""
    if submission.status != Submission.Status.SUBMITTED:
        raise WrongState("only a submitted application can be reviewed")
    _step(submission, Submission.Status.DRAFTED, note)
    return submission


def approve(submission: Submission) -> Submission:
    """The supervisor's decision (決裁): the registry records the procedure, then the submission is complete. If the
    registry refuses (the record changed since), the submission stays drafted with the registry's reasons."""
    if submission.status != Submission.Status.DRAFTED:
        raise WrongState("only a drafted decision can be approved")
    outcome = PROCEDURES[submission.procedure].apply(submission.request_id, submission.data)
    with transaction.atomic():
        submission.outcome = {
            "procedure_id": outcome.procedure_id,
            "flags": list(outcome.flags),
            "errors": [list(e) for e in outcome.errors],
        }
        if outcome.ok:
            _step(submission, Submission.Status.APPROVED, f"住民記録 手続番号 {outcome.procedure_id}")
        else:
            submission.save()
            record("portal.submission.refused_by_registry", "submission", str(submission.id))
    return submission


@transaction.atomic
def reject(submission: Submission, reason: str) -> Submission:
    if submission.status not in (Submission.Status.SUBMITTED, Submission.Status.DRAFTED):
        raise WrongState("only a submitted application can be rejected")
    if not reason.strip():
        raise ValueError("a rejection needs a reason the resident can read")
    submission.reason = reason.strip()
    _step(submission, Submission.Status.REJECTED, reason.strip())
    return submission


@transaction.atomic
def record_issued(resident_id: int, subject: str, resident_ids: list[int], issue_number: str, code: str) -> Submission:
    """A certificate issued online at once: kept in the resident's list with its issue number (no review)."""
    submission = Submission(
        procedure="resident-copy",
        resident_id=resident_id,
        subject=subject,
        data={"resident_ids": resident_ids, "issue_number": issue_number, "verification_code": code},
        request_id=f"portal-{uuid.uuid4()}",
        outcome={"issue_number": issue_number},
    )
    _step(submission, Submission.Status.APPROVED, f"発行番号 {issue_number}")
    return submission
