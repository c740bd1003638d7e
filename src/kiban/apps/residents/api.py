"""Resident registry API (thin: authorization and audit happen in the platform decorator and the selectors)."""

from datetime import date

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from kiban.platform.api.principals import tenant_operation
from kiban.platform.api.problems import not_found

from . import selectors
from .models import Resident
from .permissions import BUSINESS, READ_ROLES, READ_SCOPE

router = Router(tags=["residents"])
READ = tenant_operation(business=BUSINESS, roles=READ_ROLES, scope=READ_SCOPE)


class ResidentSummary(Schema):
    id: int
    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    birth_date: date


class ResidentDetail(ResidentSummary):
    sex: str
    address: str
    removed: bool
    became_resident_on: date | None
    removed_on: date | None


class SearchParams(Schema):
    kana: str = Field(min_length=1, max_length=64, description="氏カナの前方一致 (family-name kana prefix)")
    purpose: str = Field(min_length=1, max_length=200, description="利用目的 (recorded in the audit trail)")


class DetailParams(Schema):
    purpose: str = Field(min_length=1, max_length=200, description="利用目的 (recorded in the audit trail)")
    as_of: date | None = Field(default=None, description="基準日: the person as registered on this date")


@router.get("/tenants/{code}/residents", response=list[ResidentSummary])
@READ
def search_residents(request: HttpRequest, code: str, params: Query[SearchParams]) -> list[Resident]:
    return selectors.search(params.kana, params.purpose)


@router.get("/tenants/{code}/residents/{resident_id}", response=ResidentDetail)
@READ
def get_resident(request: HttpRequest, code: str, resident_id: int, params: Query[DetailParams]) -> Resident:
    resident = selectors.open_resident(resident_id, params.purpose, params.as_of)
    if resident is None:
        raise not_found("resident")
    return resident
