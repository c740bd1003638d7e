"""API contracts between businesses that the standard fixes, so that any vendor's app can serve them.

"As of" queries (基準日照会): another business asks the resident registry about a person as of a date — the
tax base on 1 January (地方税法 39条・318条: 賦課期日), allowance eligibility on a base date, the special fixed-sum
benefit's 基準日 (27 April 2020). The registry answers from its history, not from today's record.

HTTP form (the residents app of any vendor serves it):

    GET /api/v1/tenants/{code}/residents/{resident_id}?as_of=YYYY-MM-DD&purpose=…

- 200 with the person's record as it stood on that date, if they were registered (住民) in the municipality then;
- 404 (application/problem+json) if there is no such person, or they were not registered on that date
  (not yet moved in, or already removed: 除票);
- the read is audited like any other, with its purpose.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Protocol


class AsOfResidentQuery(Protocol):
    """The in-process form of the contract, for apps in the same deployment."""

    def resident_as_of(self, resident_id: int, on: date, purpose: str) -> object | None:
        """The resident as registered on ``on`` in the current tenant, or None if not registered then."""
        ...


AS_OF_PARAMETER = "as_of"


# ---------------------------------------------------------------------------------------------------------------
# The registry contract for other businesses in the same deployment (child allowance, benefits, tax …).
#
# Other businesses never import the registry app: they ask whatever registry the deployment registered here
# (Kiban's own, or an adapter over another vendor's HTTP API). Rows carry the standard's items only.


@dataclass(frozen=True, slots=True)
class RegisteredPerson:
    """A person as registered on a date: the items other businesses need for eligibility (no names in bulk)."""

    resident_id: int
    household_id: int
    relationship: str  # 続柄 (世帯主, 子, …)
    birth_date: date
    sex: str  # ISO 5218: 1 male, 2 female
    kind: str  # japanese / foreign


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """One person's record for prefilling a procedure (once-only): what the municipality already holds."""

    resident_id: int
    household_id: int
    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    birth_date: date
    sex: str
    relationship: str
    address: str
    building: str


@dataclass(frozen=True, slots=True)
class ProcedureOutcome:
    """What a registry procedure requested through the contract came to: recorded, or refused with reasons."""

    procedure_id: int | None
    flags: tuple[str, ...] = ()
    errors: tuple[tuple[str, str, str], ...] = ()  # (field, Japanese message, English message)

    @property
    def ok(self) -> bool:
        return self.procedure_id is not None


@dataclass(frozen=True, slots=True)
class CertificateOutcome:
    """A certificate issued through the contract (a signed PDF and the numbers printed on it), or the reasons not."""

    pdf: bytes | None
    issue_number: str = ""
    verification_code: str = ""
    errors: tuple[tuple[str, str, str], ...] = ()


class ResidentRegistry(Protocol):
    def identify(self, family_name: str, given_name: str, birth_date: date, address: str, purpose: str) -> list[int]:
        """Registered residents matching an authenticated identity (基本4情報 without sex); the caller refuses
        anything but exactly one match."""
        ...

    def record(self, resident_id: int, purpose: str) -> PersonRecord | None:
        """A registered person's current record (audited as opened)."""
        ...

    def resident_as_of(self, resident_id: int, on: date, purpose: str) -> RegisteredPerson | None:
        """One person as registered on ``on`` in the current tenant (audited as a read), or None."""
        ...

    def household_as_of(self, household_id: int, on: date, purpose: str) -> list[RegisteredPerson]:
        """The registered members of a household on ``on``, householder first (audited)."""
        ...

    def move_within(
        self,
        request_id: str,
        resident_ids: list[int],
        address: str,
        building: str,
        effective_on: date,
        notified_on: date,
    ) -> ProcedureOutcome:
        """転居届 for these persons (a whole household keeps its number; part of one forms a new household headed by
        the first person named)."""
        ...

    def move_out(
        self,
        request_id: str,
        resident_ids: list[int],
        destination_address: str,
        destination_code: str,
        planned_on: date,
        notified_on: date,
    ) -> ProcedureOutcome:
        """転出届 with a planned date; a destination on the platform gets the advance notice (ワンストップ)."""
        ...

    def issue_certificate(
        self, requester_resident_id: int, resident_ids: list[int], items: tuple[str, ...], purpose: str
    ) -> CertificateOutcome:
        """住民票の写し requested by a resident for themselves or members of their household (法12条); items are
        the optional ones to print: householder (世帯主・続柄), domicile (本籍・筆頭者), resident_code,
        individual_number."""
        ...

    def population_as_of(self, on: date, purpose: str) -> Iterator[RegisteredPerson]:
        """Everyone registered on ``on`` (for city-wide benefits and statistics), streamed; audited once as a bulk
        read with its purpose."""
        ...


_registry: ResidentRegistry | None = None


def provide_registry(registry: ResidentRegistry) -> None:
    """Called once at start-up by the registry app the deployment uses."""
    global _registry
    _registry = registry


def registry() -> ResidentRegistry:
    if _registry is None:
        raise LookupError("no resident registry is installed in this deployment")
    return _registry


# ---------------------------------------------------------------------------------------------------------------
# One-off benefits (給付金) for the portal: the prefilled application of the resident's household, and applying.


@dataclass(frozen=True, slots=True)
class BenefitOffer:
    """A prefilled application (申請書の事前記載): what the municipality already knows, for the payee to confirm."""

    code: str
    name: str
    household_id: int
    eligible_count: int
    amount: int  # yen
    status: str  # prefilled / applied / paid
    application_closes: date


@dataclass(frozen=True, slots=True)
class BankAccountData:
    bank_code: str
    branch_code: str
    account_type: str
    account_number: str
    holder_kana: str


class BenefitsService(Protocol):
    def offers_for(self, resident_id: int) -> list[BenefitOffer]:
        """The benefits whose payee (the householder on the base date) is this resident."""
        ...

    def apply(self, code: str, resident_id: int, account: BankAccountData, applied_on: date) -> ProcedureOutcome: ...


_benefits: BenefitsService | None = None


def provide_benefits(service: BenefitsService) -> None:
    global _benefits
    _benefits = service


def benefits() -> BenefitsService:
    if _benefits is None:
        raise LookupError("no benefits app is installed in this deployment")
    return _benefits


# ---------------------------------------------------------------------------------------------------------------
# 他業務照会 (住民記録システム標準仕様書 7.2.2): the registry's screen shows what other businesses hold on a person
# (the latest 選挙・国保・後期高齢・介護・年金・児童手当 … items). Each business app installed answers for itself;
# the registry never reads another app's tables.

# The businesses 7.2.2 names, in its order (the registry says which of them the deployment cannot ask).
INQUIRED_BUSINESSES = ("electoral_roll", "health_insurance", "elderly_medical_care", "care_insurance",
                       "national_pension", "child_allowance")  # fmt: skip


@dataclass(frozen=True, slots=True)
class BusinessItems:
    """The latest items one business holds on a person: its name and (item, value) pairs as its staff would read
    them (e.g. ("受給者", "認定中（令和6年11月分から）")); no amounts of money, no bank account."""

    business: str
    title: str
    items: tuple[tuple[str, str], ...]


class BusinessInquiry(Protocol):
    def items_of(self, resident_id: int, purpose: str) -> BusinessItems | None:
        """What this business holds on the resident (None: nothing); the read is audited with the purpose."""
        ...


_inquiries: dict[str, BusinessInquiry] = {}


def provide_inquiry(business: str, inquiry: BusinessInquiry) -> None:
    """Called at start-up by each business app that answers 他業務照会."""
    _inquiries[business] = inquiry


def inquiries() -> dict[str, BusinessInquiry]:
    """The businesses that answer, by business code."""
    return dict(_inquiries)
