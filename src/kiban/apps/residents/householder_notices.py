"""世帯主変更依頼通知書 and 世帯主変更通知書 (住民記録システム標準仕様書 4.0.5, j500; 一般市区町村では標準オプション).

The standard: 世帯主不在の世帯について、職権で世帯主を定めるかどうかを選択でき、職権で世帯主を定めた場合、世帯主変更
通知書を出力することができること。職権で世帯主を定めない場合、世帯主変更依頼通知書と対象者リストが出力できること。
Both notices go to the remaining member ranked highest in 5.2 (世帯員の並び順) as the household stood before its
householder was removed.

How: a 転出・死亡・職権消除 whose householder leaves two or more behind may leave the household without one
(``householder_undecided``; ``services._reassign_householder`` keeps the remaining members in the 5.2 order of that
moment in the procedure's payload, ``undecided_households``). ``undecided`` lists such households still without a
householder (the 対象者リスト), each with the member the 世帯主変更依頼通知書 (``request_notice``) goes to, asking for
the 世帯主変更届 (住民基本台帳法25条). Setting the householder by authority is the existing 世帯主変更 done by authority
(``services.change_householder`` with ``Notification.by_authority``, 標準仕様書 4.2.0.2); its 世帯主変更通知書
(``change_notice``) goes to the same member. No table: the procedures say it all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from kiban.platform.audit.services import Event, record_many
from kiban.standard.codes import ChangeReason

from . import certificates
from .forms import display_date
from .models import HOUSEHOLDER, Household, Procedure, Resident
from .printing.content import Letter
from .printing.notice import render_letter
from .services import UNDECIDED_HOUSEHOLDS as UNDECIDED
from .validation import BY_AUTHORITY, Problems

REQUEST_TITLE = "世帯主変更依頼通知書"
CHANGE_TITLE = "世帯主変更通知書"
FIELDS = ("name", "address", "relationship")


@dataclass(frozen=True)
class Undecided:
    """A household left without a householder (世帯主不在) and still without one: a row of the 対象者リスト."""

    household_id: int
    address: str
    left_on: date  # the 異動日 of the householder's removal
    reason: str  # its 異動事由 (国内転出, 死亡 …)
    former_householder: str
    recipient_id: int  # the member the notice goes to (5.2, before the removal)
    recipient_name: str
    members: int


def _left_open(household_ids: list[int] | None = None) -> dict[int, Procedure]:
    """Household id → the latest procedure that left it without a householder (the partial index on the key)."""
    latest: dict[int, Procedure] = {}
    for procedure in Procedure.objects.filter(payload__has_key=UNDECIDED).order_by("id"):
        for key in procedure.payload[UNDECIDED]:
            if household_ids is None or int(key) in household_ids:
                latest[int(key)] = procedure
    return latest


def _recipient(procedure: Procedure, household_id: int, registered: Mapping[int, Resident]) -> Resident | None:
    """The first of the remaining members, in the 5.2 order before the removal, who is still in the household."""
    for rid in procedure.payload[UNDECIDED][str(household_id)]:
        if rid in registered:
            return registered[rid]
    return None


def _former_householder(procedure: Procedure, household_id: int) -> str:
    entry = procedure.entries.filter(snapshot__household_id=household_id, snapshot__relationship=HOUSEHOLDER).first()
    return f"{entry.snapshot['family_name']}　{entry.snapshot['given_name']}" if entry is not None else ""


def undecided(purpose: str) -> list[Undecided]:
    """The 対象者リスト: every household left without a householder that has none yet, oldest first; each person
    named is audited as listed with ``purpose``."""
    left = _left_open()
    members: dict[int, dict[int, Resident]] = {}
    for r in Resident.objects.filter(household_id__in=list(left), status=Resident.Status.REGISTERED):
        members.setdefault(r.household_id, {})[r.id] = r
    open_ = {h: m for h, m in members.items() if not any(r.relationship == HOUSEHOLDER for r in m.values())}
    households = Household.objects.in_bulk(list(open_))
    rows = []
    for household_id, registered in sorted(open_.items(), key=lambda item: (left[item[0]].effective_on, item[0])):
        procedure = left[household_id]
        recipient = _recipient(procedure, household_id, registered)
        if recipient is None:
            continue
        rows.append(Undecided(household_id, households[household_id].full_address, procedure.effective_on,
                              procedure.kind, _former_householder(procedure, household_id), recipient.id,
                              recipient.display_name, len(registered)))  # fmt: skip
    record_many(Event("resident.listed", "resident", str(r.recipient_id), FIELDS, purpose) for r in rows)
    return rows


def _letter(title: str, recipient: Resident, household: Household, body: str, items: list[tuple[str, str]]) -> bytes:
    problems = Problems()
    today = timezone.localdate()
    municipality, mayor = certificates.notice_issuer(problems, today)
    problems.raise_if_any()
    letter = Letter(title=title, municipality_name=municipality, mayor=mayor, address=household.full_address,
                    name=f"{recipient.family_name}　{recipient.given_name}", issued_on=today, body=body,
                    items=tuple(items))  # fmt: skip
    return render_letter(letter)


def _not_found(field: str, ja: str, en: str) -> Problems:
    problems = Problems()
    problems.add(field, "not_found", ja, en)
    return problems


def request_notice(household_id: int, purpose: str) -> bytes:
    """The 世帯主変更依頼通知書 of a household without a householder (a PDF); ``ProcedureError`` if it has one."""
    rows = {r.household_id: r for r in undecided(purpose) if r.household_id == household_id}
    row = rows.get(household_id)
    if row is None:
        _not_found("household_id", "世帯主が定まっていない世帯が見つかりません。",
                   "No household without a householder.").raise_if_any()  # fmt: skip
    assert row is not None
    recipient = Resident.objects.get(id=row.recipient_id)
    household = Household.objects.get(id=household_id)
    body = (f"あなたの世帯の世帯主であった{row.former_householder}さんが{_reason(row.reason)}により住民票から消除され、"
            "世帯主が定まっていません。新たな世帯主について、住民基本台帳法第25条の規定による世帯主変更届を"
            "届け出てください。")  # fmt: skip
    items = [("世帯の住所", household.full_address), ("消除された世帯主", row.former_householder),
             ("消除の年月日", _era(row.left_on)), ("消除の事由", row.reason)]  # fmt: skip
    pdf = _letter(REQUEST_TITLE, recipient, household, body, items)
    _audit("residents.householder_notice.request", recipient.id, purpose)
    return pdf


def change_notice(procedure_id: int, purpose: str) -> bytes:
    """The 世帯主変更通知書 of a 世帯主変更 done by authority on a household left without a householder (a PDF);
    ``ProcedureError`` for any other procedure."""
    change = Procedure.objects.filter(id=procedure_id, kind=ChangeReason.HOUSEHOLDER_CHANGE).first()
    household_id = int(change.payload.get("household_id", 0)) if change is not None else 0
    removal = _left_open([household_id]).get(household_id) if change is not None else None
    if change is None or BY_AUTHORITY not in change.flags or removal is None or removal.id > change.id:
        _not_found("procedure_id", "職権で世帯主を定めた世帯主変更が見つかりません。",
                   "No change of householder by authority of a household left without one.").raise_if_any()  # fmt: skip
    assert change is not None and removal is not None
    registered = {r.id: r for r in Resident.objects.filter(id__in=removal.payload[UNDECIDED][str(household_id)])}
    recipient = _recipient(removal, household_id, registered)
    head = next((r for r in Resident.objects.filter(household_id=household_id, relationship=HOUSEHOLDER,
                                                    status=Resident.Status.REGISTERED)), None)  # fmt: skip
    if recipient is None or head is None:
        _not_found("procedure_id", "通知書の送付先が見つかりません。", "Nobody to send the notice to.").raise_if_any()
    assert recipient is not None and head is not None
    household = Household.objects.get(id=household_id)
    body = "あなたの世帯の世帯主を、下記のとおり職権で定めましたので通知します。"
    items = [("新たな世帯主", head.display_name), ("世帯主を定めた年月日", _era(change.effective_on)),
             ("従前の世帯主", _former_householder(removal, household_id)),
             ("世帯の住所", household.full_address)]  # fmt: skip
    pdf = _letter(CHANGE_TITLE, recipient, household, body, items)
    _audit("residents.householder_notice.change", recipient.id, purpose)
    return pdf


def change_notices(procedure_ids: list[int]) -> dict[int, int]:
    """Of these procedures, the 世帯主変更 by authority whose 世帯主変更通知書 is due: procedure id → household id."""
    changes = Procedure.objects.filter(id__in=procedure_ids, kind=ChangeReason.HOUSEHOLDER_CHANGE)
    wanted = {c.id: int(c.payload.get("household_id", 0)) for c in changes if BY_AUTHORITY in c.flags}
    left = _left_open(list(wanted.values())) if wanted else {}
    return {pid: hid for pid, hid in wanted.items() if hid in left and left[hid].id < pid}


def _reason(kind: str) -> str:
    return {ChangeReason.DEATH.value: "死亡"}.get(kind, kind)


def _era(day: date) -> str:
    return str(display_date(day))


def _audit(action: str, resident_id: int, purpose: str) -> None:
    record_many([Event(action, "resident", str(resident_id), FIELDS, purpose)])
