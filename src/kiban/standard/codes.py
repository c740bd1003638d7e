"""Code tables of the resident record standard, as enums.

Where the standard itself fixes a code, the enum's value is that code. Where it names the values but leaves the
codes to each system (as 住民記録システム標準仕様書 does for 異動事由: "システムが管理する異動事由コード"), or where no
published code table could be found, the value is the standard's own Japanese term, so nothing is made up:
each docstring says which case applies and cites the section. "標準仕様書 1.0" below is 住民記録システム標準仕様書
第1.0版 (総務省, 2020), whose functional requirements were read in AkihiraYOSHIMOTO/jyuki-stnd (doc/j*.txt).
"""

from __future__ import annotations

import re
from enum import StrEnum


class Sex(StrEnum):
    """性別. ISO/IEC 5218 codes (JIS X 0303, now withdrawn, had the same 1 and 2).

    標準仕様書 1.0 §1.1.1 and §1.1.2 list 性別 as an item without giving codes; ISO/IEC 5218 is the code table
    Kiban uses, and it is what the existing resident app already stores (1 男, 2 女).
    """

    NOT_KNOWN = "0"  # 不明
    MALE = "1"  # 男
    FEMALE = "2"  # 女
    NOT_APPLICABLE = "9"  # 適用不能


class ResidentType(StrEnum):
    """住民種別 (日本人住民・外国人住民), 標準仕様書 1.0 §1.1.1, §1.1.2. No numeric code published: the value is
    the specification's term."""

    JAPANESE = "日本人住民"
    FOREIGN = "外国人住民"


class ForeignResidentCategory(StrEnum):
    """法第30条の45に規定する区分: the five kinds of foreign resident in 住民基本台帳法 30条の45, as listed in
    標準仕様書 1.0 §1.1.2. No numeric code published: the value is the law's term."""

    MID_TO_LONG_TERM = "中長期在留者"
    SPECIAL_PERMANENT = "特別永住者"
    TEMPORARY_REFUGE = "一時庇護許可者"
    PROVISIONAL_STAY = "仮滞在者"
    TRANSITIONAL_STAY = "経過滞在者"  # 出生又は国籍喪失による経過滞在者


class ResidenceStatus(StrEnum):
    """在留資格: the statuses of residence of 出入国管理及び難民認定法 別表第一 (一の表 to 五の表) and 別表第二,
    29 in all as of 2024 (出入国在留管理庁「在留資格一覧表」). Sub-kinds (高度専門職1号イ, 技能実習2号ロ, 特定技能1号 …)
    are not separate members.

    No published standard code table was found; the vendor code lists seen (e.g. "01 永住者") are not the
    standard's and are not copied here. The value is the law's name.
    特別永住者 is not a 在留資格 (it is a status under the 入管特例法): see ``ForeignResidentCategory``.
    """

    # 別表第一の一
    DIPLOMAT = "外交"
    OFFICIAL = "公用"
    PROFESSOR = "教授"
    ARTIST = "芸術"
    RELIGIOUS_ACTIVITIES = "宗教"
    JOURNALIST = "報道"
    # 別表第一の二
    HIGHLY_SKILLED_PROFESSIONAL = "高度専門職"
    BUSINESS_MANAGER = "経営・管理"
    LEGAL_ACCOUNTING_SERVICES = "法律・会計業務"
    MEDICAL_SERVICES = "医療"
    RESEARCHER = "研究"
    INSTRUCTOR = "教育"
    ENGINEER_HUMANITIES_INTERNATIONAL = "技術・人文知識・国際業務"
    INTRA_COMPANY_TRANSFEREE = "企業内転勤"
    NURSING_CARE = "介護"
    ENTERTAINER = "興行"
    SKILLED_LABOR = "技能"
    SPECIFIED_SKILLED_WORKER = "特定技能"
    TECHNICAL_INTERN_TRAINING = "技能実習"
    # 別表第一の三
    CULTURAL_ACTIVITIES = "文化活動"
    TEMPORARY_VISITOR = "短期滞在"
    # 別表第一の四
    STUDENT = "留学"
    TRAINEE = "研修"
    DEPENDENT = "家族滞在"
    # 別表第一の五
    DESIGNATED_ACTIVITIES = "特定活動"
    # 別表第二
    PERMANENT_RESIDENT = "永住者"
    SPOUSE_OF_JAPANESE_NATIONAL = "日本人の配偶者等"
    SPOUSE_OF_PERMANENT_RESIDENT = "永住者の配偶者等"
    LONG_TERM_RESIDENT = "定住者"


# 入管法 19条の3: these statuses never make a 中長期在留者 (so never appear on a mid-to-long-term resident's record).
NOT_MID_TO_LONG_TERM = frozenset(
    {ResidenceStatus.TEMPORARY_VISITOR, ResidenceStatus.DIPLOMAT, ResidenceStatus.OFFICIAL}
)


class ChangeKind(StrEnum):
    """異動の区分 (記載・消除・修正): the three groups of 異動事由 in 標準仕様書 1.0 §1.2.2."""

    ENTRY = "記載"
    REMOVAL = "消除"
    CORRECTION = "修正"


class ChangeReason(StrEnum):
    """異動事由: the classification every system must be able to map its own reason codes to,
    標準仕様書 1.0 §1.2.2. The specification leaves the codes themselves to each system ("システムが管理する異動事由
    コード"), so the value is the specification's term. 改製 and 再製 occur both as 記載 and as 消除: the record's
    ``ChangeKind`` says which (see ``REASON_KINDS``)."""

    # 記載の事由
    MOVE_IN_DOMESTIC = "国内転入"
    MOVE_IN_FROM_ABROAD = "国外転入等"
    BIRTH = "出生"
    ENTRY_NATURALIZATION = "職権記載（帰化等）"  # 日本人住民のみ
    ENTRY_LOSS_OF_NATIONALITY = "職権記載（国籍喪失）"  # 外国人住民のみ
    ENTRY_EX_OFFICIO = "職権記載"
    REMAKE = "改製"  # 記載・消除
    RECONSTRUCTION = "再製"  # 記載・消除
    CANCEL_INCREASE = "異動の取消し（増）"
    # 消除の事由
    MOVE_OUT_DOMESTIC = "国内転出"
    MOVE_OUT_ABROAD = "国外転出"
    DEATH = "死亡"
    REMOVAL_NATURALIZATION = "職権消除（帰化等）"  # 外国人住民のみ
    REMOVAL_LOSS_OF_NATIONALITY = "職権消除（国籍喪失）"  # 日本人住民のみ
    REMOVAL_EX_OFFICIO = "職権消除"
    CANCEL_DECREASE = "異動の取消し（減）"
    # 修正の事由
    MOVE_WITHIN = "転居"
    MINOR_CORRECTION = "軽微な修正"
    CORRECTION_EX_OFFICIO = "職権修正"
    CLERICAL_ERROR_CORRECTION = "誤記修正"
    INDIVIDUAL_NUMBER_CHANGE_REQUEST = "個人番号の変更請求"
    INDIVIDUAL_NUMBER_CORRECTION = "個人番号の職権修正"
    INDIVIDUAL_NUMBER_ENTRY = "個人番号の職権記載"
    RESIDENT_RECORD_CODE_CHANGE_REQUEST = "住民票コードの変更請求"
    RESIDENT_RECORD_CODE_ENTRY = "住民票コードの職権記載"
    HOUSEHOLD_SEPARATION = "世帯分離"
    HOUSEHOLD_MERGER = "世帯合併"
    HOUSEHOLD_CHANGE = "世帯変更"
    HOUSEHOLDER_CHANGE = "世帯主変更"
    FORMER_SURNAME_ENTRY = "旧氏の記載"
    FORMER_SURNAME_CHANGE = "旧氏の変更"
    FORMER_SURNAME_DELETION = "旧氏の削除"
    ALIAS_ENTRY = "通称の記載"
    ALIAS_DELETION = "通称の削除"
    CANCEL_CORRECTION = "異動の取消し（修正）"


_ENTRIES = {
    ChangeReason.MOVE_IN_DOMESTIC,
    ChangeReason.MOVE_IN_FROM_ABROAD,
    ChangeReason.BIRTH,
    ChangeReason.ENTRY_NATURALIZATION,
    ChangeReason.ENTRY_LOSS_OF_NATIONALITY,
    ChangeReason.ENTRY_EX_OFFICIO,
    ChangeReason.CANCEL_INCREASE,
}
_REMOVALS = {
    ChangeReason.MOVE_OUT_DOMESTIC,
    ChangeReason.MOVE_OUT_ABROAD,
    ChangeReason.DEATH,
    ChangeReason.REMOVAL_NATURALIZATION,
    ChangeReason.REMOVAL_LOSS_OF_NATIONALITY,
    ChangeReason.REMOVAL_EX_OFFICIO,
    ChangeReason.CANCEL_DECREASE,
}
_BOTH = {ChangeReason.REMAKE, ChangeReason.RECONSTRUCTION}

# Which group (記載・消除・修正) each reason belongs to, per 標準仕様書 1.0 §1.2.2.
REASON_KINDS: dict[ChangeReason, frozenset[ChangeKind]] = {
    reason: frozenset({ChangeKind.CORRECTION}) for reason in ChangeReason
}
REASON_KINDS.update({reason: frozenset({ChangeKind.ENTRY}) for reason in _ENTRIES})
REASON_KINDS.update({reason: frozenset({ChangeKind.REMOVAL}) for reason in _REMOVALS})
REASON_KINDS.update({reason: frozenset({ChangeKind.ENTRY, ChangeKind.REMOVAL}) for reason in _BOTH})

# Reasons §1.2.2 marks "※日本人住民のみ" or "※外国人住民のみ".
REASON_ONLY_FOR: dict[ChangeReason, ResidentType] = {
    ChangeReason.ENTRY_NATURALIZATION: ResidentType.JAPANESE,
    ChangeReason.REMOVAL_LOSS_OF_NATIONALITY: ResidentType.JAPANESE,
    ChangeReason.ENTRY_LOSS_OF_NATIONALITY: ResidentType.FOREIGN,
    ChangeReason.REMOVAL_NATURALIZATION: ResidentType.FOREIGN,
}

# Changes made on a resident's notification under 住民基本台帳法 22–25条 (転入, 転居, 転出, 世帯変更) and 30条の46
# (a foreign resident's first address): the record carries the 届出日 (標準仕様書 1.0 §1.2.1, §4.1.0.2).
NOTIFIED_REASONS = frozenset(
    {
        ChangeReason.MOVE_IN_DOMESTIC,
        ChangeReason.MOVE_IN_FROM_ABROAD,
        ChangeReason.MOVE_WITHIN,
        ChangeReason.MOVE_OUT_DOMESTIC,
        ChangeReason.MOVE_OUT_ABROAD,
        ChangeReason.HOUSEHOLD_SEPARATION,
        ChangeReason.HOUSEHOLD_MERGER,
        ChangeReason.HOUSEHOLD_CHANGE,
        ChangeReason.HOUSEHOLDER_CHANGE,
    }
)

# A move-out may be recorded before it happens (転出予定日); every other 異動日 is on or before the processing day
# (標準仕様書 1.0 §4.0.3: "異動日は、転出を除き、処理当日以前の日のみを入力できること").
MOVE_OUT_REASONS = frozenset({ChangeReason.MOVE_OUT_DOMESTIC, ChangeReason.MOVE_OUT_ABROAD})


class KinTerm(StrEnum):
    """The words a relationship to the householder (世帯主との続柄) is built from, 標準仕様書 1.0 §1.1.11.

    A 続柄 is 世帯主, 縁故者 or 同居人 on its own, or up to four of the kin terms joined with 「の」 (子の子の子の子);
    the specification's "子（子の夫）、子（子の妻）" are such chains (子の夫, 子の妻). Anything needing five or more
    is written 縁故者. Other terms (祖父, 祖母, 孫, おじ, 家事使用人, 準世帯主 …) are listed as 実装しない機能: they
    must be expressed as chains (父の父, 子の子) or not at all. No numeric code published: the value is the term.
    """

    HUSBAND = "夫"
    WIFE = "妻"
    HUSBAND_UNREGISTERED = "夫（未届）"
    WIFE_UNREGISTERED = "妻（未届）"
    CHILD = "子"
    FATHER = "父"
    MOTHER = "母"
    ELDER_BROTHER = "兄"
    ELDER_SISTER = "姉"
    YOUNGER_BROTHER = "弟"
    YOUNGER_SISTER = "妹"


class StandaloneRelationship(StrEnum):
    """The 続柄 that stand alone (標準仕様書 1.0 §1.1.11 ①④⑤)."""

    HOUSEHOLDER = "世帯主"
    RELATED_PERSON = "縁故者"
    LODGER = "同居人"


MAX_GENERATIONS = 4
_KIN = "|".join(re.escape(t.value) for t in sorted(KinTerm, key=lambda t: -len(t.value)))
_STANDALONE = "|".join(re.escape(t.value) for t in StandaloneRelationship)
RELATIONSHIP_PATTERN = f"^(?:{_STANDALONE}|(?:{_KIN})(?:の(?:{_KIN})){{0,{MAX_GENERATIONS - 1}}})$"
_RELATIONSHIP_RE = re.compile(RELATIONSHIP_PATTERN)


def validate_relationship(value: str) -> str:
    """Return ``value`` if it is a 続柄 the standard allows (see ``KinTerm``), else raise with the reason."""
    if not isinstance(value, str) or not _RELATIONSHIP_RE.fullmatch(value):
        raise ValueError(
            f"続柄 (relationship to householder) {value!r} is not allowed: use 世帯主, 縁故者, 同居人, or up to "
            f"{MAX_GENERATIONS} of {', '.join(t.value for t in KinTerm)} joined with 「の」 (標準仕様書 §1.1.11)"
        )
    return value


NATIONALITY_PATTERN = "^[0-9]{3}$"


def validate_nationality(code: str) -> str:
    """国籍・地域 as an ISO 3166-1 numeric code (3 digits, e.g. 156 China, 410 Korea, 158 Taiwan, 704 Viet Nam).

    標準仕様書 1.0 §1.1.2 lists 国籍・地域 as an item without a code table, and no published standard code table
    for it (住基ネット, 中間標準レイアウト or 基本データリスト) could be read while this was written. Kiban therefore
    stores ISO 3166-1 numeric, which covers regions as well as states; only the form is checked, as no copy of the
    list ships with the project yet. Gap: ISO 3166-1 has no code for 無国籍 (stateless), which a residence card can
    show; until the standard's table is available such a record cannot be expressed.
    """
    if not isinstance(code, str) or not re.fullmatch(NATIONALITY_PATTERN, code):
        raise ValueError(f"国籍・地域 (nationality) must be a 3-digit ISO 3166-1 numeric code, got {code!r}")
    return code
