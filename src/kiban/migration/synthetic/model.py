"""What the synthetic population generator produces: plain frozen records, no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

MALE = "1"  # 性別 code of the 住民記録 standard: 1 男, 2 女
FEMALE = "2"
HOUSEHOLDER = "世帯主"


@dataclass(frozen=True, slots=True)
class SyntheticPerson:
    """One resident as the registry would hold them (住民票の記載事項, 住民基本台帳法 7条 and 30条の45)."""

    person_no: int  # 1..N within the municipality, stable for a given seed
    family_name: str
    given_name: str
    family_name_kana: str  # full-width katakana
    given_name_kana: str
    birth_date: date
    sex: str  # "1" male, "2" female
    relationship: str  # 続柄 as written on the record: 世帯主, 妻, 夫, 子, 父, 母, 孫, 子の妻, 同居人
    foreign: bool
    nationality: str | None  # 国籍・地域
    residence_status: str | None  # 在留資格
    period_of_stay_until: date | None  # 在留期間の満了の日 (None for permanent statuses)
    residence_card_number: str | None  # 在留カード等番号, e.g. AB12345678CD
    alias: str | None  # 通称
    resident_code: str  # 住民票コード: 11 digits
    individual_number: str  # 個人番号: 12 digits
    became_resident_on: date  # 住民となった年月日
    moved_in_on: date  # 住定日
    previous_address: str | None  # 前住所
    domicile: str | None  # 本籍 (Japanese nationals)
    domicile_head: str | None  # 筆頭者

    @property
    def name(self) -> str:
        return f"{self.family_name}\u3000{self.given_name}"


@dataclass(frozen=True, slots=True)
class SyntheticHousehold:
    """One household (世帯) at one address; exactly one member is the householder (世帯主), listed first."""

    household_no: int
    postal_code: str  # 7 digits, a code of the municipality
    address: str  # prefecture + city + town + 番地
    district: str  # 町字, e.g. 九段南一丁目
    building: str | None  # 方書
    members: tuple[SyntheticPerson, ...]

    @property
    def householder(self) -> SyntheticPerson:
        return self.members[0]


@dataclass(frozen=True, slots=True)
class PastEvent:
    """A past change (異動) of a household member: effective date (異動日) and notified date (届出日).

    ``person_no`` is the current member's number; events of former members who died or moved out (they are no
    longer among the residents) carry ``person_no`` 0 and describe the former member in ``detail``.
    """

    person_no: int
    kind: str  # "birth" | "move_in" | "move_within" | "death" | "move_out"
    effective_on: date
    notified_on: date
    detail: str
