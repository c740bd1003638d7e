"""Checks every procedure applies before it writes anything, with messages a counter clerk can act on.

Each problem is a ``FieldError`` with the field it concerns, a stable code, and the message in Japanese and English.
A procedure collects all the problems it can find and raises one ``ProcedureError``; since the whole procedure is a
single transaction, nothing is written (CONVENTIONS.md, "Errors").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from kiban.platform.problems import FieldError as FieldError  # re-exported: part of this module's API
from kiban.platform.problems import Problems as BaseProblems
from kiban.platform.problems import Refused
from kiban.standard import codes, numbers
from kiban.standard.codes import ChangeReason

# Notification periods (届出期間), counted from the day of the change:
# 住民基本台帳法 22条 (転入: 14日), 23条 (転居: 14日), 25条 (世帯変更: 14日), 30条の46 (国外からの転入: 14日);
# 戸籍法 49条 (出生: 14日), 86条 (死亡: 7日, 知った日から). A late notification is still accepted (the law fines
# the notifier, 法52条2項; the municipality reports it to the summary court): the procedure is flagged.
NOTIFICATION_PERIOD_DAYS: dict[str, int] = {
    ChangeReason.MOVE_IN_DOMESTIC: 14,
    ChangeReason.MOVE_IN_FROM_ABROAD: 14,
    ChangeReason.MOVE_WITHIN: 14,
    ChangeReason.HOUSEHOLD_SEPARATION: 14,
    ChangeReason.HOUSEHOLD_MERGER: 14,
    ChangeReason.HOUSEHOLD_CHANGE: 14,
    ChangeReason.HOUSEHOLDER_CHANGE: 14,
    ChangeReason.BIRTH: 14,
    ChangeReason.DEATH: 7,
}
# 法24条: a move-out is notified before leaving; 住民基本台帳事務処理要領 第4-1-(3) accepts it up to 14 days after.
MOVE_OUT_LATE_DAYS = 14
# 転出予定日 more than this far ahead is refused (a typo, not a plan); 事務処理要領 has no fixed bound — 60 days is
# the counter practice of many municipalities and is a setting here.
MOVE_OUT_MAX_AHEAD_DAYS = 60

LATE_NOTIFICATION = "late_notification"
# 標準仕様書 4.1.1.2 (j600): a new person whose 氏名・性別・生年月日 match a 除票 may be a returning resident
# (再転入者): the counter is alerted and can enter the move-in again with the old record's 住民票コード.
SAME_AS_REMOVED_RECORD = "same_as_removed_record"
# 標準仕様書 4.2.0.5 (j790, 申出を受けた職権記載等): an authority action taken on a person's application is recorded as
# such, with the 申出日 (kept in the 届出日 item, which the standard allows: "１つのデータ項目として管理することも差し支えない").
ON_APPLICATION = "on_application"
# 標準仕様書 4.2.0.2 (j760, 届出の準用): a procedure of the notifications (4.1: 転入・転居・転出・世帯変更) done by authority
# where nobody notified; the notification's rules apply except the 届出日's (no 届出期間経過).
BY_AUTHORITY = "by_authority"


class ProcedureError(Refused):
    """One or more problems with a procedure's input; nothing was written."""


class Problems(BaseProblems):
    """Collects FieldErrors; ``raise_if_any`` raises a ``ProcedureError`` with all of them."""

    refusal = ProcedureError


def check_dates(problems: Problems, kind: str, effective_on: date, notified_on: date, today: date) -> list[str]:
    """The 異動日 and 届出日 of a notification; returns flags (late notification)."""
    flags: list[str] = []
    if notified_on > today:
        problems.add(
            "notified_on", "future_date", "届出日が未来の日付です。", "The notification date is in the future."
        )
    if kind in codes.MOVE_OUT_REASONS:
        if effective_on > today + timedelta(days=MOVE_OUT_MAX_AHEAD_DAYS):
            problems.add(
                "effective_on", "too_far_ahead",
                f"転出予定日は{MOVE_OUT_MAX_AHEAD_DAYS}日以内の日付を入力してください。",
                f"The planned move-out date must be within {MOVE_OUT_MAX_AHEAD_DAYS} days.",
            )  # fmt: skip
        if (notified_on - effective_on).days > MOVE_OUT_LATE_DAYS:
            flags.append(LATE_NOTIFICATION)
        return flags
    if effective_on > today:
        # 標準仕様書 1.0 §4.0.3: 異動日は、転出を除き、処理当日以前の日のみ
        problems.add("effective_on", "future_date", "異動日が未来の日付です（転出を除き、当日以前の日付のみ入力できます）。",
                     "The date of change is in the future (only move-outs may be dated ahead).")  # fmt: skip
    if kind in NOTIFICATION_PERIOD_DAYS and notified_on < effective_on:
        problems.add("notified_on", "before_change", "届出日が異動日より前です。",
                     "The notification date is before the date of change.")  # fmt: skip
    period = NOTIFICATION_PERIOD_DAYS.get(kind)
    if period is not None and (notified_on - effective_on).days > period:
        flags.append(LATE_NOTIFICATION)
    return flags


def check_person(problems: Problems, prefix: str, person: PersonData, effective_on: date | None) -> None:
    """The items of 法7条 (and 30条の45 for foreign residents) a new record must carry."""
    from kiban.standard.text import is_katakana

    for name, label, label_en in (("family_name", "氏", "family name"), ("given_name", "名", "given name")):
        if not getattr(person, name).strip():
            problems.add(f"{prefix}.{name}", "required", f"{label}を入力してください。", f"Enter the {label_en}.")
    for name, label, label_en in (
        ("family_name_kana", "氏カナ", "family name in kana"),
        ("given_name_kana", "名カナ", "given name in kana"),
    ):
        value = getattr(person, name)
        if not value.strip():
            problems.add(f"{prefix}.{name}", "required", f"{label}を入力してください。", f"Enter the {label_en}.")
        elif not is_katakana(value):
            problems.add(f"{prefix}.{name}", "not_katakana", f"{label}はカタカナで入力してください。",
                         f"Enter the {label_en} in katakana.")  # fmt: skip
    if person.sex not in (codes.Sex.MALE, codes.Sex.FEMALE):
        problems.add(
            f"{prefix}.sex", "invalid", "性別は 1（男）または 2（女）です。", "Sex must be 1 (male) or 2 (female)."
        )
    if effective_on is not None and person.birth_date > effective_on:
        problems.add(f"{prefix}.birth_date", "after_change", "生年月日が異動日より後です。",
                     "The date of birth is after the date of change.")  # fmt: skip
    if person.relationship:
        try:
            codes.validate_relationship(person.relationship)
        except ValueError:
            problems.add(f"{prefix}.relationship", "invalid",
                         f"続柄「{person.relationship}」は使えません（世帯主・縁故者・同居人、または夫・妻・子・父・母・兄・姉・弟・妹を「の」でつないだもの）。",
                         f"Relationship {person.relationship!r} is not allowed by the standard (§1.1.11).")  # fmt: skip
    else:
        problems.add(f"{prefix}.relationship", "required", "続柄を入力してください。", "Enter the relationship.")
    if person.resident_code:
        try:
            numbers.validate_resident_record_code(person.resident_code)
        except ValueError as exc:
            problems.add(f"{prefix}.resident_code", "invalid", "住民票コードが正しくありません。", str(exc))
    if person.individual_number:
        try:
            numbers.validate_individual_number(person.individual_number)
        except ValueError as exc:
            problems.add(f"{prefix}.individual_number", "invalid", "個人番号が正しくありません（検査用数字が一致しません）。",
                         str(exc))  # fmt: skip
    if person.former_surname.strip():
        if person.kind != "japanese":
            problems.add(f"{prefix}.former_surname", "not_japanese", "旧氏は日本人住民について記載します。",
                         "A former surname is recorded for Japanese residents only.")  # fmt: skip
        if not is_katakana(person.former_surname_kana):
            problems.add(f"{prefix}.former_surname_kana", "not_katakana", "旧氏のフリガナをカタカナで入力してください。",
                         "Enter the former surname's reading in katakana.")  # fmt: skip
    if person.kind == "foreign":
        check_foreign(problems, prefix, person.nationality, person.residence_status, person.residence_card_number)
    elif person.kind == "japanese":
        if person.nationality or person.residence_status or person.residence_card_number:
            problems.add(f"{prefix}.nationality", "not_for_japanese", "日本人住民には国籍・在留資格を記載しません。",
                         "Nationality and residence status are recorded for foreign residents only.")  # fmt: skip
    else:
        problems.add(f"{prefix}.kind", "invalid", "住民種別は japanese または foreign です。",
                     "Kind must be japanese or foreign.")  # fmt: skip


def check_foreign(problems: Problems, prefix: str, nationality: str, status: str, card_number: str) -> None:
    """法30条の45: 国籍・地域, 在留資格 (or the category of 特別永住者 etc.), 在留カード等の番号."""
    try:
        codes.validate_nationality(nationality)
    except ValueError as exc:
        problems.add(
            f"{prefix}.nationality", "invalid", "国籍・地域は3桁の国コード（ISO 3166-1）で入力してください。", str(exc)
        )
    allowed = {s.value for s in codes.ResidenceStatus} | {c.value for c in codes.ForeignResidentCategory}
    if status not in allowed:
        problems.add(f"{prefix}.residence_status", "invalid", f"在留資格「{status}」は登録できません。",
                     f"Residence status {status!r} is not a status of 入管法 別表 or a category of 法30条の45.")  # fmt: skip
    elif status in codes.NOT_MID_TO_LONG_TERM:
        problems.add(f"{prefix}.residence_status", "not_resident",
                     f"在留資格「{status}」の方は住民票の対象外です（入管法19条の3）。",
                     "Persons with this status are not mid-to-long-term residents (入管法 19条の3).")  # fmt: skip
    if card_number:
        try:
            numbers.validate_residence_card_number(card_number)
        except ValueError as exc:
            problems.add(
                f"{prefix}.residence_card_number", "invalid", "在留カード等の番号の形式が正しくありません。", str(exc)
            )


@dataclass
class PersonData:
    """A person as entered in a procedure (the items of 法7条 and 30条の45)."""

    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    birth_date: date
    sex: str
    relationship: str = ""
    kind: str = "japanese"
    domicile: str = ""
    domicile_head: str = ""
    nationality: str = ""
    residence_status: str = ""
    period_of_stay_until: date | None = None
    residence_card_number: str = ""
    alias: str = ""
    alias_kana: str = ""
    former_surname: str = ""  # 旧氏 (施行令30条の13), on request
    former_surname_kana: str = ""
    resident_code: str = ""
    individual_number: str = ""
