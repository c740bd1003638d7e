"""Resident registry API: every procedure and query (thin: authorization and audit happen in the platform
decorator, the services and the selectors). This is what other vendors' systems and the portal call."""

from collections.abc import Callable
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field
from pydantic.dataclasses import dataclass as pydantic_dataclass

from kiban.platform.api.principals import tenant_operation
from kiban.platform.api.problems import Problem, not_found
from kiban.standard.schemas import ChangeRecord as StandardChangeRecord
from kiban.standard.schemas import Resident as StandardResident

from . import address_dictionary, extracts, mail_names, selectors, services, standard_records, statistics, support
from .permissions import BUSINESS, PROCEDURE_ROLES, READ_ROLES, READ_SCOPE, SUPERVISOR_ROLES, WRITE_SCOPE
from .validation import PersonData, ProcedureError

router = Router(tags=["residents"])
READ = tenant_operation(business=BUSINESS, roles=READ_ROLES, scope=READ_SCOPE)
WRITE = tenant_operation(business=BUSINESS, roles=PROCEDURE_ROLES, scope=WRITE_SCOPE)
SUPERVISE = tenant_operation(business=BUSINESS, roles=SUPERVISOR_ROLES, scope=WRITE_SCOPE)
PURPOSE = Field(min_length=1, max_length=200, description="利用目的 (recorded in the audit trail)")


# --- reads -------------------------------------------------------------------------------------------------------


class ResidentSummary(Schema):
    id: int
    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    birth_date: date
    status: str
    protected: bool = Field(description="支援措置の対象者 (support measure in force): handle requests with care")


class ResidentDetail(Schema):
    id: int
    household_id: int
    version: int
    relationship: str
    kind: str
    status: str
    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    birth_date: date
    sex: str
    address: str
    building: str
    became_resident_on: date | None
    moved_in_on: date | None
    previous_address: str
    domicile: str
    domicile_head: str
    nationality: str
    residence_status: str
    period_of_stay_until: date | None
    residence_card_number: str
    alias: str
    alias_kana: str
    former_surname: str = Field(default="", description="旧氏")
    former_surname_kana: str = ""
    resident_code: str
    individual_number_masked: str
    removed_on: date | None
    removal_reason: str


class HistoryEntry(Schema):
    record: int = Field(description="住民票 number: 1, then 2… after each 再転入 (the history is per 住民票, j350)")
    seq: int
    kind: str
    effective_on: date
    notified_on: date
    address: str
    building: str
    procedure_id: int
    flags: list[str]


class SearchParams(Schema):
    kana: str = Field(default="", max_length=64, description="カナ氏名の前方一致 (width, hiragana and spaces ignored)")
    name: str = Field(default="", max_length=64, description="漢字氏名の前方一致 (old/new character forms ignored)")
    address: str = Field(default="", max_length=128, description="住所の前方一致")
    resident_code: str = Field(default="", max_length=11, description="住民票コード (alone)")
    birth_date: date | None = Field(default=None, description="生年月日 (narrows a name or address search)")
    sex: str = Field(default="", max_length=1, description="性別 1/2 (narrows)")
    include_removed: bool = Field(default=False, description="除票も含める")
    purpose: str = PURPOSE


class DetailParams(Schema):
    purpose: str = PURPOSE
    as_of: date | None = Field(default=None, description="基準日: the person as registered on this date")


class PurposeParams(Schema):
    purpose: str = PURPOSE


class HistoryParams(PurposeParams):
    record: int | None = Field(
        default=None, ge=1, description="住民票 number (see /records); the current 住民票 when omitted (j350)"
    )


class RecordSpanOut(Schema):
    number: int
    began_on: date
    removed_on: date | None


def _detail(record: selectors.ResidentRecord) -> dict[str, Any]:
    return {
        **record.values,
        "id": record.id,
        "household_id": record.household_id,
        "version": record.version,
        "address": record.address,
        "building": record.building,
        "individual_number_masked": record.individual_number_masked,
    }


@router.get("/tenants/{code}/residents", response=list[ResidentSummary])
@READ
def search_residents(request: HttpRequest, code: str, params: Query[SearchParams]) -> list[Any]:
    criteria = selectors.SearchCriteria(**params.dict(exclude={"purpose"}))
    return _procedure_errors(lambda: selectors.search(criteria, params.purpose))


@router.get("/tenants/{code}/residents/{resident_id}", response=ResidentDetail)
@READ
def get_resident(request: HttpRequest, code: str, resident_id: int, params: Query[DetailParams]) -> dict[str, Any]:
    record = selectors.open_resident(resident_id, params.purpose, params.as_of)
    if record is None:
        raise not_found("resident")
    return _detail(record)


@router.get("/tenants/{code}/residents/{resident_id}/history", response=list[HistoryEntry])
@READ
def get_history(
    request: HttpRequest, code: str, resident_id: int, params: Query[HistoryParams]
) -> list[dict[str, Any]]:
    """The history of one 住民票 of the person (the current one unless ``record`` names an earlier one)."""
    entries = selectors.history(resident_id, params.purpose, params.record)
    if not entries:
        raise not_found("resident" if params.record is None else "record")
    number = params.record or len(selectors.records_of(resident_id))
    return [
        {
            "record": number,
            "seq": e.seq,
            "kind": e.kind,
            "effective_on": e.effective_on,
            "notified_on": e.notified_on,
            "address": e.address,
            "building": e.building,
            "procedure_id": e.procedure_id,
            "flags": e.procedure.flags,
        }
        for e in entries
    ]


@router.get("/tenants/{code}/households/{household_id}/members", response=list[ResidentDetail])
@READ
def get_household(
    request: HttpRequest, code: str, household_id: int, params: Query[DetailParams]
) -> list[dict[str, Any]]:
    members = selectors.household_members(household_id, params.purpose, params.as_of)
    if not members:
        raise not_found("household")
    return [_detail(m) for m in members]


# --- procedures ------------------------------------------------------------------------------------------------


class NotificationIn(Schema):
    request_id: str = Field(min_length=1, max_length=64, description="要求ID: retrying with the same id is safe")
    effective_on: date = Field(description="異動日")
    notified_on: date = Field(description="届出日")
    note: str = Field(default="", max_length=500)
    on_application: bool = Field(
        default=False,
        description="申出を受けた職権記載等 (標準仕様書 4.2.0.5): an authority action taken on a person's application; "
        "notified_on is then the 申出日. Refused (422) for any other procedure",
    )
    by_authority: bool = Field(
        default=False,
        description="届出の準用 (標準仕様書 4.2.0.2): a notification's procedure (move-in, move within, move-out, "
        "household change) done by authority, nobody having notified. Refused (422) for any other procedure",
    )
    notifier: str = Field(
        default="",
        max_length=64,
        description="届出人: who notified, when not the person moving (a member, a 代理人); for the 住民異動届受理通知 "
        "(標準仕様書 4.1.0.3). Refused (422) for an authority action",
    )


class AddressIn(Schema):
    address: str = Field(max_length=255, description="住所")
    postal_code: str = Field(default="", max_length=7)
    district: str = Field(default="", max_length=64, description="町字")
    building: str = Field(default="", max_length=128, description="方書")


class PersonIn(Schema):
    family_name: str = Field(max_length=64)
    given_name: str = Field(max_length=64)
    family_name_kana: str = Field(max_length=128)
    given_name_kana: str = Field(max_length=128)
    birth_date: date
    sex: str = Field(max_length=1, description="1 男, 2 女")
    relationship: str = Field(default="", max_length=32, description="続柄")
    kind: str = Field(default="japanese", description="japanese / foreign")
    domicile: str = Field(default="", max_length=255, description="本籍")
    domicile_head: str = Field(default="", max_length=128, description="筆頭者")
    nationality: str = Field(default="", max_length=3, description="国籍・地域 (ISO 3166-1 numeric)")
    residence_status: str = Field(default="", max_length=64, description="在留資格")
    period_of_stay_until: date | None = None
    residence_card_number: str = Field(default="", max_length=12)
    alias: str = Field(default="", max_length=128, description="通称")
    alias_kana: str = Field(default="", max_length=128)
    former_surname: str = Field(default="", max_length=64, description="旧氏 (Japanese residents, on request)")
    former_surname_kana: str = Field(default="", max_length=128)
    resident_code: str = Field(default="", max_length=11, description="住民票コード (carried over on a move-in)")
    individual_number: str = Field(default="", max_length=12, description="個人番号 (stored encrypted)")

    def data(self) -> PersonData:
        return PersonData(**self.dict())


class MoveInIn(NotificationIn):
    address: AddressIn
    persons: list[PersonIn] = Field(min_length=1, max_length=30)
    household_id: int | None = None
    origin: str = Field(default="domestic", description="domestic / abroad / status_acquired (法30条の47)")
    previous_address: str = Field(default="", max_length=255)
    unnotified: bool = Field(
        default=False,
        description="未届転入 (標準仕様書 4.1.1.4): previous_address is the latest unnotified address; recorded with "
        "「（未届）」 and a 留意事項",
    )
    last_registered_address: str = Field(
        default="", max_length=255, description="最終登録住所地 (data, not on the record)"
    )


class RegisterIn(NotificationIn):
    address: AddressIn
    persons: list[PersonIn] = Field(min_length=1, max_length=30)
    household_id: int | None = None
    reason: str = Field(max_length=200)


class MoveWithinIn(NotificationIn):
    resident_ids: list[int] = Field(min_length=1, max_length=30)
    address: AddressIn
    household_id: int | None = None
    relationships: dict[int, str] = Field(default_factory=dict)


class MoveOutIn(NotificationIn):
    resident_ids: list[int] = Field(min_length=1, max_length=30)
    destination_address: str = Field(max_length=255)
    destination_code: str = Field(default="", max_length=6, description="転出先の地方公共団体コード")
    abroad: bool = False
    new_householder_id: int | None = None
    relationships: dict[int, str] = Field(default_factory=dict)
    householder_undecided: bool = Field(
        default=False,
        description="世帯主不在 (標準仕様書 4.0.5): the householder leaves two or more behind and no new one is set; "
        "they are listed for the 世帯主変更依頼通知書",
    )


class BirthIn(NotificationIn):
    household_id: int
    person: PersonIn


class DeathIn(NotificationIn):
    resident_id: int
    new_householder_id: int | None = None
    relationships: dict[int, str] = Field(default_factory=dict)
    householder_undecided: bool = Field(
        default=False,
        description="世帯主不在 (標準仕様書 4.0.5): the householder leaves two or more behind and no new one is set; "
        "they are listed for the 世帯主変更依頼通知書",
    )


class RemoveIn(NotificationIn):
    resident_ids: list[int] = Field(min_length=1, max_length=30)
    reason: str = Field(max_length=200)
    new_householder_id: int | None = None
    relationships: dict[int, str] = Field(default_factory=dict)
    householder_undecided: bool = Field(
        default=False,
        description="世帯主不在 (標準仕様書 4.0.5): the householder leaves two or more behind and no new one is set; "
        "they are listed for the 世帯主変更依頼通知書",
    )


class SplitIn(NotificationIn):
    resident_ids: list[int] = Field(min_length=1, max_length=30)
    relationships: dict[int, str]


class MergeIn(NotificationIn):
    from_household_id: int
    into_household_id: int
    relationships: dict[int, str]


class CompositionIn(NotificationIn):
    resident_ids: list[int] = Field(min_length=1, max_length=30)
    into_household_id: int
    relationships: dict[int, str]


class HouseholderIn(NotificationIn):
    household_id: int
    relationships: dict[int, str]


class CorrectionIn(NotificationIn):
    resident_id: int
    changes: dict[str, Any]
    reason: str = Field(max_length=200)
    kind: str = Field(default="職権修正", description="職権修正 / 誤記修正 / 軽微な修正")
    also: list[int] = Field(
        default_factory=list,
        description="members of the household with the same 本籍・筆頭者 corrected alike (本籍・筆頭者 only; 4.0.6)",
    )


class AddressCorrectionIn(NotificationIn):
    household_id: int
    address: AddressIn
    reason: str = Field(max_length=200, description="e.g. 住居表示の実施")


class NationalityIn(NotificationIn):
    resident_id: int
    cause: str = Field(description="naturalization (帰化) / acquisition (国籍取得) / loss (国籍喪失)")
    person: PersonIn = Field(description="the new 住民票's name, kana and 本籍・筆頭者 or nationality and category")


class CancelIn(NotificationIn):
    procedure_id: int = Field(description="the procedure to undo (its procedure_id)")
    reason: str = Field(max_length=200)
    resident_ids: list[int] | None = Field(default=None, max_length=30, description="some of its persons (default all)")
    relationships: dict[int, str] = Field(default_factory=dict, description="続柄 of persons forming a new household")


class FormerSurnameIn(NotificationIn):
    resident_id: int
    former_surname: str = Field(max_length=64, description="旧氏; empty to delete it")
    former_surname_kana: str = Field(default="", max_length=128)


class ResidentCodeChangeIn(NotificationIn):
    resident_id: int
    resident_code: str = Field(
        default="", max_length=11, description="住民票コード chosen; empty: a new code is assigned (標準仕様書 4.3.1)"
    )


class ResidentCodeCorrectionIn(NotificationIn):
    resident_id: int
    resident_code: str = Field(max_length=11, description="the right 住民票コード (11 digits with its check digit)")
    reason: str = Field(max_length=200)


class ResidenceStatusIn(NotificationIn):
    resident_id: int
    residence_status: str = Field(max_length=64)
    period_of_stay_until: date | None = None
    residence_card_number: str = Field(default="", max_length=12)


class ProcedureOut(Schema):
    procedure_id: int
    kind: str
    resident_ids: list[int]
    household_ids: list[int]
    flags: list[str]
    replayed: bool


def _procedure_errors(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except ProcedureError as exc:
        if any(e.code == "not_found" for e in exc.errors):
            raise not_found("resident, household or measure") from exc  # as for another tenant's id
        raise Problem(
            422,
            "Procedure refused",
            "; ".join(e.message_en for e in exc.errors),
            type_="https://kiban.example/problems/procedure",
            errors=[e.__dict__ for e in exc.errors],
        ) from exc


def _n(body: NotificationIn) -> services.Notification:
    return services.Notification(
        body.request_id,
        body.effective_on,
        body.notified_on,
        body.note,
        on_application=body.on_application,
        by_authority=body.by_authority,
        notifier=body.notifier,
    )


def _address(a: AddressIn) -> services.AddressData:
    return services.AddressData(a.address, a.postal_code, a.district, a.building)


@router.post("/tenants/{code}/procedures/move-in", response=ProcedureOut, summary="転入届")
@WRITE
def move_in(request: HttpRequest, code: str, body: MoveInIn) -> services.ProcedureResult:
    return _procedure_errors(
        lambda: services.move_in(
            _n(body),
            address=_address(body.address),
            persons=[p.data() for p in body.persons],
            household_id=body.household_id,
            origin=body.origin,
            previous_address=body.previous_address,
            unnotified=body.unnotified,
            last_registered_address=body.last_registered_address,
        )
    )


@router.post("/tenants/{code}/procedures/move-within", response=ProcedureOut, summary="転居届")
@WRITE
def move_within(request: HttpRequest, code: str, body: MoveWithinIn) -> services.ProcedureResult:
    return _procedure_errors(
        lambda: services.move_within(
            _n(body),
            resident_ids=body.resident_ids,
            address=_address(body.address),
            household_id=body.household_id,
            relationships=body.relationships,
        )
    )


@router.post("/tenants/{code}/procedures/move-out", response=ProcedureOut, summary="転出届")
@WRITE
def move_out(request: HttpRequest, code: str, body: MoveOutIn) -> services.ProcedureResult:
    return _procedure_errors(
        lambda: services.move_out(
            _n(body),
            resident_ids=body.resident_ids,
            destination_address=body.destination_address,
            destination_code=body.destination_code,
            abroad=body.abroad,
            new_householder_id=body.new_householder_id,
            relationships=body.relationships,
            householder_undecided=body.householder_undecided,
        )
    )


@router.post("/tenants/{code}/procedures/birth", response=ProcedureOut, summary="出生")
@WRITE
def birth(request: HttpRequest, code: str, body: BirthIn) -> services.ProcedureResult:
    return _procedure_errors(
        lambda: services.birth(_n(body), household_id=body.household_id, person=body.person.data())
    )


@router.post("/tenants/{code}/procedures/death", response=ProcedureOut, summary="死亡")
@WRITE
def death(request: HttpRequest, code: str, body: DeathIn) -> services.ProcedureResult:
    return _procedure_errors(
        lambda: services.death(
            _n(body),
            resident_id=body.resident_id,
            new_householder_id=body.new_householder_id,
            relationships=body.relationships,
            householder_undecided=body.householder_undecided,
        )
    )


@router.post("/tenants/{code}/procedures/split-household", response=ProcedureOut, summary="世帯分離")
@WRITE
def split_household(request: HttpRequest, code: str, body: SplitIn) -> services.ProcedureResult:
    return _procedure_errors(
        lambda: services.split_household(_n(body), resident_ids=body.resident_ids, relationships=body.relationships)
    )


@router.post("/tenants/{code}/procedures/merge-households", response=ProcedureOut, summary="世帯合併")
@WRITE
def merge_households(request: HttpRequest, code: str, body: MergeIn) -> services.ProcedureResult:
    return _procedure_errors(
        lambda: services.merge_households(
            _n(body),
            from_household_id=body.from_household_id,
            into_household_id=body.into_household_id,
            relationships=body.relationships,
        )
    )


@router.post("/tenants/{code}/procedures/change-composition", response=ProcedureOut, summary="世帯変更")
@WRITE
def change_composition(request: HttpRequest, code: str, body: CompositionIn) -> services.ProcedureResult:
    return _procedure_errors(
        lambda: services.change_composition(
            _n(body),
            resident_ids=body.resident_ids,
            into_household_id=body.into_household_id,
            relationships=body.relationships,
        )
    )


@router.post("/tenants/{code}/procedures/change-householder", response=ProcedureOut, summary="世帯主変更")
@WRITE
def change_householder(request: HttpRequest, code: str, body: HouseholderIn) -> services.ProcedureResult:
    return _procedure_errors(
        lambda: services.change_householder(_n(body), household_id=body.household_id, relationships=body.relationships)
    )


@router.post("/tenants/{code}/procedures/correction", response=ProcedureOut, summary="職権修正・戸籍届出による修正")
@SUPERVISE
def correct(request: HttpRequest, code: str, body: CorrectionIn) -> services.ProcedureResult:
    return _procedure_errors(
        lambda: services.correct(
            _n(body),
            resident_id=body.resident_id,
            changes=body.changes,
            reason=body.reason,
            kind=body.kind,
            also=body.also,
        )
    )


@router.post("/tenants/{code}/procedures/address-correction", response=ProcedureOut, summary="軽微な修正（住所）")
@SUPERVISE
def correct_address(request: HttpRequest, code: str, body: AddressCorrectionIn) -> services.ProcedureResult:
    return _procedure_errors(
        lambda: services.correct_address(
            _n(body), household_id=body.household_id, address=_address(body.address),
            reason=body.reason,
        )
    )  # fmt: skip


@router.post("/tenants/{code}/procedures/nationality", response=ProcedureOut, summary="帰化・国籍取得・国籍喪失")
@SUPERVISE
def change_nationality(request: HttpRequest, code: str, body: NationalityIn) -> services.ProcedureResult:
    return _procedure_errors(
        lambda: services.change_nationality(
            _n(body), resident_id=body.resident_id, cause=body.cause, person=body.person.data()
        )
    )


@router.post("/tenants/{code}/procedures/cancel", response=ProcedureOut, summary="異動の取消し")
@SUPERVISE
def cancel(request: HttpRequest, code: str, body: CancelIn) -> services.ProcedureResult:
    """Undo a recorded procedure by a new one on top of the history (標準仕様書 4.6.0.1)."""
    return _procedure_errors(
        lambda: services.cancel(
            _n(body),
            procedure_id=body.procedure_id,
            reason=body.reason,
            resident_ids=body.resident_ids,
            relationships=body.relationships,
        )
    )


@router.post("/tenants/{code}/procedures/former-surname", response=ProcedureOut, summary="旧氏の記載・変更・削除")
@WRITE
def former_surname(request: HttpRequest, code: str, body: FormerSurnameIn) -> services.ProcedureResult:
    return _procedure_errors(
        lambda: services.record_former_surname(
            _n(body), resident_id=body.resident_id, former_surname=body.former_surname,
            former_surname_kana=body.former_surname_kana,
        )
    )  # fmt: skip


@router.post("/tenants/{code}/procedures/resident-code-change", response=ProcedureOut, summary="住民票コードの変更請求")
@SUPERVISE
def change_resident_code(request: HttpRequest, code: str, body: ResidentCodeChangeIn) -> services.ProcedureResult:
    """法30条の4 (標準仕様書 4.3.2): notified_on is the 請求日; without resident_code a new code is assigned."""
    return _procedure_errors(
        lambda: services.change_resident_code(_n(body), resident_id=body.resident_id, resident_code=body.resident_code)
    )


@router.post("/tenants/{code}/procedures/resident-code-correction", response=ProcedureOut, summary="住民票コードの修正")
@SUPERVISE
def correct_resident_code(request: HttpRequest, code: str, body: ResidentCodeCorrectionIn) -> services.ProcedureResult:
    """A wrongly entered code corrected by authority (標準仕様書 4.3.2), recorded as 住民票コードの職権記載."""
    return _procedure_errors(
        lambda: services.correct_resident_code(
            _n(body), resident_id=body.resident_id, resident_code=body.resident_code, reason=body.reason
        )
    )


@router.post("/tenants/{code}/procedures/residence-status", response=ProcedureOut, summary="在留資格等の変更")
@WRITE
def residence_status(request: HttpRequest, code: str, body: ResidenceStatusIn) -> services.ProcedureResult:
    return _procedure_errors(
        lambda: services.change_residence_status(
            _n(body),
            resident_id=body.resident_id,
            residence_status=body.residence_status,
            period_of_stay_until=body.period_of_stay_until,
            residence_card_number=body.residence_card_number,
        )
    )


@router.post("/tenants/{code}/procedures/register-by-authority", response=ProcedureOut, summary="職権記載")
@SUPERVISE
def register_by_authority(request: HttpRequest, code: str, body: RegisterIn) -> services.ProcedureResult:
    return _procedure_errors(
        lambda: services.register_by_authority(
            _n(body),
            address=_address(body.address),
            persons=[p.data() for p in body.persons],
            household_id=body.household_id,
            reason=body.reason,
        )
    )


@router.post("/tenants/{code}/procedures/remove-by-authority", response=ProcedureOut, summary="職権消除")
@SUPERVISE
def remove_by_authority(request: HttpRequest, code: str, body: RemoveIn) -> services.ProcedureResult:
    return _procedure_errors(
        lambda: services.remove_by_authority(
            _n(body),
            resident_ids=body.resident_ids,
            reason=body.reason,
            new_householder_id=body.new_householder_id,
            relationships=body.relationships,
            householder_undecided=body.householder_undecided,
        )
    )


# --- support measures (支援措置) ----------------------------------------------------------------------------------


class SupportMeasureOut(Schema):
    id: int
    resident_id: int
    kind: str
    starts_on: date
    ends_on: date | None
    released_on: date | None


class ApplySupportIn(Schema):
    resident_id: int
    requested_by: str = Field(max_length=150, description="申出者")


class ReleaseSupportIn(Schema):
    reason: str = Field(default="", max_length=200, description="解除理由 (required)")


@router.post("/tenants/{code}/support-measures", response=SupportMeasureOut, summary="支援措置の申出（仮支援措置）")
@SUPERVISE
def apply_support(request: HttpRequest, code: str, body: ApplySupportIn) -> Any:
    return _procedure_errors(lambda: support.apply(body.resident_id, requested_by=body.requested_by))


@router.post(
    "/tenants/{code}/support-measures/{measure_id}/confirm", response=SupportMeasureOut, summary="支援措置の確認"
)
@SUPERVISE
def confirm_support(request: HttpRequest, code: str, measure_id: int) -> Any:
    return _procedure_errors(lambda: support.confirm(measure_id))


@router.post(
    "/tenants/{code}/support-measures/{measure_id}/extend", response=SupportMeasureOut, summary="支援措置の延長"
)
@SUPERVISE
def extend_support(request: HttpRequest, code: str, measure_id: int) -> Any:
    return _procedure_errors(lambda: support.extend(measure_id))


@router.post(
    "/tenants/{code}/support-measures/{measure_id}/release", response=SupportMeasureOut, summary="支援措置の解除"
)
@SUPERVISE
def release_support(request: HttpRequest, code: str, measure_id: int, body: ReleaseSupportIn) -> Any:
    return _procedure_errors(lambda: support.release(measure_id, reason=body.reason))


@router.get("/tenants/{code}/support-measures/expiring", response=list[SupportMeasureOut], summary="終了間近の支援措置")
@SUPERVISE
def expiring_support(request: HttpRequest, code: str) -> Any:
    return support.expiring()


# --- statistics ---------------------------------------------------------------------------------------------------


class StatisticsParams(Schema):
    as_of: date = Field(description="基準日 (e.g. the last day of a month)")


@router.get(
    "/tenants/{code}/statistics/population.csv",
    summary="住民基本台帳人口 (population by district, age and sex; CSV, open data)",
    response={200: None},
)
@READ
def population_csv(request: HttpRequest, code: str, params: Query[StatisticsParams]) -> HttpResponse:
    response = HttpResponse(statistics.population_csv(params.as_of), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="population-{code}-{params.as_of.isoformat()}.csv"'
    return response


class PeriodParams(Schema):
    start: date = Field(description="期間開始 (e.g. 1 January)")
    end: date = Field(description="期間終了 and base date of the population (e.g. 31 December)")


@router.get(
    "/tenants/{code}/statistics/annual.csv",
    summary="住民基本台帳関係年報 (population, households and movements of a period by kind; CSV)",
    response={200: None},
)
@READ
def annual_csv(request: HttpRequest, code: str, params: Query[PeriodParams]) -> HttpResponse:
    if params.end < params.start:
        raise Problem(422, "Bad period", "end is before start", type_="https://kiban.example/problems/procedure")
    text = statistics.annual_report_csv(params.start, params.end)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    name = f"annual-{code}-{params.start.isoformat()}-{params.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- extracts (閲覧用の一部の写し, 無作為抽出; 標準仕様書 9.5, 9.6) ---------------------------------------------------


class InspectionParams(Schema):
    districts: list[str] = Field(min_length=1, max_length=50, description="町字 to include")
    purpose: str = Field(max_length=200)
    order: str = Field(default="address", description="address / random")
    seed: int | None = None


class SampleIn(Schema):
    count: int = Field(ge=1, le=10_000)
    purpose: str = Field(max_length=200)
    sex: str = Field(default="", description="1 男 / 2 女 / empty for both")
    born_from: date | None = None
    born_to: date | None = None
    districts: list[str] = Field(default_factory=list, max_length=50)
    kind: str = Field(default="", description="japanese / foreign / empty for both")
    seed: int | None = Field(default=None, description="the same seed draws the same persons again")
    labels: bool = Field(default=False, description="answer with the 宛名シール PDF instead of the list")


# A resident drawn (無作為抽出) as the API answers: ``extracts.Row``'s fields, declared there once; a pydantic dataclass
# named for the OpenAPI schema. No docstring: it would become the schema's description.
@pydantic_dataclass(frozen=True)
class SampleRowOut(extracts.Row):
    pass


@router.get(
    "/tenants/{code}/extracts/inspection.csv", summary="住民基本台帳の一部の写し（閲覧用）", response={200: None}
)
@SUPERVISE
def inspection_csv(request: HttpRequest, code: str, params: Query[InspectionParams]) -> HttpResponse:
    rows = _procedure_errors(
        lambda: extracts.inspection_copy(params.districts, params.purpose, params.order, params.seed)
    )
    response = HttpResponse(extracts.inspection_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="inspection-{code}.csv"'
    return response


@router.post(
    "/tenants/{code}/extracts/sample",
    summary="無作為抽出 (the list, or its 宛名シール as PDF)",
    response={200: list[SampleRowOut]},
    # Merged into the 200 response ninja generates from ``response`` (its key is the int 200: a "200" key would be a
    # second response object, and in the JSON document it replaced the JSON rows).
    openapi_extra={
        "responses": {
            200: {
                "description": "the residents drawn (JSON), or with `labels` their 宛名シール (PDF)",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
@SUPERVISE
def random_sample(request: HttpRequest, code: str, body: SampleIn) -> Any:
    criteria = extracts.SampleCriteria(body.count, body.sex, body.born_from, body.born_to, tuple(body.districts),
                                       body.kind, body.seed)  # fmt: skip
    rows = _procedure_errors(lambda: extracts.random_sample(criteria, body.purpose))
    if body.labels:
        return HttpResponse(extracts.address_labels_pdf(mail_names.addressed(rows)), content_type="application/pdf")
    return [row.__dict__ for row in rows]


# --- address dictionary (住所辞書, 標準仕様書 1.3.3) ------------------------------------------------------------


class AddressLookupParams(Schema):
    postal_code: str = Field(default="", max_length=8, description="郵便番号 (7 digits, a hyphen allowed)")
    kana: str = Field(default="", max_length=32, description="住所カナ入力: first kana of each level: ト ヒ シ")


class SuggestionOut(Schema):
    address: str
    postal_code: str
    kana: str
    code: str = Field(description="住所コード (11 digits) when the town is in the municipality's dictionary")


class AddressEntryIn(Schema):
    code: str = Field(default="", max_length=11, description="the entry to correct; empty to add a town")
    town: str = Field(max_length=64)
    town_kana: str = Field(max_length=128)
    postal_code: str = Field(default="", max_length=8)
    koaza: str = Field(default="", max_length=64, description="小字 (adds a 小字 under an existing town)")
    koaza_kana: str = Field(default="", max_length=128)
    city: str = Field(default="", max_length=32, description="the ward, in a designated city")


class AddressEntryOut(Schema):
    code: str
    postal_code: str
    address: str
    town_kana: str
    source: str
    abolished_on: date | None


class RefreshOut(Schema):
    added: int
    abolished: int
    kept: int


@router.get("/tenants/{code}/addresses", response=list[SuggestionOut], summary="住所辞書: entry assistance")
@READ
def lookup_addresses(request: HttpRequest, code: str, params: Query[AddressLookupParams]) -> Any:
    return address_dictionary.lookup(postal_code=params.postal_code, kana=params.kana)


@router.post("/tenants/{code}/addresses", response=AddressEntryOut, summary="住所辞書: add or correct an entry")
@SUPERVISE
def save_address(request: HttpRequest, code: str, body: AddressEntryIn) -> Any:
    entry = _procedure_errors(lambda: address_dictionary.save(**body.dict()))
    return {"code": entry.code, "postal_code": entry.postal_code, "address": entry.address,
            "town_kana": entry.town_kana, "source": entry.source, "abolished_on": entry.abolished_on}  # fmt: skip


@router.post("/tenants/{code}/addresses/refresh", response=RefreshOut, summary="住所辞書: update from national data")
@SUPERVISE
def refresh_addresses(request: HttpRequest, code: str) -> Any:
    return address_dictionary.refresh(timezone.localdate())


# --- between municipalities (転出・転入手続ワンストップ) ------------------------------------------------------


class NoticeOut(Schema):
    notice_id: str
    from_tenant: str
    planned_on: date
    destination_address: str
    persons: int


class MoveInFromNoticeIn(NotificationIn):
    notice_id: str = Field(max_length=36)
    address: AddressIn
    household_id: int | None = None


@router.get("/tenants/{code}/move-out-notices", response=list[NoticeOut], summary="転入予定の通知 (advance notices)")
@READ
def move_out_notices(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    return [
        {
            "notice_id": str(e.event_id),
            "from_tenant": e.data.get("from_tenant", ""),
            "planned_on": e.data["planned_on"],
            "destination_address": e.data["destination_address"],
            "persons": len(e.data["persons"]),
        }
        for e in services.move_out_notices()
    ]


@router.post(
    "/tenants/{code}/procedures/move-in-from-notice", response=ProcedureOut, summary="転入届（転出証明書情報から）"
)
@WRITE
def move_in_from_notice(request: HttpRequest, code: str, body: MoveInFromNoticeIn) -> services.ProcedureResult:
    return _procedure_errors(
        lambda: services.move_in_from_notice(
            _n(body), notice_id=body.notice_id, address=_address(body.address), household_id=body.household_id
        )
    )


# --- certificates (証明書交付) --------------------------------------------------------------------------------------


class CertificateIn(Schema):
    kind: str = Field(
        description="resident_copy (住民票の写し) / removed_copy (除票の写し) / recorded_items (記載事項証明書) / "
        "removed_items (除票記載事項証明書)"
    )
    resident_ids: list[int] = Field(min_length=1, max_length=30)
    requester: str = Field(description="self / household / public_office / third_party / proxy (代理人, 委任状)")
    requester_name: str = Field(max_length=150)
    requester_resident_id: int | None = Field(default=None, description="when the requester is a resident")
    purpose: str = Field(max_length=200, description="請求事由")
    items: list[str] = Field(
        default_factory=list,
        description="householder, domicile, resident_code, individual_number, history, furigana (katakana after names)",
    )
    layout: str = Field(default="household", description="household (世帯連記式) / individual (個人票)")


@router.post(
    "/tenants/{code}/certificates",
    summary="証明書の交付 (signed PDF)",
    response={200: None},
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
@WRITE
def issue_certificate(request: HttpRequest, code: str, body: CertificateIn) -> HttpResponse:
    from kiban.platform.api.problems import problem_response

    from . import certificates

    try:
        issued = _procedure_errors(
            lambda: certificates.issue(
                certificates.Request(
                    kind=body.kind,
                    resident_ids=body.resident_ids,
                    requester=body.requester,
                    requester_name=body.requester_name,
                    purpose=body.purpose,
                    items=tuple(body.items),
                    layout=body.layout,
                    requester_resident_id=body.requester_resident_id,
                )
            )
        )
    except support.Blocked as exc:
        # Answered, not raised: the refusal's audit entry and the supervisors' alert must be kept.
        return problem_response(
            request, Problem(403, "Refused", str(exc), type_="https://kiban.example/problems/support-measure")
        )
    return _pdf(issued)


def _pdf(issued: Any) -> HttpResponse:
    response = HttpResponse(issued.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{issued.certificate.issue_number}.pdf"'
    response["X-Issue-Number"] = issued.certificate.issue_number
    response["X-Verification-Code"] = issued.certificate.verification_code
    return response


@router.post(
    "/tenants/{code}/procedures/{procedure_id}/move-out-certificate",
    summary="転出証明書 of a 転出 procedure (標準仕様書 4.1.3.0.3; once, then 再交付)",
    response={200: None},
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
@WRITE
def issue_move_out_certificate(request: HttpRequest, code: str, procedure_id: int) -> HttpResponse:
    from . import certificates
    from .models import Procedure

    if not Procedure.objects.filter(id=procedure_id).exists():
        raise not_found("procedure")
    return _pdf(_procedure_errors(lambda: certificates.issue_move_out_certificate(procedure_id)))


@router.post(
    "/tenants/{code}/move-out-certificates/{certificate_id}/reissue",
    summary="転出証明書の再交付 (the content of the first issue, marked 再交付)",
    response={200: None},
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
@WRITE
def reissue_move_out_certificate(request: HttpRequest, code: str, certificate_id: int) -> HttpResponse:
    from . import certificates

    return _pdf(_procedure_errors(lambda: certificates.reissue_move_out_certificate(certificate_id)))


# --- the standard's schemas (標準仕様書 1.0 §1.1, §1.2) ---------------------------------------------------------


@router.get(
    "/tenants/{code}/residents/{resident_id}/standard",
    response=StandardResident,
    summary="住民票 in the standard schema (kiban.standard.schemas.Resident)",
)
@READ
def get_standard_resident(request: HttpRequest, code: str, resident_id: int, params: Query[DetailParams]) -> Any:
    record = selectors.open_resident(resident_id, params.purpose, params.as_of)
    if record is None:
        raise not_found("resident")
    return standard_records.resident_record(
        {**record.values, "household_id": record.household_id}, record.id, record.address, record.building
    )


@router.get(
    "/tenants/{code}/residents/{resident_id}/history/standard",
    response=list[StandardChangeRecord],
    summary="異動履歴 in the standard schema (kiban.standard.schemas.ChangeRecord)",
)
@READ
def get_standard_history(request: HttpRequest, code: str, resident_id: int, params: Query[HistoryParams]) -> Any:
    entries = selectors.history(resident_id, params.purpose, params.record)
    if not entries:
        raise not_found("resident" if params.record is None else "record")
    return standard_records.change_records(entries)


@router.get(
    "/tenants/{code}/residents/{resident_id}/records",
    response=list[RecordSpanOut],
    summary="The person's 住民票: one per stay (再転入 starts a new one, j350/j600)",
)
@READ
def get_records(request: HttpRequest, code: str, resident_id: int) -> Any:
    spans = selectors.records_of(resident_id)
    if not spans:
        raise not_found("resident")
    return [{"number": s.number, "began_on": s.began_on, "removed_on": s.removed_on} for s in spans]
