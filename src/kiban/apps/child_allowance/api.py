"""Child allowance API (児童手当): recognitions, prompts, the payer account, payment runs and their files, notices.

Thin: authorization in the platform decorator, the work in services/payments, reads in selectors."""

from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from kiban.platform.api.principals import tenant_operation
from kiban.platform.api.problems import Problem, not_found

from . import notices, payments, selectors, services
from .errors import ChildAllowanceError
from .models import Recognition, Revision
from .permissions import BUSINESS, PROCEDURE_ROLES, READ_ROLES, READ_SCOPE, SUPERVISOR_ROLES, WRITE_SCOPE

router = Router(tags=["child_allowance"])
READ = tenant_operation(business=BUSINESS, roles=READ_ROLES, scope=READ_SCOPE)
WRITE = tenant_operation(business=BUSINESS, roles=PROCEDURE_ROLES, scope=WRITE_SCOPE)
SUPERVISE = tenant_operation(business=BUSINESS, roles=SUPERVISOR_ROLES, scope=WRITE_SCOPE)
BASE = "/tenants/{code}/child-allowance"


def _refusals(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except ChildAllowanceError as exc:
        raise Problem(
            422, "Procedure refused", "; ".join(e.message_en for e in exc.errors),
            type_="https://kiban.example/problems/procedure", errors=[asdict(e) for e in exc.errors],
        ) from exc  # fmt: skip


class BankAccountIn(Schema):
    bank_code: str = Field(max_length=4, description="金融機関コード (4 digits)")
    branch_code: str = Field(max_length=3, description="店舗コード (3 digits)")
    account_type: str = Field(max_length=1, description="預金種目: 1 普通, 2 当座, 4 貯蓄, 9 その他")
    account_number: str = Field(max_length=7, description="口座番号 (up to 7 digits)")
    holder_kana: str = Field(max_length=60, description="口座名義 (カナ)")


class ChildIn(Schema):
    resident_id: int
    supported: bool = Field(default=False, description="生計費を負担する年長の子 (第3子以降の算定に数える)")


class RecognizeIn(Schema):
    recipient_id: int = Field(description="請求者 (受給者) の住民ID")
    children: list[ChildIn] = Field(min_length=1, max_length=20)
    applied_on: date = Field(description="認定請求日")
    event_on: date | None = Field(default=None, description="出生・転入等の日 (15日特例, 8条3項)")
    bank: BankAccountIn
    income: int | None = Field(default=None, ge=0, description="所得額 (2024年9月分以前の月の支給にのみ必要)")
    dependants: int = Field(default=0, ge=0, le=30, description="扶養親族等の数")
    prompt_id: int | None = Field(default=None, description="勧奨からの請求なら、その勧奨")


class RevisionOut(Schema):
    id: int
    seq: int
    kind: str
    effective_month: date
    reason: str
    children: list[dict[str, Any]]
    monthly_total: int


class RecognitionOut(Schema):
    id: int
    number: str
    recipient_id: int
    household_id: int
    applied_on: date
    first_month: date
    status: str
    last_month: date | None
    ended_reason: str
    revisions: list[RevisionOut]


class PromptOut(Schema):
    id: int
    household_id: int
    householder_id: int
    child_id: int
    event_on: date
    status: str


class PayerIn(Schema):
    requester_code: str = Field(max_length=10, description="振込依頼人コード (委託者コード, 10 digits)")
    requester_name_kana: str = Field(max_length=80)
    bank_code: str = Field(max_length=4)
    branch_code: str = Field(max_length=3)
    account_type: str = Field(max_length=1)
    account_number: str = Field(max_length=7)


class PaymentRunIn(Schema):
    payment_date: date = Field(description="支払日 (its month must be a 支払期月)")
    transfer_date: date | None = Field(default=None, description="振込指定日 (default: the payment date)")


class PaymentRunOut(Schema):
    id: int | None
    payment_month: date | None
    months: list[str]
    count: int
    total: int


def _recognition(r: Recognition) -> dict[str, Any]:
    return {
        "id": r.id, "number": r.number, "recipient_id": r.recipient_id, "household_id": r.household_id,
        "applied_on": r.applied_on, "first_month": r.first_month, "status": r.status, "last_month": r.last_month,
        "ended_reason": r.ended_reason, "revisions": list(r.revisions.all()),
    }  # fmt: skip


@router.post(BASE + "/recognitions", response={201: RecognitionOut}, summary="認定請求・認定")
@WRITE
def recognize(request: HttpRequest, code: str, body: RecognizeIn) -> Status:
    recognition = _refusals(lambda: services.recognize(
        recipient_id=body.recipient_id,
        children=[services.ChildClaim(c.resident_id, c.supported) for c in body.children],
        applied_on=body.applied_on, event_on=body.event_on, bank=services.BankAccount(**body.bank.dict()),
        income=body.income, dependants=body.dependants, prompt_id=body.prompt_id,
    ))  # fmt: skip
    found = selectors.recognition(recognition.id)
    assert found is not None
    return Status(201, _recognition(found))


@router.get(BASE + "/recognitions", response=list[RecognitionOut], summary="認定の一覧")
@READ
def list_recognitions(request: HttpRequest, code: str, status: str = "") -> list[dict[str, Any]]:
    return [_recognition(r) for r in selectors.recognitions(status)]


@router.get(BASE + "/recognitions/{recognition_id}", response=RecognitionOut)
@READ
def get_recognition(request: HttpRequest, code: str, recognition_id: int) -> dict[str, Any]:
    found = selectors.recognition(recognition_id)
    if found is None:
        raise not_found("recognition")
    return _recognition(found)


@router.get(BASE + "/recognitions/{recognition_id}/notices/{revision_id}.pdf", summary="認定・額改定通知書 (PDF)")
@READ
def get_notice(request: HttpRequest, code: str, recognition_id: int, revision_id: int) -> HttpResponse:
    revision = (
        Revision.objects.select_related("recognition").filter(id=revision_id, recognition_id=recognition_id).first()
    )
    if revision is None:
        raise not_found("notice")
    response = HttpResponse(notices.notice_pdf(revision.recognition, revision), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{recognition_id}-{revision.seq}.pdf"'
    return response


@router.get(BASE + "/prompts", response=list[PromptOut], summary="認定請求の勧奨（未請求）")
@READ
def list_prompts(request: HttpRequest, code: str) -> list[Any]:
    return list(selectors.open_prompts())


@router.put(BASE + "/payer-account", response={204: None}, summary="支払口座（振込依頼人）")
@SUPERVISE
def put_payer(request: HttpRequest, code: str, body: PayerIn) -> Status:
    _refusals(lambda: services.set_payer_account(**body.dict()))
    return Status(204, None)


@router.post(BASE + "/subscription", response={204: None}, summary="住民記録の異動を購読する")
@SUPERVISE
def subscribe(request: HttpRequest, code: str) -> Status:
    services.subscribe_to_registry()
    return Status(204, None)


@router.post(BASE + "/payment-runs", response={201: PaymentRunOut, 200: PaymentRunOut}, summary="定時払の実行")
@SUPERVISE
def run_payment(request: HttpRequest, code: str, body: PaymentRunIn) -> Status:
    run = _refusals(lambda: payments.run_payment(body.payment_date, transfer_date=body.transfer_date))
    if run is None:
        return Status(200, {"id": None, "payment_month": None, "months": [], "count": 0, "total": 0})
    out = {
        "id": run.id,
        "payment_month": run.payment_month,
        "months": run.months,
        "count": run.count,
        "total": run.total,
    }
    return Status(201, out)


@router.get(BASE + "/payment-runs/{run_id}/file", summary="全銀ファイル (総合振込)")
@SUPERVISE
def download_file(request: HttpRequest, code: str, run_id: int) -> HttpResponse:
    run = selectors.payment_run(run_id)
    if run is None:
        raise not_found("payment run")
    response = HttpResponse(bytes(run.file), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="child-allowance-{run.payment_month:%Y%m}-{run.id}.txt"'
    return response
