"""住民異動届受理通知 (住民記録システム標準仕様書 4.1.0.3, j580): a letter saying that a notification was accepted,
printed on request for a 転入届, 転居届, 転出届 or 世帯変更届 (and a 転出 whose certificate is the 転出証明書に準ずる
証明書), e.g. where the 届出人 is not the person who moved — so that a person learns of a notification made in their
name.

The standard: 出力内容は届出日、異動事由、届出人氏名、異動者氏名及び受理した旨 — the letter holds those and nothing
else of the notification; 宛先は異動前住所・届出人本人 — it is addressed to the 届出人 at the address before the change;
where there is no such address (a move-in from abroad) or sending there is not appropriate, to the mover at the address
after it. 処理日に限らず、後日でも発行できること — printed from the recorded procedure at any time. 実装しない機能: a
notice telling the movers what was notified about their latest change — nothing here describes the change itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from kiban.platform.audit.services import record
from kiban.standard.codes import NOTIFIED_REASONS, ChangeReason

from . import certificates
from .forms import display_date
from .models import Procedure, Resident, ResidentHistory, with_building
from .printing.content import Letter
from .printing.notice import render_letter
from .validation import BY_AUTHORITY, Problems

TITLE = "住民異動届受理通知書"
BODY = (
    "下記のとおり住民異動届を受理しましたので通知します。お心当たりのない場合は、住民記録の窓口にお問い合わせください。"
)


@dataclass(frozen=True)
class Addressed:
    name: str
    address: str


def eligible(procedure: Procedure) -> bool:
    """A notification (転入・転居・転出・世帯変更) someone made: not a procedure done by authority (4.2.0.2)."""
    return procedure.kind in NOTIFIED_REASONS and BY_AUTHORITY not in (procedure.flags or [])


def _name(snapshot: dict[str, object]) -> str:
    values = Resident.snapshot_values(snapshot)
    return f"{values.get('family_name', '')}　{values.get('given_name', '')}".strip("　")


def _address_before(entry: ResidentHistory) -> str:
    """The mover's address before this procedure: the previous entry's, or, for a first entry (a 転入), the 前住所."""
    before = ResidentHistory.objects.filter(resident_id=entry.resident_id, seq__lt=entry.seq).order_by("-seq").first()
    if before is not None:
        return with_building(before.address, before.building)
    return str(entry.snapshot.get("previous_address") or "")


def addressed(procedure: Procedure, movers: list[ResidentHistory]) -> Addressed:
    """To whom and where (4.1.0.3): the 届出人 (the first mover when the mover notified) at the address before the
    change; the first mover at the address after it when there is none before (国外からの転入)."""
    first = movers[0]
    notifier = str(procedure.payload.get("notifier") or "") or _name(first.snapshot)
    before = "" if procedure.kind == ChangeReason.MOVE_IN_FROM_ABROAD else _address_before(first)
    if before:
        return Addressed(notifier, before)
    return Addressed(_name(first.snapshot), with_building(first.address, first.building))


def notice(procedure_id: int, purpose: str) -> bytes:
    """The 住民異動届受理通知書 of a recorded notification (PDF); ``ProcedureError`` (``not_found``) for a procedure
    that is no notification, or one done by authority; refused without a certifier (the issuer). Audited."""
    procedure = Procedure.objects.filter(id=procedure_id).first()
    problems = Problems()
    if procedure is None or not eligible(procedure):
        problems.add("procedure_id", "not_found", "受理通知を出力できる届出が見つかりません。",
                     "No notification of a move or household change by that number.")  # fmt: skip
        problems.raise_if_any()
    assert procedure is not None
    movers = list(ResidentHistory.objects.filter(procedure_id=procedure.id, kind=procedure.kind).order_by("id"))
    if not movers:
        problems.add("procedure_id", "not_found", "異動者が見つかりません。", "No person moved by this procedure.")
    today = timezone.localdate()
    municipality, mayor = certificates.notice_issuer(problems, today)
    problems.raise_if_any()
    to = addressed(procedure, movers)
    names = "、".join(dict.fromkeys(_name(m.snapshot) for m in movers))
    notifier = str(procedure.payload.get("notifier") or "") or f"{_name(movers[0].snapshot)}（異動者本人）"
    items = (("届出日", display_date(procedure.notified_on)), ("異動事由", procedure.kind),
             ("届出人", notifier), ("異動者", names))  # fmt: skip
    letter = Letter(title=TITLE, municipality_name=municipality, mayor=mayor, address=to.address, name=to.name,
                    issued_on=today, body=BODY, items=items)  # fmt: skip
    pdf = render_letter(letter)
    record("residents.acceptance_notice.printed", "procedure", str(procedure.id),
           fields_read=["name", "address", "notifier"], purpose=purpose)  # fmt: skip
    return pdf
