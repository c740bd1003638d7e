"""The standard data of the resident record as Pydantic models: address, resident, household and the change
(異動) record. The event envelope is in ``events.py``.

Every field's JSON Schema ``title`` is the item name of 住民記録システム標準仕様書 (標準仕様書 1.0 §1.1.1 日本人住民
データ, §1.1.2 外国人住民データ, §1.2.1 異動履歴); the English ``description`` says what it holds. Models refuse
unknown items, so a misspelt field is an error rather than silently dropped data.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema, model_validator

from kiban.platform.tenants.codes import validate_code

from .codes import (
    MOVE_OUT_REASONS,
    NATIONALITY_PATTERN,
    NOT_MID_TO_LONG_TERM,
    NOTIFIED_REASONS,
    REASON_KINDS,
    REASON_ONLY_FOR,
    RELATIONSHIP_PATTERN,
    ChangeKind,
    ChangeReason,
    ForeignResidentCategory,
    ResidenceStatus,
    ResidentType,
    Sex,
    StandaloneRelationship,
    validate_nationality,
    validate_relationship,
)
from .numbers import validate_individual_number, validate_residence_card_number, validate_resident_record_code


def _string(pattern: str) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "pattern": pattern})


IndividualNumber = Annotated[str, AfterValidator(validate_individual_number), _string("^[0-9]{12}$")]
ResidentRecordCode = Annotated[str, AfterValidator(validate_resident_record_code), _string("^[0-9]{11}$")]
ResidenceCardNumber = Annotated[
    str, AfterValidator(validate_residence_card_number), _string("^[A-Z]{2}[0-9]{8}[A-Z]{2}$")
]
Relationship = Annotated[str, AfterValidator(validate_relationship), _string(RELATIONSHIP_PATTERN)]
Nationality = Annotated[str, AfterValidator(validate_nationality), _string(NATIONALITY_PATTERN)]
# 全国地方公共団体コード, check digit included; the check lives with the tenants, which are keyed by it.
LocalGovernmentCode = Annotated[str, AfterValidator(validate_code), _string("^[0-9]{6}$")]
Text = Annotated[str, Field(min_length=1)]


class StandardModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Address(StandardModel):
    """住所 in Japan, 方書 included (標準仕様書 1.0 §1.1.1 "住所（方書を含む。）", §1.1.17 郵便番号, §1.3.4 方書)."""

    postal_code: str | None = Field(
        None, title="郵便番号", description="Postal code, 7 digits without hyphen.", pattern="^[0-9]{7}$"
    )
    local_government_code: LocalGovernmentCode | None = Field(
        None, title="全国地方公共団体コード", description="6-digit local government code (with check digit)."
    )
    prefecture: Text = Field(title="都道府県", description="Prefecture, e.g. 東京都.")
    municipality: Text = Field(title="市区町村", description="City, ward, town or village, e.g. 千代田区.")
    town_id: str | None = Field(
        None,
        title="町字ID",
        description="Town/district id of the Address Base Registry (アドレス・ベース・レジストリ), 7 digits.",
        pattern="^[0-9]{7}$",
    )
    town: str | None = Field(None, title="町字", description="Town and district (大字・町・丁目・小字), e.g. 千代田.")
    house_number: str | None = Field(
        None, title="番地", description="Lot number (地番) or residence indication number (街区符号・住居番号)."
    )
    building: str | None = Field(None, title="方書", description="Building name, floor and room after the address.")


class Resident(StandardModel):
    """A resident's record (住民票): the items of 標準仕様書 1.0 §1.1.1 (Japanese nationals) and §1.1.2 (foreign
    residents). Items of one kind of resident are refused on the other's record."""

    resident_type: ResidentType = Field(title="住民種別", description="Japanese national or foreign resident.")
    addressee_number: Text = Field(
        title="宛名番号", description="The municipality's own number for the person (標準仕様書 §1.1.13)."
    )
    household_number: Text = Field(title="世帯番号", description="The municipality's number for the household.")
    resident_record_code: ResidentRecordCode | None = Field(
        None, title="住民票コード", description="Resident record code, 11 digits (format checked, see numbers.py)."
    )
    individual_number: IndividualNumber | None = Field(
        None, title="個人番号", description="Individual number (My Number), 12 digits with check digit."
    )
    name: Text = Field(
        title="氏名",
        description="Full name; for a foreign resident, the name in Roman letters (氏名（アルファベット）).",
    )
    name_kana: str | None = Field(None, title="氏名のフリガナ", description="Reading of the name, full-width katakana.")
    name_kanji: str | None = Field(
        None, title="氏名（漢字）", description="Foreign residents only: the name in kanji, where it has one."
    )
    former_surname: str | None = Field(None, title="旧氏", description="Japanese nationals only: former surname.")
    alias: str | None = Field(None, title="通称", description="Foreign residents only: registered alias.")
    birth_date: date = Field(title="生年月日", description="Date of birth.")
    sex: Sex = Field(title="性別", description="Sex, ISO/IEC 5218 code.")
    householder_name: Text = Field(title="世帯主の氏名", description="Name of the householder.")
    relationship: Relationship = Field(
        title="世帯主との続柄", description="Relationship to the householder, e.g. 世帯主, 妻, 子の子."
    )
    permanent_domicile: str | None = Field(
        None, title="本籍", description="Japanese nationals only: permanent domicile (may be なし or 不明)."
    )
    head_of_family_register: str | None = Field(
        None, title="筆頭者", description="Japanese nationals only: head of the family register (may be なし or 不明)."
    )
    became_resident_on: date | None = Field(
        None, title="住民となった年月日", description="Japanese nationals only: date they became a resident."
    )
    became_foreign_resident_on: date | None = Field(
        None, title="外国人住民となった年月日", description="Foreign residents only: date they became a resident."
    )
    address: Address = Field(title="住所", description="Current address.")
    address_set_on: date | None = Field(
        None, title="住所を定めた年月日", description="Date the person started living at the address (住定日)."
    )
    notified_on: date | None = Field(
        None, title="届出の年月日", description="Date of the notification that set the address."
    )
    previous_address: Address | None = Field(
        None, title="転入前住所", description="Address before moving in, when it was in Japan."
    )
    previous_address_abroad: str | None = Field(
        None, title="転入前住所（国外）", description="Address before moving in, when it was abroad (free text)."
    )
    nationality: Nationality | None = Field(
        None, title="国籍・地域", description="Foreign residents only: nationality or region, ISO 3166-1 numeric."
    )
    foreign_resident_category: ForeignResidentCategory | None = Field(
        None,
        title="法第30条の45に規定する区分",
        description="Foreign residents only: the kind of foreign resident (住民基本台帳法 30条の45).",
    )
    residence_status: ResidenceStatus | None = Field(
        None, title="在留資格", description="Mid-to-long-term residents only: status of residence."
    )
    period_of_stay: str | None = Field(
        None, title="在留期間", description="Mid-to-long-term residents only: period of stay as granted, e.g. 3年."
    )
    period_of_stay_expires_on: date | None = Field(
        None, title="在留期間の満了の日", description="Mid-to-long-term residents only: expiry of the period of stay."
    )
    residence_card_number: ResidenceCardNumber | None = Field(
        None, title="在留カードの番号", description="Mid-to-long-term residents only: residence card number."
    )
    special_permanent_resident_certificate_number: ResidenceCardNumber | None = Field(
        None, title="特別永住者証明書の番号", description="Special permanent residents only: certificate number."
    )

    JAPANESE_ONLY: ClassVar[tuple[str, ...]] = (
        "former_surname",
        "permanent_domicile",
        "head_of_family_register",
        "became_resident_on",
    )
    FOREIGN_ONLY: ClassVar[tuple[str, ...]] = (
        "name_kanji",
        "alias",
        "became_foreign_resident_on",
        "nationality",
        "foreign_resident_category",
        "residence_status",
        "period_of_stay",
        "period_of_stay_expires_on",
        "residence_card_number",
        "special_permanent_resident_certificate_number",
    )
    MID_TO_LONG_TERM_ONLY: ClassVar[tuple[str, ...]] = (
        "residence_status",
        "period_of_stay",
        "period_of_stay_expires_on",
        "residence_card_number",
    )

    def _present(self, *names: str) -> list[str]:
        return [name for name in names if getattr(self, name) is not None]

    def _absent(self, *names: str) -> list[str]:
        return [name for name in names if getattr(self, name) is None]

    def _title(self, name: str) -> str:
        return f"{type(self).model_fields[name].title} ({name})"

    def _refuse(self, names: list[str], why: str) -> None:
        if names:
            raise ValueError(f"{', '.join(self._title(n) for n in names)}: {why}")

    @model_validator(mode="after")
    def _items_fit_the_kind_of_resident(self) -> Resident:
        if self.resident_type is ResidentType.JAPANESE:
            self._refuse(
                self._present(*self.FOREIGN_ONLY), "only on a foreign resident's record (住民種別 is 日本人住民)"
            )
            return self
        self._refuse(
            self._present(*self.JAPANESE_ONLY), "only on a Japanese national's record (住民種別 is 外国人住民)"
        )
        self._refuse(
            self._absent("nationality", "foreign_resident_category"),
            "required for a foreign resident (住民基本台帳法 30条の45)",
        )
        category = self.foreign_resident_category
        if category is ForeignResidentCategory.MID_TO_LONG_TERM:
            self._refuse(
                self._absent("residence_status", "residence_card_number"),
                "required for a 中長期在留者 (mid-to-long-term resident)",
            )
            if self.residence_status in NOT_MID_TO_LONG_TERM:
                raise ValueError(
                    f"在留資格 (residence_status) {self.residence_status} never makes a 中長期在留者 (入管法 19条の3)"
                )
        else:
            self._refuse(self._present(*self.MID_TO_LONG_TERM_ONLY), f"only for a 中長期在留者, not a {category}")
        certificate = "special_permanent_resident_certificate_number"
        if category is ForeignResidentCategory.SPECIAL_PERMANENT:
            self._refuse(self._absent(certificate), "required for a 特別永住者")
        else:
            self._refuse(self._present(certificate), "only for a 特別永住者")
        return self

    @model_validator(mode="after")
    def _householder_names_themself(self) -> Resident:
        if self.relationship == StandaloneRelationship.HOUSEHOLDER and self.householder_name != self.name:
            raise ValueError(
                f"世帯主の氏名 (householder_name) {self.householder_name!r} must be the householder's own 氏名 "
                f"{self.name!r} when 続柄 is 世帯主"
            )
        return self


class Household(StandardModel):
    """A household (世帯) and its members, as on the household sheet (世帯票, 標準仕様書 1.0 §1.1.3): exactly one
    householder (世帯主), every member carrying the household's number and the householder's name."""

    household_number: Text = Field(title="世帯番号", description="The municipality's number for the household.")
    householder_name: Text = Field(title="世帯主の氏名", description="Name of the householder.")
    address: Address = Field(title="住所", description="The household's address.")
    members: list[Resident] = Field(
        title="世帯員", description="Members in the order of the record (標準仕様書 §5.2).", min_length=1
    )

    @model_validator(mode="after")
    def _one_householder_and_consistent_members(self) -> Household:
        heads = [m for m in self.members if m.relationship == StandaloneRelationship.HOUSEHOLDER]
        if len(heads) != 1:
            raise ValueError(f"世帯員 (members): a household has exactly one 世帯主, found {len(heads)}")
        if heads[0].name != self.householder_name:
            raise ValueError(
                f"世帯主の氏名 (householder_name) {self.householder_name!r} is not the 世帯主 member's 氏名 "
                f"{heads[0].name!r}"
            )
        for member in self.members:
            if member.household_number != self.household_number:
                raise ValueError(
                    f"世帯員 {member.addressee_number}: 世帯番号 {member.household_number!r} is not the household's "
                    f"{self.household_number!r}"
                )
            if member.householder_name != self.householder_name:
                raise ValueError(
                    f"世帯員 {member.addressee_number}: 世帯主の氏名 {member.householder_name!r} is not the "
                    f"household's {self.householder_name!r}"
                )
        return self


class ChangeRecord(StandardModel):
    """One change (異動) of a resident's record, kept as history and never overwritten (標準仕様書 1.0 §1.2.1):
    what happened and when, and the whole record as it stands after the change (the specification keeps every
    item at every point in time, keyed by 宛名番号 and 履歴番号)."""

    history_number: int = Field(
        title="履歴番号", description="1, 2, 3 … per 宛名番号, in the order the changes were recorded.", ge=1
    )
    kind: ChangeKind = Field(title="異動区分", description="Entry, removal or correction (標準仕様書 §1.2.2).")
    reason: ChangeReason = Field(title="異動事由", description="Reason for the change (標準仕様書 §1.2.2).")
    effective_on: date = Field(title="異動日", description="Date the change took effect.")
    processed_on: date = Field(title="処理日", description="Date the municipality recorded it (標準仕様書 §4.0.3).")
    notified_on: date | None = Field(
        None, title="届出日", description="Date of the resident's notification, for changes made on notification."
    )
    requested_on: date | None = Field(
        None, title="申出日", description="Date of the request, for entries on request and 通称 entry or deletion."
    )
    communicated_on: date | None = Field(None, title="通知日", description="Date of the notice that caused it.")
    claimed_on: date | None = Field(
        None, title="請求日", description="Date of the claim, for entry, change or deletion of 旧氏."
    )
    resident: Resident = Field(title="異動者", description="The resident's whole record after the change.")

    @model_validator(mode="after")
    def _reason_dates_and_resident_agree(self) -> ChangeRecord:
        if self.kind not in REASON_KINDS[self.reason]:
            kinds = "・".join(sorted(REASON_KINDS[self.reason]))
            raise ValueError(f"異動事由 (reason) {self.reason} is a {kinds} reason, not {self.kind}")
        only_for = REASON_ONLY_FOR.get(self.reason)
        if only_for is not None and self.resident.resident_type is not only_for:
            raise ValueError(f"異動事由 (reason) {self.reason} applies only to {only_for}")
        if self.reason in NOTIFIED_REASONS and self.notified_on is None:
            raise ValueError(f"届出日 (notified_on) is required for {self.reason}, a change made on notification")
        if self.notified_on is not None and self.notified_on > self.processed_on:
            raise ValueError(f"届出日 (notified_on) {self.notified_on} is after 処理日 (processed_on)")
        if self.effective_on > self.processed_on and self.reason not in MOVE_OUT_REASONS:
            raise ValueError(
                f"異動日 (effective_on) {self.effective_on} is after 処理日 {self.processed_on}: only a 転出 may be "
                "recorded in advance (標準仕様書 §4.0.3)"
            )
        return self
