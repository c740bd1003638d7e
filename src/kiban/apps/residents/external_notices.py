"""Notices of the registry to outside bodies, derived from the history: one mechanism for four kinds.

- **戸籍の附票記載事項通知** (標準仕様書 7.2.4 戸籍附票システム連携, j1200: 管内本籍人の住所異動
  （転居等）時には、住所情報を戸籍附票システムに連携できること; 7.1.1.1 j1090: 管内本籍者と管外本籍者
  について、戸籍附票記載事項通知). 住民基本台帳法19条1項: 住所地の市町村長は、住民票の記載等をした
  場合に、本籍地において戸籍の附票の記載の修正をすべきときは、遅滞なく、当該修正をすべき事項を本籍地の
  市町村長に通知しなければならない. The 附票 holds (法17条, in the text in force in 2024): 戸籍の表示
  (本籍・筆頭者), 氏名, 住所 (a 国外転出者: that they are one), 住所を定めた年月日 (a 国外転出者: the
  planned date of leaving), 出生の年月日, 男女の別, 住民票コード — these and nothing else are sent (never
  the 個人番号). A Japanese resident's history entry gives a notice when one of these changed from the
  person's previous entry (転入, 出生, 転居, 職権修正 of the name, the 本籍 or the address, 国外転出, 職権消除
  …), except a 国内転出 (the municipality moved to notifies the new 住所 on recording the 転入) and a death
  (the 附票 is closed on the 戸籍's 死亡 entry). The destination is the municipality of the 本籍 as the entry
  records it (``catalog.in_address``): this municipality's own 附票 system (an event), another municipality
  on the platform (the inter-municipality channel: an event there), or any other (a printed 通知書). A
  person without 本籍 (foreign residents) gets none; a 本籍 whose municipality cannot be told is listed
  with that problem and not sent until corrected.
- **市町村通知** to the 出入国在留管理庁 (標準仕様書 4.5.7 入管法の住居地届出, j970). 出入国管理及び難民
  認定法61条の8の2: 市町村の長は、外国人住民に係る住民票について、政令で定める事由により、その記載、
  消除又は記載の修正をしたときは、直ちにその旨を法務大臣に通知しなければならない (the article as cited
  by secondary sources; the text of the law itself could not be read here). The brief for this work also
  named 住民基本台帳法30条の50; its text could not be confirmed here either, and as far as could be told it
  is the reverse direction (法務大臣から市町村長への通知, j960), so it is not cited as the basis. A foreign
  resident's 転入, 転居, 転出, a correction of the 住居地 and every 消除 give a notice with the items of the
  法務省 interface the registry holds: 氏名, 生年月日, 性別, 国籍・地域, 住居地, 在留カード等の番号,
  異動事由, 異動日 (and the 転出先 of a 転出). ``category`` tells 「住基法・入管法」 (a 転入・転居届, which
  is also the 入管法's 住居地の届出) from 「住基法」 (the others); 「入管法」 alone (在留カード only) is not
  produced here.

- **本人確認情報の通知** to the prefecture's governor over the 住基ネット (CS) (標準仕様書 7.1.1.1 CSへの自動送信,
  j1090). The article is 住民基本台帳法30条の6 as the brief for this work names it (市町村長から都道府県知事への
  本人確認情報の通知); its text could not be read here: the sources found (the 1999 amendment's summary, a 2007 ruling,
  a 2013 note) give it as 30条の5 (住民票の記載、消除又は氏名、出生の年月日、男女の別、住所及び住民票コードの記載の
  修正を行つたときは、本人確認情報を都道府県知事に通知する), before the 番号法's amendment (平成25年) added the
  個人番号 and, as far as could be told, moved it to 30条の6. Every history entry of any resident (Japanese or
  foreign) whose 本人確認情報 changed from the previous entry — 記載, 消除, a 修正 of 氏名・生年月日・性別・住所・
  住民票コード・個人番号 — gives one, with 氏名, 生年月日, 性別, 住所, 住民票コード and the 変更情報 (異動事由・
  異動日). The 個人番号 is not stored in ``content`` (which is listed and exchanged), and never in clear outside the
  residents' table: the CS message (the event ``residents.cs.identity_notice``, registry only) carries the person's
  number as recorded when sent, as the tenant's ciphertext (``individual_number_cipher``, base64); the connector that
  speaks to the CS decrypts it at the moment of transmission with ``cs_individual_number``, which audits the reveal
  (``resident.individual_number_read``). The outbox and any webhook copy of the event hold only the ciphertext.
- **転入通知** (法9条1項; j1090: 異動処理に基づいた前住所地（未届地・最終住民登録地を含む。）への転入通知): a 国内
  転入 is notified to the municipality of the previous address — for a 未届転入 the 最終住民登録地 when the move-in
  recorded one — read with ``catalog.in_address``: a municipality on the platform gets
  ``residents.transfer.move_in_notice`` through the inter-municipality channel (its ``services.confirm_move_out``
  records it, as for a one-stop move-in), any other the CS message ``residents.cs.move_in_notice``. A move-in completed
  from a one-stop 転入予定 (``services.move_in_from_notice``) already sent its 転入通知 and is not derived again.

The 本人確認情報 and the 転入通知 go over the CS (``CS_KINDS``): ``send_automatically`` (the batch job
``residents.cs_send``) sends what is pending in event order, unless the municipality switched to manual linkage
(``switch_linkage``: 一時的に手動連携に切り替えること, audited with the reason); then they wait in the list and are
sent by hand. A resend may carry a corrected 異動事由 (再送信の際は異動事由を変更して送信できること). A delivery that
fails records nothing as sent and comes back as an error (CSへ連携できなかった場合のエラー表示).

For all: ``pending`` lists the entries not yet notified, in event order (the history's order), audited as
listed; ``send`` records a batch as sent (append-only ``ExternalNoticeSent``, once per entry: refused when
sent already, or when an earlier entry of the same person is left out, 異動の時系列は担保されること),
publishes the standard event for a connected system, hands over to another municipality on the platform,
and returns the 通知書 PDF for destinations that take paper; ``send(resend=True)`` sends again what was
sent (再送信), marked. ``sent`` lists what was sent (送信した通知の照会). Only entries recorded on this
platform (on or after the tenant's ``provisioned_at``) are derived: those of a migrated municipality's
past were its old system's to send.

Not here: the 住基ネット (CS) line itself and its 電文仕様 (the 既存住基システム改造仕様書 is not public), the
法務省's 連携端末 and its results (処理結果の取込), 転出予定者 sent on the planned date, 特別永住者証明書
specifics, media (媒体) output.
"""

from __future__ import annotations

import base64
import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from kiban.platform.audit.actor import actor_label
from kiban.platform.audit.services import Event, record_many
from kiban.platform.crypto import services as crypto
from kiban.platform.events.services import publish, send_to_tenant
from kiban.platform.tenants import catalog
from kiban.platform.tenants.codes import check_digit
from kiban.platform.tenants.context import current_tenant_id
from kiban.platform.tenants.models import Tenant
from kiban.standard.codes import REASON_KINDS, ChangeKind, ChangeReason

from . import certificates, events, selectors
from .forms import display_date
from .models import CsManualLinkage, ExternalNoticeSent, Resident, ResidentHistory
from .printing.content import Letter
from .printing.notice import render_letters
from .services import INDIVIDUAL_NUMBER, UNNOTIFIED_MARK
from .validation import Problems

KOSEKI_FUHYO = ExternalNoticeSent.Kind.KOSEKI_FUHYO.value
IMMIGRATION = ExternalNoticeSent.Kind.IMMIGRATION.value
CS_IDENTITY = ExternalNoticeSent.Kind.CS_IDENTITY.value
MOVE_IN = ExternalNoticeSent.Kind.MOVE_IN.value
KINDS = dict(ExternalNoticeSent.Kind.choices)
CS_KINDS = (CS_IDENTITY, MOVE_IN)  # sent over the 住基ネット (CS): automatically, unless switched to manual linkage
REASON_CHANGEABLE = (KOSEKI_FUHYO, CS_IDENTITY, MOVE_IN)  # j1090: 再送信の際は異動事由を変更して送信できること
REASONS = tuple(r.value for r in ChangeReason)
# The event published for a connected system (this municipality's, the CS connector) and the one handed over to
# another municipality on the platform (what its registry consumes).
EVENT_TYPES = {KOSEKI_FUHYO: events.KOSEKI_FUHYO_NOTICE.name, IMMIGRATION: events.IMMIGRATION_NOTICE.name,
               CS_IDENTITY: events.CS_IDENTITY_NOTICE.name, MOVE_IN: events.CS_MOVE_IN_NOTICE.name}  # fmt: skip
CHANNEL_TYPES = {KOSEKI_FUHYO: events.KOSEKI_FUHYO_NOTICE.name, MOVE_IN: events.MOVE_IN_NOTICE.name}
AUTOMATIC_PURPOSE = "住基ネット（CS）への自動送信"
IMMIGRATION_AUTHORITY = "出入国在留管理庁"
MAX_BATCH = 500  # notices sent at once
MAX_LIST = 500  # notices listed at once (the oldest first: they go first)
SCAN_CHUNK = 2000  # history entries read at a time while deriving

# Labels of the items, in the order a list or a 通知書 shows them.
LABELS = {
    "name": "氏名",
    "birth_date": "生年月日",
    "sex": "男女の別",
    "nationality": "国籍・地域",
    "domicile": "本籍",
    "domicile_head": "筆頭者",
    "address": "住所",
    "address_set_on": "住所を定めた年月日",
    "residence_card_number": "在留カード等の番号",
    "resident_code": "住民票コード",
    "reason": "異動事由",
    "effective_on": "異動日",
    "destination_address": "転出先",
    "category": "区分",
    "previous_address": "転入前住所",
    "last_registered_address": "最終住民登録地",
    "original_reason": "当初の異動事由",
}
ABROAD = "国外転出者"  # 法17条3号: what the 附票 records as a 国外転出者's 住所
# 附票 items (法17条) compared with the person's previous entry, with the address and the status (a removal)
_FUHYO_ITEMS = ("family_name", "given_name", "birth_date", "sex", "domicile", "domicile_head", "resident_code",
                "moved_in_on", "status")  # fmt: skip
_NO_FUHYO = frozenset({ChangeReason.MOVE_OUT_DOMESTIC.value, ChangeReason.DEATH.value})
_MOVES = frozenset(
    r.value
    for r in (ChangeReason.MOVE_IN_DOMESTIC, ChangeReason.MOVE_IN_FROM_ABROAD, ChangeReason.MOVE_WITHIN,
              ChangeReason.MOVE_OUT_DOMESTIC, ChangeReason.MOVE_OUT_ABROAD)
)  # fmt: skip
_NOTIFIED_MOVES = frozenset({ChangeReason.MOVE_IN_DOMESTIC.value, ChangeReason.MOVE_IN_FROM_ABROAD.value,
                             ChangeReason.MOVE_WITHIN.value})  # fmt: skip
_REMOVALS = frozenset(r.value for r, kinds in REASON_KINDS.items() if ChangeKind.REMOVAL in kinds)
# 本人確認情報 (法30条の6) compared with the person's previous entry, with the address; the 個人番号 by its digest
_IDENTITY_ITEMS = ("family_name", "given_name", "birth_date", "sex", "resident_code", "individual_number_digest",
                   "status")  # fmt: skip
_FIELDS_READ = {
    KOSEKI_FUHYO: ["name", "birth_date", "sex", "domicile", "address", "resident_code"],
    IMMIGRATION: ["name", "birth_date", "sex", "nationality", "address", "residence_card"],
    CS_IDENTITY: ["name", "birth_date", "sex", "address", "resident_code"],
    MOVE_IN: ["name", "birth_date", "sex", "address", "previous_address", "resident_code"],
}
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Destination:
    """Where a notice goes: ``code`` the municipality's (empty for the 出入国在留管理庁) and how (``delivery``)."""

    code: str
    name: str
    delivery: str  # ExternalNoticeSent.Delivery


@dataclass(frozen=True)
class Notice:
    """One notice derived from one history entry; ``destination`` is None when the 本籍's municipality cannot be
    told."""

    kind: str
    history_id: int
    resident_id: int
    reason: str
    effective_on: date
    destination: Destination | None
    content: dict[str, str] = field(default_factory=dict)

    @property
    def items(self) -> list[tuple[str, str]]:
        return [(LABELS[k], v) for k, v in self.content.items() if k in LABELS]


@dataclass(frozen=True)
class Batch:
    """What one ``send`` did: the rows recorded, how many went each way, and the 通知書 PDF for paper (or None)."""

    batch: uuid.UUID
    sent: int
    by_delivery: dict[str, int]
    pdf: bytes | None


def _problem(field_name: str, code: str, ja: str, en: str) -> None:
    problems = Problems()
    problems.add(field_name, code, ja, en)
    problems.raise_if_any()


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        _problem("kind", "invalid", "通知の種類を選んでください。", "Choose the kind of notice.")


# --- deriving the notices from the history -----------------------------------------------------------------------


def _fuhyo_changed(entry: ResidentHistory, previous: ResidentHistory | None) -> bool:
    if previous is None:
        return True
    if entry.full_address != previous.full_address:
        return True
    return any(entry.snapshot.get(k) != previous.snapshot.get(k) for k in _FUHYO_ITEMS)


def _immigration_due(entry: ResidentHistory, previous: ResidentHistory | None) -> bool:
    if entry.kind in _MOVES or entry.kind in _REMOVALS:
        return True
    return previous is not None and entry.full_address != previous.full_address  # a correction of the 住居地


def _name(snapshot: dict[str, Any]) -> str:
    return f"{snapshot.get('family_name', '')}　{snapshot.get('given_name', '')}".strip("　")


def _sex(snapshot: dict[str, Any]) -> str:
    return dict(Resident.Sex.choices).get(str(snapshot.get("sex", "")), "")


def _person_items(snapshot: dict[str, Any]) -> dict[str, str]:
    """氏名, 生年月日, 男女の別: the items every kind of notice starts with."""
    return {"name": _name(snapshot), "birth_date": str(snapshot.get("birth_date") or ""), "sex": _sex(snapshot)}


def _fuhyo_content(entry: ResidentHistory) -> dict[str, str]:
    s = entry.snapshot
    abroad = entry.kind == ChangeReason.MOVE_OUT_ABROAD.value
    return {
        **_person_items(s),
        "domicile": str(s.get("domicile") or ""),
        "domicile_head": str(s.get("domicile_head") or ""),
        "address": ABROAD if abroad else entry.full_address,
        # 法17条4号: the date the 住所 was set (住定日); a 国外転出者's planned date of leaving
        "address_set_on": entry.effective_on.isoformat() if abroad else str(s.get("moved_in_on") or ""),
        "resident_code": str(s.get("resident_code") or ""),
        "reason": entry.kind,
        "effective_on": entry.effective_on.isoformat(),
    }


def _immigration_content(entry: ResidentHistory) -> dict[str, str]:
    s = entry.snapshot
    content = {
        **_person_items(s),
        "nationality": str(s.get("nationality") or ""),
        "address": entry.full_address,
        "residence_card_number": str(s.get("residence_card_number") or ""),
        "reason": entry.kind,
        "effective_on": entry.effective_on.isoformat(),
        "category": "住基法・入管法" if entry.kind in _NOTIFIED_MOVES else "住基法",
    }
    destination = entry.procedure.payload.get("destination_address") if entry.kind in _MOVES else None
    if destination:
        content["destination_address"] = str(destination)
    return content


def _identity_changed(entry: ResidentHistory, previous: ResidentHistory | None) -> bool:
    if previous is None:
        return True
    if entry.full_address != previous.full_address:
        return True
    return any(entry.snapshot.get(k) != previous.snapshot.get(k) for k in _IDENTITY_ITEMS)


def _always(_entry: ResidentHistory, _previous: ResidentHistory | None) -> bool:
    return True  # the candidates are the entries notified (a 国内転入)


def _identity_content(entry: ResidentHistory) -> dict[str, str]:
    """本人確認情報 without the 個人番号 (added to the CS message when sent, never stored)."""
    s = entry.snapshot
    return {
        **_person_items(s),
        "address": entry.full_address,
        "resident_code": str(s.get("resident_code") or ""),
        "reason": entry.kind,
        "effective_on": entry.effective_on.isoformat(),
    }


def _last_registered(entry: ResidentHistory) -> str:
    """The 最終住民登録地 a 未届転入 recorded (the procedure's payload), or empty."""
    return str(entry.procedure.payload.get("last_registered_address") or "").strip()


def _moved_from(entry: ResidentHistory) -> str:
    """Where the 転入通知 goes: the 最終住民登録地 of a 未届転入 when recorded, else the previous address."""
    return _last_registered(entry) or str(entry.snapshot.get("previous_address") or "").removesuffix(UNNOTIFIED_MARK)


def _move_in_content(entry: ResidentHistory) -> dict[str, str]:
    s = entry.snapshot
    content = {
        **_person_items(s),
        "address": entry.full_address,
        "previous_address": str(s.get("previous_address") or ""),
        "resident_code": str(s.get("resident_code") or ""),
        "reason": entry.kind,
        "effective_on": entry.effective_on.isoformat(),
    }
    last = _last_registered(entry)
    if last:
        content["last_registered_address"] = last
    return content


def _destinations(kind: str) -> Callable[[ResidentHistory], Destination | None]:
    """A function from an entry to its destination, with the platform's tenants read once."""
    if kind == IMMIGRATION:
        authority = Destination("", IMMIGRATION_AUTHORITY, ExternalNoticeSent.Delivery.EVENT)
        return lambda _entry: authority
    here = current_tenant_id()
    if kind == CS_IDENTITY:  # the governor of this municipality's prefecture (都道府県コード: NN000 + check digit)
        tenant = Tenant.objects.get(code=here)
        first_five = f"{tenant.prefecture_code}000"
        governor = Destination(f"{first_five}{check_digit(first_five)}", f"{tenant.prefecture}知事",
                               ExternalNoticeSent.Delivery.CS)  # fmt: skip
        return lambda _entry: governor
    on_platform = set(Tenant.objects.filter(active=True).values_list("code", flat=True))
    if kind == MOVE_IN:

        def moved_from(entry: ResidentHistory) -> Destination | None:
            found = catalog.in_address(_moved_from(entry))
            if found is None or found.code == here:  # unknown, or not a move from another municipality
                return None
            delivery = (
                ExternalNoticeSent.Delivery.CHANNEL if found.code in on_platform else ExternalNoticeSent.Delivery.CS
            )
            return Destination(found.code, found.full_name, delivery)

        return moved_from

    def of(entry: ResidentHistory) -> Destination | None:
        found = catalog.in_address(str(entry.snapshot.get("domicile") or ""))
        if found is None:
            return None
        name = found.full_name
        if found.code == here:
            return Destination(found.code, name, ExternalNoticeSent.Delivery.EVENT)
        if found.code in on_platform:
            return Destination(found.code, name, ExternalNoticeSent.Delivery.CHANNEL)
        return Destination(found.code, name, ExternalNoticeSent.Delivery.PAPER)

    return of


def _candidates(kind: str) -> QuerySet[ResidentHistory]:
    """The history entries the kind is derived from, recorded on this platform, not notified yet, in event order."""
    sent = ExternalNoticeSent.objects.filter(kind=kind, resend=False, history_id=OuterRef("id"))
    started = Tenant.objects.get(code=current_tenant_id()).provisioned_at
    rows = ResidentHistory.objects.filter(procedure__recorded_at__gte=started).exclude(Exists(sent))
    if kind == KOSEKI_FUHYO:
        rows = rows.filter(snapshot__kind=Resident.Kind.JAPANESE.value).exclude(snapshot__domicile="")
        return rows.exclude(kind__in=_NO_FUHYO)
    if kind == CS_IDENTITY:
        return rows
    if kind == MOVE_IN:  # a move-in from a one-stop 転入予定 sent its 転入通知 already (services.move_in_from_notice)
        return rows.filter(kind=ChangeReason.MOVE_IN_DOMESTIC.value).exclude(procedure__payload__has_key="notice_id")
    return rows.filter(snapshot__kind=Resident.Kind.FOREIGN.value)


def _derive(
    kind: str, entries: list[ResidentHistory], destination_of: Callable[[ResidentHistory], Destination | None]
) -> list[Notice]:
    wanted = {(e.resident_id, e.seq - 1) for e in entries}
    earlier = ResidentHistory.objects.filter(
        resident_id__in={r for r, _ in wanted}, seq__in={s for _, s in wanted}
    ).only("resident_id", "seq", "address", "building", "snapshot")
    previous = {(e.resident_id, e.seq): e for e in earlier}
    due, content = _DERIVATIONS[kind]
    notices = []
    for entry in entries:
        if kind == KOSEKI_FUHYO and not entry.snapshot.get("domicile"):
            continue
        if due(entry, previous.get((entry.resident_id, entry.seq - 1))):
            notices.append(Notice(kind, entry.id, entry.resident_id, entry.kind, entry.effective_on,
                                  destination_of(entry), content(entry)))  # fmt: skip
    return notices


_DERIVATIONS: dict[
    str, tuple[Callable[[ResidentHistory, ResidentHistory | None], bool], Callable[[ResidentHistory], dict[str, str]]]
] = {
    KOSEKI_FUHYO: (_fuhyo_changed, _fuhyo_content),
    IMMIGRATION: (_immigration_due, _immigration_content),
    CS_IDENTITY: (_identity_changed, _identity_content),
    MOVE_IN: (_always, _move_in_content),
}


def _pending(kind: str, limit: int = MAX_LIST, only: Iterable[int] | None = None) -> list[Notice]:
    """The notices not sent yet, in event order, at most ``limit`` (``only``: of these history entries)."""
    rows = _candidates(kind).select_related("procedure").order_by("id")
    if only is not None:
        rows = rows.filter(id__in=list(only))
    destination_of = _destinations(kind)
    found: list[Notice] = []
    after = 0
    while len(found) < limit:
        chunk = list(rows.filter(id__gt=after)[:SCAN_CHUNK])
        if not chunk:
            break
        found += _derive(kind, chunk, destination_of)
        after = chunk[-1].id
    return found[:limit]


def _audit(action: str, kind: str, resident_ids: Iterable[int], purpose: str) -> None:
    selectors.audit_persons(action, resident_ids, _FIELDS_READ[kind], purpose)


def pending(kind: str, purpose: str, limit: int = MAX_LIST) -> list[Notice]:
    """The notices of ``kind`` not sent yet, oldest first (event order), at most ``limit``; each person listed is
    audited with the purpose (``resident.listed``)."""
    _check_kind(kind)
    found = _pending(kind, limit)
    _audit("resident.listed", kind, dict.fromkeys(n.resident_id for n in found), f"{purpose} ({KINDS[kind]})")
    return found


# --- sending -------------------------------------------------------------------------------------------------------


def _to_send(kind: str, history_ids: list[int], resend: bool, reason: str = "") -> list[Notice]:
    """The notices named, checked; ``ProcedureError`` (nothing written) otherwise."""
    problems = Problems()
    if not history_ids:
        problems.add("history_ids", "required", "送信する通知を選んでください。", "Choose the notices to send.")
    elif len(history_ids) > MAX_BATCH:
        problems.add("history_ids", "too_many", f"一度に送信できるのは{MAX_BATCH}件までです。",
                     f"At most {MAX_BATCH} notices at once.")  # fmt: skip
    if reason and not resend:
        problems.add("reason", "resend_only", "異動事由は再送信のときだけ変更できます。",
                     "The reason is changed on a resend only.")  # fmt: skip
    elif reason and kind not in REASON_CHANGEABLE:
        problems.add("reason", "not_changeable", "この通知は異動事由を変更して再送信できません。",
                     "This kind of notice is not resent with another reason.")  # fmt: skip
    elif reason and reason not in REASONS:
        problems.add("reason", "invalid", "異動事由を一覧から選んでください。", "Choose the reason from the list.")
    problems.raise_if_any()
    ids = list(dict.fromkeys(history_ids))
    if resend:
        return _already_sent(kind, ids, reason)
    notices = _pending(kind, limit=len(ids), only=ids)
    found = {n.history_id for n in notices}
    missing = [i for i in ids if i not in found]
    if missing:
        sent_rows = ExternalNoticeSent.objects.filter(kind=kind, history_id__in=missing)
        sent = set(sent_rows.values_list("history_id", flat=True))
        if sent:
            problems.add("history_ids", "already_sent",
                         "既に送信した通知が含まれています（再送信は送信済みの一覧から）。",
                         "Some of these were sent already (resend them from the list of sent notices).")  # fmt: skip
        if set(missing) - sent:
            problems.add("history_ids", "not_found", "送信の対象にならない異動履歴が含まれています。",
                         "Some of these are not notices of this kind.")  # fmt: skip
    unresolved = [n for n in notices if n.destination is None]
    if unresolved:
        names = "、".join(n.content.get("name", "") for n in unresolved)
        problems.add("history_ids", "no_destination",
                     f"通知先の市区町村が判定できない通知があります（{names}）。本籍・前住所を確認し、修正してください。",
                     "The municipality to notify cannot be told for some notices (from the 本籍 or the previous "
                     "address): check and correct it.")  # fmt: skip
    problems.raise_if_any()
    _check_order(kind, notices)
    return notices


def _check_order(kind: str, notices: list[Notice]) -> None:
    """異動の時系列は担保されること: a person's notices go in event order — none is sent while an earlier one of the
    same person, not sent yet, is left out of the batch."""
    last: dict[int, int] = {}
    for n in notices:
        last[n.resident_id] = max(n.history_id, last.get(n.resident_id, 0))
    named = {n.history_id for n in notices}
    earlier = _candidates(kind).filter(resident_id__in=list(last)).values_list("resident_id", "id")
    left_out = {i for r, i in earlier if i < last[r] and i not in named}
    if left_out and _pending(kind, limit=len(left_out), only=left_out):
        _problem(
            "history_ids",
            "out_of_order",
            "同じ方のより前の異動の通知が未送信です。古い順に送信してください。",
            "An earlier notice of the same person is not sent yet: send them in order.",
        )


def _already_sent(kind: str, ids: list[int], reason: str = "") -> list[Notice]:
    """A resend: the notices as first sent (their content kept), in event order; refused for one never sent. With
    ``reason``: the 異動事由 sent instead of the first one (kept as ``original_reason``)."""
    rows = {r.history_id: r for r in ExternalNoticeSent.objects.filter(kind=kind, resend=False, history_id__in=ids)}
    if len(rows) != len(ids):
        _problem(
            "history_ids", "not_sent", "まだ送信していない通知は再送信できません。", "Only a sent notice is resent."
        )
    entries = ResidentHistory.objects.only("kind", "effective_on").in_bulk(ids)
    found = []
    for history_id in sorted(ids):
        row, entry = rows[history_id], entries[history_id]
        content = dict(row.content)
        if reason and reason != content.get("reason"):
            content |= {"reason": reason, "original_reason": str(content.get("reason") or entry.kind)}
        found.append(Notice(kind, history_id, row.resident_id, content.get("reason", entry.kind), entry.effective_on,
                            Destination(row.destination_code, row.destination_name, row.delivery),
                            content))  # fmt: skip
    return found


class _DeliveryFailed(Exception):
    def __init__(self, notice: Notice, cause: Exception) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.notice = notice


def send(kind: str, history_ids: Sequence[int], purpose: str, resend: bool = False, reason: str = "") -> Batch:
    """Send the notices of these history entries (in event order) and record them as sent, in one transaction:
    the standard event for a connected system (this municipality's 附票 system, the 出入国在留管理庁's terminal), the
    inter-municipality channel for another municipality on the platform, the 通知書 (PDF, returned) for one that takes
    paper. ``resend``: send again notices sent before (再送信, recorded and marked). ``ProcedureError`` (nothing
    written,
    nothing sent) for an unknown kind, no or too many entries, an entry not pending (or, for a resend, never sent),
    a 本籍 whose municipality cannot be told, an earlier notice of the same person left out, or paper without a
    certifier; ``reason`` (a resend only): the 異動事由 sent instead (標準仕様書 7.1.1.1), a ``ChangeReason`` value. A
    delivery that fails (the channel or the connector raises) rolls everything back: ``ProcedureError``
    ``delivery_failed``, nothing recorded as sent, the failure audited."""
    _check_kind(kind)
    notices = _to_send(kind, list(history_ids), resend, reason)
    paper = [n for n in notices if n.destination and n.destination.delivery == ExternalNoticeSent.Delivery.PAPER]
    letters = _letters(paper, resend) if paper else []
    run, by = uuid.uuid4(), actor_label()
    try:
        with transaction.atomic():
            ExternalNoticeSent.objects.bulk_create(
                ExternalNoticeSent(kind=kind, history_id=n.history_id, resident_id=n.resident_id,
                                   destination_code=n.destination.code, destination_name=n.destination.name,
                                   delivery=n.destination.delivery, content=n.content, batch=run, resend=resend,
                                   sent_by=by)
                for n in notices if n.destination is not None
            )  # fmt: skip
            numbers = _sealed_numbers(notices) if kind == CS_IDENTITY else {}
            for n in notices:
                try:
                    _deliver(n, resend, numbers)
                except Exception as exc:  # the channel or a connector refused: nothing of the batch is kept
                    raise _DeliveryFailed(n, exc) from exc
            action = "residents.external_notice.resent" if resend else "residents.external_notice.sent"
            _audit(action, kind, [n.resident_id for n in notices], f"{purpose} ({KINDS[kind]})")
    except IntegrityError:  # another user sent some of them meanwhile (external_notice_sent_once)
        _problem(
            "history_ids",
            "changed",
            "他の職員が同じ通知を送信しました。一覧をもう一度確認してください。",
            "Another user sent some of these meanwhile; check the list again.",
        )
    except _DeliveryFailed as failed:
        log.warning("external notice not delivered (%s, history %s): %s", kind, failed.notice.history_id, failed)
        record_many([Event("residents.external_notice.failed", "resident", str(failed.notice.resident_id),
                           _FIELDS_READ[kind], f"{purpose} ({KINDS[kind]}): {failed}"[:200])])  # fmt: skip
        name = failed.notice.content.get("name", "")
        _problem(
            "history_ids",
            "delivery_failed",
            f"送信できませんでした（{name}、{failed.notice.destination.name if failed.notice.destination else ''}: "
            f"{failed}）。何も送信済みにしていません。時間をおいて送信し直してください。",
            f"Not delivered ({failed}); nothing was recorded as sent. Send again later.",
        )
    counts: dict[str, int] = {}
    for n in notices:
        assert n.destination is not None
        counts[n.destination.delivery] = counts.get(n.destination.delivery, 0) + 1
    return Batch(run, len(notices), counts, render_letters(letters) if letters else None)


def _sealed_numbers(notices: list[Notice]) -> dict[int, str]:
    """The 個人番号 of the persons of these 本人確認情報 as the tenant's ciphertext (base64) for the CS message: the
    number is never written in clear to the outbox; the CS connector opens it (``cs_individual_number``)."""
    ids = {n.resident_id for n in notices}
    ciphers = Resident.objects.filter(id__in=ids).exclude(individual_number_cipher=None)
    return {r: base64.b64encode(bytes(c)).decode() for r, c in ciphers.values_list("id", "individual_number_cipher")}


def cs_individual_number(data: dict[str, Any], purpose: str) -> str:
    """The 個人番号 of a ``residents.cs.identity_notice`` event's data, in clear, for the connector that transmits
    it to the CS at that moment ("" when none is recorded); run in the tenant's context (the ciphertext's associated
    data names the tenant: another tenant's context cannot open it). Every reveal is audited with the purpose."""
    sealed = data.get("individual_number_cipher", "")
    if not sealed:
        return ""
    number = crypto.decrypt(base64.b64decode(sealed), INDIVIDUAL_NUMBER)
    record_many([Event("resident.individual_number_read", "resident", str(data["resident_id"]), ["individual_number"],
                       f"{purpose} (本人確認情報の通知・住基法30条の6)")])  # fmt: skip
    return number


def _payload(n: Notice, resend: bool, numbers: dict[int, str]) -> dict[str, Any]:
    """The event's data: the items of the notice, the entry it reports and whether it is a resend; a 本人確認情報
    carries the 個人番号 as the tenant's ciphertext (empty when none is recorded; ``cs_individual_number``); a
    転入通知 what the previous municipality's registry records (``services.confirm_move_out``: the 住民票コード and
    the date moved in)."""
    data: dict[str, Any] = {"history_id": n.history_id, "resident_id": n.resident_id, "resend": resend, **n.content}
    if n.kind == CS_IDENTITY:
        data["individual_number_cipher"] = numbers.get(n.resident_id, "")
    elif n.kind == MOVE_IN:
        data |= {"resident_codes": [n.content.get("resident_code", "")], "moved_in_on": n.content["effective_on"]}
    return data


def _deliver(n: Notice, resend: bool, numbers: dict[int, str]) -> None:
    assert n.destination is not None
    subject = f"residents/{n.resident_id}"
    if n.destination.delivery in (ExternalNoticeSent.Delivery.EVENT, ExternalNoticeSent.Delivery.CS):
        publish(EVENT_TYPES[n.kind], subject, _payload(n, resend, numbers))
    elif n.destination.delivery == ExternalNoticeSent.Delivery.CHANNEL:
        send_to_tenant(n.destination.code, CHANNEL_TYPES[n.kind], subject, _payload(n, resend, numbers))


FUHYO_TITLE = "戸籍の附票記載事項通知書"
RESEND_MARK = "（再送付）"


def _letters(notices: list[Notice], resend: bool) -> list[Letter]:
    """The 戸籍の附票記載事項通知書 to each 本籍地's mayor, one page a notice; refused without a certifier."""
    problems = Problems()
    today = timezone.localdate()
    municipality, mayor = certificates.notice_issuer(problems, today)
    problems.raise_if_any()
    body = "下記の者について住民票の記載等をしましたので、住民基本台帳法第19条第1項の規定により通知します。"
    letters = []
    for n in notices:
        assert n.destination is not None
        letters.append(Letter(title=FUHYO_TITLE + (RESEND_MARK if resend else ""), municipality_name=municipality,
                              mayor=mayor, address="", name=f"{n.destination.name}長", issued_on=today, body=body,
                              items=tuple(_printed(n))))  # fmt: skip
    return letters


def _printed(n: Notice) -> list[tuple[str, str]]:
    dates = {"birth_date", "address_set_on", "effective_on"}
    return [(LABELS[k], display_date(date.fromisoformat(v)) if k in dates and v else v)
            for k, v in n.content.items() if k in LABELS]  # fmt: skip


# --- what was sent --------------------------------------------------------------------------------------------------


def sent(kind: str, purpose: str, limit: int = MAX_LIST) -> list[ExternalNoticeSent]:
    """送信した通知の照会: the notices of ``kind`` sent, newest first, resends included; audited as listed."""
    _check_kind(kind)
    rows = list(ExternalNoticeSent.objects.filter(kind=kind).order_by("-id")[:limit])
    _audit("resident.listed", kind, dict.fromkeys(r.resident_id for r in rows), f"{purpose} ({KINDS[kind]}: 送信済み)")
    return rows


# --- the CS kinds: automatic sending and the switch to manual linkage -----------------------------------------------


def manual_linkage() -> CsManualLinkage | None:
    """The switch in force (the newest row), or None: automatic (一時的に手動連携に切り替えること, j1090)."""
    return CsManualLinkage.objects.order_by("-id").first()


def is_manual() -> bool:
    row = manual_linkage()
    return row is not None and row.manual


def switch_linkage(manual: bool, reason: str) -> CsManualLinkage:
    """Switch the CS kinds to manual linkage (``manual``) or back to automatic, with the reason (audited). Switching
    back sends nothing by itself: the next automatic run sends what waits. ``ProcedureError`` (nothing written)
    without a reason, with one too long, or when the linkage is so already."""
    problems = Problems()
    reason = reason.strip()
    if not reason:
        problems.add("reason", "required", "切り替える理由を入力してください。", "Enter the reason for the switch.")
    elif len(reason) > 200:
        problems.add("reason", "too_long", "理由は200文字以内で入力してください。", "At most 200 characters.")
    if is_manual() == manual:
        problems.add("manual", "unchanged", "既にその連携方法になっています。", "The linkage is so already.")
    problems.raise_if_any()
    with transaction.atomic():
        row = CsManualLinkage.objects.create(manual=manual, reason=reason, switched_by=actor_label())
        action = "residents.cs_linkage.manual" if manual else "residents.cs_linkage.automatic"
        record_many([Event(action, "cs-linkage", str(row.id), [], reason)])
    return row


def send_automatically(purpose: str = AUTOMATIC_PURPOSE) -> dict[str, int] | None:
    """CSへの自動送信: send the pending notices of the CS kinds, oldest first (at most ``MAX_BATCH`` of each), and
    return how many of each kind were sent — or None, sending nothing, while switched to manual linkage. A notice
    without a destination (a previous address of no known municipality) waits, and so do the later ones of the same
    person. ``ProcedureError`` ``delivery_failed`` when the connector or the channel refuses (nothing recorded)."""
    if is_manual():
        return None
    counts = {}
    for kind in CS_KINDS:
        blocked: set[int] = set()
        ids = []
        for n in _pending(kind, MAX_BATCH):
            if n.destination is None or n.resident_id in blocked:
                blocked.add(n.resident_id)
            else:
                ids.append(n.history_id)
        counts[kind] = send(kind, ids, purpose).sent if ids else 0
    return counts
