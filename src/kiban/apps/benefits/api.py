"""Emergency benefits API: define (or load a shipped definition), prepare the eligible households, list the
prefilled applications (for the portal), apply, pay, download the transfer file, and the supervisor's progress."""

from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from kiban.platform.api.principals import tenant_operation
from kiban.platform.api.problems import Problem, not_found

from . import selectors, services
from .models import Benefit
from .permissions import BUSINESS, PROCEDURE_ROLES, READ_ROLES, READ_SCOPE, SUPERVISOR_ROLES, WRITE_SCOPE

router = Router(tags=["benefits"])
READ = tenant_operation(business=BUSINESS, roles=READ_ROLES, scope=READ_SCOPE)
WRITE = tenant_operation(business=BUSINESS, roles=PROCEDURE_ROLES, scope=WRITE_SCOPE)
SUPERVISE = tenant_operation(business=BUSINESS, roles=SUPERVISOR_ROLES, scope=WRITE_SCOPE)
BASE = "/tenants/{code}/benefits"


def _refusals(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except services.BenefitError as exc:
        raise Problem(
            422, "Procedure refused", "; ".join(e.message_en for e in exc.errors),
            type_="https://kiban.example/problems/procedure", errors=[asdict(e) for e in exc.errors],
        ) from exc  # fmt: skip


def _benefit(benefit_code: str) -> Benefit:
    found = selectors.benefit(benefit_code)
    if found is None:
        raise not_found("benefit")
    return found


class PayerIn(Schema):
    requester_code: str = Field(max_length=10, description="振込依頼人コード (委託者コード, 10 digits)")
    requester_name_kana: str = Field(max_length=80)
    bank_code: str = Field(max_length=4)
    branch_code: str = Field(max_length=3)
    account_type: str = Field(max_length=1)
    account_number: str = Field(max_length=7)


class DefinitionIn(Schema):
    code: str = Field(max_length=64)
    name: str = Field(max_length=128)
    reference: str = Field(default="", max_length=500)
    base_date: date = Field(description="基準日")
    per: str = Field(description="person / household")
    amount: int = Field(ge=1, description="給付額 (円)")
    application_opens: date
    application_closes: date
    push: bool = Field(default=False, description="申請不要 (プッシュ型)")
    min_age: int | None = Field(default=None, ge=0, le=150)
    max_age: int | None = Field(default=None, ge=0, le=150)
    household_min_eligible: int = Field(default=1, ge=1)
    household_max_members: int | None = Field(default=None, ge=1)
    payer: PayerIn


class ShippedIn(Schema):
    definition: str = Field(max_length=64, description="a file in definitions/, e.g. special_fixed_sum_2020")
    payer: PayerIn


class BenefitOut(Schema):
    code: str
    name: str
    reference: str
    base_date: date
    per: str
    amount: int
    application_opens: date
    application_closes: date
    push: bool
    min_age: int | None
    max_age: int | None
    prepared: bool


class ApplicationOut(Schema):
    id: int
    household_id: int
    payee_id: int
    eligible_count: int
    amount: int
    status: str
    applied_on: date | None


class ListParams(Schema):
    status: str = ""
    payee_id: int | None = None
    household_id: int | None = None
    limit: int = Field(default=100, ge=1, le=1000)
    offset: int = Field(default=0, ge=0)


class BankAccountIn(Schema):
    bank_code: str = Field(max_length=4)
    branch_code: str = Field(max_length=3)
    account_type: str = Field(max_length=1)
    account_number: str = Field(max_length=7)
    holder_kana: str = Field(max_length=60)


class ApplyIn(Schema):
    benefit: str = Field(max_length=64, description="給付金コード")
    household_id: int = Field(description="世帯番号 (基準日)")
    applied_on: date
    payee_id: int | None = Field(default=None, description="申請者 (基準日の世帯主) の住民ID")
    bank: BankAccountIn


class PayIn(Schema):
    benefit: str = Field(max_length=64, description="給付金コード")
    transfer_date: date = Field(description="振込指定日")


class RunOut(Schema):
    id: int | None
    count: int
    total: int


class PreparedOut(Schema):
    households: int
    persons: int
    amount: int


def _out(b: Benefit) -> dict[str, Any]:
    return {
        "code": b.code, "name": b.name, "reference": b.reference, "base_date": b.base_date, "per": b.per,
        "amount": b.amount, "application_opens": b.application_opens, "application_closes": b.application_closes,
        "push": b.push, "min_age": b.min_age, "max_age": b.max_age, "prepared": b.prepared_at is not None,
    }  # fmt: skip


def _payer(p: PayerIn) -> services.Payer:
    return services.Payer(**p.dict())


@router.post(BASE, response={201: BenefitOut}, summary="給付金の定義")
@SUPERVISE
def define(request: HttpRequest, code: str, body: DefinitionIn) -> Status:
    definition = services.Definition(**body.dict(exclude={"payer"}))
    return Status(201, _out(_refusals(lambda: services.define(definition, _payer(body.payer)))))


@router.post(BASE + "/shipped", response={201: BenefitOut}, summary="同梱の定義から登録")
@SUPERVISE
def define_shipped(request: HttpRequest, code: str, body: ShippedIn) -> Status:
    return Status(201, _out(_refusals(lambda: services.define(services.shipped(body.definition), _payer(body.payer)))))


@router.get(BASE, response=list[BenefitOut], summary="給付金の一覧")
@READ
def list_benefits(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    return [_out(b) for b in selectors.benefits()]


@router.post(BASE + "/{benefit_code}/prepare", response=PreparedOut, summary="対象世帯の抽出（申請書の事前記入）")
@SUPERVISE
def prepare(request: HttpRequest, code: str, benefit_code: str) -> services.Prepared:
    benefit = _benefit(benefit_code)
    return _refusals(lambda: services.prepare(benefit))


@router.get(BASE + "/{benefit_code}/applications", response=list[ApplicationOut], summary="申請（事前記入済み）")
@READ
def list_applications(request: HttpRequest, code: str, benefit_code: str, params: Query[ListParams]) -> list[Any]:
    qs = selectors.applications(
        _benefit(benefit_code), status=params.status, payee_id=params.payee_id, household_id=params.household_id
    )
    return list(qs[params.offset : params.offset + params.limit])


# Writes name their objects in the body (as the registry's procedures do): a foreign or unknown id is a 404 from
# the service, never a 422 from the body's validation.
@router.post(BASE + "/applications/apply", response=ApplicationOut, summary="申請")
@WRITE
def apply(request: HttpRequest, code: str, body: ApplyIn) -> Any:
    benefit = _benefit(body.benefit)
    return _refusals(lambda: services.apply(
        benefit, household_id=body.household_id, applied_on=body.applied_on, payee_id=body.payee_id,
        bank=services.BankAccount(**body.bank.dict()),
    ))  # fmt: skip


@router.post(BASE + "/payment-runs", response={201: RunOut, 200: RunOut}, summary="支払（全銀ファイル作成）")
@SUPERVISE
def pay(request: HttpRequest, code: str, body: PayIn) -> Status:
    run = services.pay(_benefit(body.benefit), transfer_date=body.transfer_date)
    if run is None:
        return Status(200, {"id": None, "count": 0, "total": 0})
    return Status(201, {"id": run.id, "count": run.count, "total": run.total})


@router.get(BASE + "/{benefit_code}/payment-runs/{run_id}/file", summary="全銀ファイル (総合振込)")
@SUPERVISE
def download_file(request: HttpRequest, code: str, benefit_code: str, run_id: int) -> HttpResponse:
    run = selectors.payment_run(_benefit(benefit_code), run_id)
    if run is None:
        raise not_found("payment run")
    response = HttpResponse(bytes(run.file), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{benefit_code}-{run.id}.txt"'
    return response


@router.get(BASE + "/{benefit_code}/progress", response=dict[str, int], summary="進捗と合計（責任者向け）")
@READ
def progress(request: HttpRequest, code: str, benefit_code: str) -> dict[str, int]:
    return services.progress(_benefit(benefit_code))
