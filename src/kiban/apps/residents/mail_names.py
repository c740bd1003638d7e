"""郵便物送付コード: how the municipality's mail names a foreign resident who has a 通称.

住民記録システム標準仕様書 第1.0版 1.1.19 (j190, 【実装してもしなくても良い機能】): 郵便物送付コード（例：外国人住民
について、郵便物の送付先の記載として通称のみを希望するか、本名のみを希望するか。）を管理すること. The 通称 itself is an
item of a foreign resident's 住民票 (住民基本台帳法施行令, 外国人住民に係る住民票の記載事項の特例: 第30条の25 and
following, numbers from memory and not confirmed here); this module keeps only the person's wish for the envelope
and the letter's addressee.

The codes (``MailName.Code``): 本名のみ, 通称のみ, or 本名と通称 (本名（通称）). A person without a chosen code is
named by 本名, as every letter printed before the code existed. A code that needs the 通称 is refused for a person
without one; if the 通称 is later deleted, mail falls back to 本名 (the code's page shows the name mail takes).

Used by every letter and label addressed to the person: 宛名シール (``extracts.address_labels_pdf`` via the random
sample and EUC), the 本人通知 letters (``personal_notice``). Certificates and lists that state the record (the
住民票の写し, the 閲覧用 copy) print the record's own items, never this.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import date

from django.db.models import Max
from django.utils import timezone

from kiban.platform.audit.actor import actor_label
from kiban.platform.audit.services import record

from . import extracts
from .models import MailName, Resident
from .validation import Problems

Code = MailName.Code


def set_code(resident_id: int, code: str, requested_on: date) -> MailName:
    """Record the person's wish (申出) from ``requested_on``; ``ProcedureError`` (nothing written) with every problem:
    an unknown code, a date in the future, no such person, a person who is not a foreign resident, a code naming
    the 通称 for a person without one, or the code already in force (a first 本名のみ is recorded: it is the person's
    own wish, not the default)."""
    problems = Problems()
    if code not in Code.values:
        problems.add("code", "invalid", "郵便物送付コードを選んでください（本名のみ・通称のみ・本名と通称）。",
                     "Choose a mail name code (real name, alias, or both).")  # fmt: skip
    if requested_on > timezone.localdate():
        problems.add("requested_on", "future_date", "申出日が未来の日付です。", "The date is in the future.")
    person = Resident.objects.filter(id=resident_id).first()
    if person is None:
        problems.add("resident", "not_found", "該当する住民がいません。", "No such resident.")
    elif person.kind != Resident.Kind.FOREIGN:
        problems.add("resident", "not_foreign", "郵便物送付コードは外国人住民について管理します。",
                     "The mail name code is kept for foreign residents.")  # fmt: skip
    elif code in (Code.ALIAS, Code.BOTH) and not person.alias.strip():
        problems.add("code", "no_alias", "この方には通称の記載がありません（本名のみを選べます）。",
                     "This person has no alias on the record; only the real name can be chosen.")  # fmt: skip
    elif code in Code.values and in_force([resident_id]).get(resident_id) == code:
        problems.add("code", "unchanged", "その郵便物送付コードは既に設定されています。", "That code is already set.")
    problems.raise_if_any()
    chosen = MailName.objects.create(
        resident_id=resident_id, code=code, requested_on=requested_on, recorded_by=actor_label()
    )
    record("residents.mail_name.set", "resident", str(resident_id), fields_read=["alias", "mail_name"])
    return chosen


def in_force(resident_ids: Iterable[int]) -> dict[int, str]:
    """The code in force for each of ``resident_ids`` that has one (the newest row)."""
    newest = (
        MailName.objects.filter(resident_id__in=list(resident_ids))
        .values("resident_id")
        .annotate(last=Max("id"))
        .values("last")
    )
    return dict(MailName.objects.filter(id__in=newest).values_list("resident_id", "code"))


def label(code: str | None) -> str:
    """A code in force (``in_force``) as the pages show it ("" when none is set: mail names the person by 本名)."""
    return Code(code).label if code else ""


def history(resident_id: int) -> list[MailName]:
    """Every code the person chose, the newest first."""
    return list(MailName.objects.filter(resident_id=resident_id).order_by("-id"))


def name_on_mail(person: Resident, code: str | None) -> str:
    """What mail prints as the addressee's name: 本名 (氏　名), the 通称, or 本名（通称）; 本名 when no code is in
    force or the 通称 is no longer recorded."""
    alias = person.alias.strip()
    if alias and code == Code.ALIAS:
        return alias
    if alias and code == Code.BOTH:
        return f"{person.display_name}（{alias}）"
    return person.display_name


def names_on_mail(people: Sequence[Resident]) -> dict[int, str]:
    """``name_on_mail`` for many persons, their codes read in one query."""
    codes = in_force([p.id for p in people])
    return {p.id: name_on_mail(p, codes.get(p.id)) for p in people}


def addressed(rows: Sequence[extracts.Row]) -> list[extracts.Row]:
    """Label rows (``extracts.Row``) with each person's name as mail prints it."""
    people = Resident.objects.filter(id__in=[r.resident_id for r in rows])
    names = names_on_mail(list(people))
    return [dataclasses.replace(r, name=names.get(r.resident_id, r.name)) for r in rows]
