"""転入通知 not received (住民記録システム標準仕様書 4.1.3.1.3 j700, 4.1.3.1.4 j710; 住民基本台帳法9条1項).

When a person moved out to another municipality, that municipality, on recording the move-in, sends a 転入通知 back
(on the platform: ``services.confirm_move_out``). Until it arrives the move-out is unconfirmed.

- ``awaiting`` — 転入通知未着者一覧 (j710): the persons removed by a 国内転出 whose 転入通知 has not come, the planned
  date at least ``days`` ago; with ``removed_by_authority`` also those removed by 職権消除 (「職権消除した場合について
  も、転入通知未着者一覧を作成できること」). Audited as listed, with the purpose given.
- ``inquiry_letter`` — 転入通知未着照会書 (j710): the letter to the municipality moved to, asking whether the person
  notified the move-in there.
- ``receive_on_paper`` — 転入通知 received otherwise than through the network (CS), e.g. on paper (j700): the same
  recording as one received (``services._confirm``: the confirmed date beside the planned one, j680).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from kiban.platform.audit.services import Event, record, record_many
from kiban.platform.tenants import catalog
from kiban.standard.codes import ChangeReason

from . import certificates, services
from .forms import display_date
from .models import Resident, ResidentHistory, with_building
from .printing.content import Letter
from .printing.notice import render_letter
from .validation import Problems

CONFIRMED = "move_out_confirmed"  # the flag of the procedure recording a 転入通知 (services._confirm)
INQUIRY_TITLE = "転入通知未着照会書"
FIELDS = ["name", "birth_date", "address", "destination"]


@dataclass(frozen=True)
class Awaiting:
    resident_id: int
    name: str
    birth_date: date | None
    address_left: str
    destination: str
    destination_municipality: str
    removed_on: date
    reason: str
    procedure_id: int


def _confirmed_ids(resident_ids: list[int]) -> set[int]:
    """Of these persons, those whose history holds a procedure recording a 転入通知."""
    entries = ResidentHistory.objects.filter(resident_id__in=resident_ids)
    return {rid for rid, flags in entries.values_list("resident_id", "procedure__flags") if CONFIRMED in (flags or [])}


def _municipality(code: str) -> str:
    if not code:
        return ""
    try:
        found = catalog.lookup(code)
    except (LookupError, ValueError):
        return ""
    return found.full_name


def awaiting(purpose: str, days: int = 14, removed_by_authority: bool = False) -> list[Awaiting]:
    """転入通知未着者一覧 (j710): who moved out (or was removed by authority) ``days`` ago or more, unconfirmed;
    audited as listed with the purpose."""
    kinds = [ChangeReason.MOVE_OUT_DOMESTIC.value]
    if removed_by_authority:
        kinds.append(ChangeReason.REMOVAL_EX_OFFICIO.value)
    rows = _awaiting(kinds, timezone.localdate() - timedelta(days=max(days, 0)))
    record_many(Event("resident.listed", "resident", str(row.resident_id), FIELDS, purpose) for row in rows)
    return rows


def _awaiting(kinds: list[str], until: date, only: int | None = None) -> list[Awaiting]:
    """The persons removed by ``kinds`` on or before ``until`` whose 転入通知 has not come (``only``: that person)."""
    removed_rows = Resident.objects.filter(
        status=Resident.Status.REMOVED, removal_reason__in=kinds, removed_on__lte=until
    )
    if only is not None:
        removed_rows = removed_rows.filter(id=only)
    removed = list(removed_rows.order_by("removed_on", "id"))
    confirmed = _confirmed_ids([r.id for r in removed])
    removed = [r for r in removed if r.id not in confirmed]
    removals = ResidentHistory.objects.filter(resident_id__in=[r.id for r in removed], kind__in=kinds)
    entries = {e.resident_id: e for e in removals.select_related("procedure").order_by("seq")}
    rows = []
    for r in removed:
        entry = entries.get(r.id)
        if entry is None:
            continue
        payload = entry.procedure.payload
        code = str(payload.get("destination_code") or "")
        rows.append(Awaiting(r.id, r.display_name, r.birth_date, with_building(entry.address, entry.building),
                             str(payload.get("destination_address") or ""), _municipality(code), r.removed_on
                             or entry.effective_on, entry.kind, entry.procedure_id))  # fmt: skip
    return rows


def _one(resident_id: int) -> Awaiting:
    """The one person who moved out and awaits a 転入通知 (read alone: not the whole list, nor audited as listed;
    what is done with it is audited)."""
    found = _awaiting([ChangeReason.MOVE_OUT_DOMESTIC.value], timezone.localdate(), only=resident_id)
    if not found:
        problems = Problems()
        problems.add("resident_id", "not_found", "転入通知を待っている転出者が見つかりません。",
                     "No person who moved out awaits a notice of move-in.")  # fmt: skip
        problems.raise_if_any()
    return found[0]


def inquiry_letter(resident_id: int, purpose: str) -> bytes:
    """転入通知未着照会書 (j710) to the municipality moved to (PDF); ``ProcedureError`` for a person who does not
    await a 転入通知 (confirmed, never moved out, another municipality's) or without a certifier."""
    row = _one(resident_id)
    problems = Problems()
    today = timezone.localdate()
    municipality, mayor = certificates.notice_issuer(problems, today)
    problems.raise_if_any()
    to = f"{row.destination_municipality}長" if row.destination_municipality else "転入地市区町村長"
    body = ("下記の者について、当市区町村に転出の届出がありましたが、住民基本台帳法第9条第1項の規定による転入通知が"
            "まだ届いておりません。貴市区町村への転入届の有無について照会します。")  # fmt: skip
    items = (("氏名", row.name), ("生年月日", display_date(row.birth_date) if row.birth_date else ""),
             ("転出前の住所", row.address_left), ("転出先の住所", row.destination),
             ("転出予定年月日", display_date(row.removed_on)))  # fmt: skip
    letter = Letter(title=INQUIRY_TITLE, municipality_name=municipality, mayor=mayor, address=row.destination,
                    name=to, issued_on=today, body=body, items=items)  # fmt: skip
    pdf = render_letter(letter)
    record("residents.move_in_notice.inquiry", "resident", str(resident_id), fields_read=FIELDS, purpose=purpose)
    return pdf


def receive_on_paper(resident_id: int, moved_in_on: date, purpose: str) -> services.ProcedureResult:
    """A 転入通知 received otherwise than through the network (j700): recorded as one received — the confirmed
    date (the day of the move-in there) beside the planned one; the earlier of the two is the removal date (j680)."""
    row = _one(resident_id)
    problems = Problems()
    today = timezone.localdate()
    if moved_in_on > today:
        problems.add("moved_in_on", "future_date", "転入日が未来の日付です。", "The move-in date is in the future.")
    problems.raise_if_any()
    request_id = f"paper-move-in-notice-{resident_id}-{moved_in_on.isoformat()}"
    n = services.Notification(request_id, min(moved_in_on, today), today)
    result = services.confirm_move_out_by_hand(n, resident_id, moved_in_on, row.destination_municipality or "")
    record("residents.move_in_notice.received", "resident", str(resident_id), fields_read=FIELDS, purpose=purpose)
    return result
