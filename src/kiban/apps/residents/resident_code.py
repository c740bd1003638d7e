"""住民票コード通知票等 (住民記録システム標準仕様書 4.3.3, j890): the notices of a 住民票コード newly assigned
(住民票コード通知票, 住民基本台帳法30条の3第3項), changed on request (住民票コード変更通知票, 法30条の4第3項) or
corrected (住民票コード修正通知票), offered in the flow that wrote the code and printed again (再出力) later from the
record.

No table: each notice is one history entry of the person — the entry of a procedure that gave the person a new code
(``Procedure.result["code_assigned"]``, set by ``services._assign_code``), or of a 住民票コードの変更請求 / 職権記載
(``services.change_resident_code`` / ``correct_resident_code``). The notice prints that entry's name, address and
code, so a reprint says what was notified then; it is marked 再出力. The 住民票コード確認票 is not built (j890:
実装しない機能). The procedures themselves (変更・修正, 標準仕様書 4.3.2 j880) are in ``services``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from kiban.platform.audit.services import record
from kiban.standard.codes import ChangeReason

from . import certificates
from .models import Resident, ResidentHistory
from .printing import notice as notice_pdf
from .printing.content import NoticeContent, NoticeKind
from .services import history_in_effect
from .validation import Problems

KINDS: dict[str, NoticeKind] = {
    ChangeReason.RESIDENT_RECORD_CODE_CHANGE_REQUEST.value: "changed",
    ChangeReason.RESIDENT_RECORD_CODE_ENTRY.value: "corrected",
}
TITLES = notice_pdf.TITLES


@dataclass(frozen=True)
class Notice:
    """One notice a person has: the history entry (``seq``) it is printed from."""

    seq: int
    kind: NoticeKind
    resident_code: str
    recorded_on: date

    @property
    def title(self) -> str:
        return TITLES[self.kind]


def _kind(entry: ResidentHistory) -> NoticeKind | None:
    if entry.kind in KINDS:
        return KINDS[entry.kind]
    if entry.resident_id in entry.procedure.result.get("code_assigned", ()):
        return "assigned"
    return None


def _notice(entry: ResidentHistory) -> Notice:
    kind = _kind(entry)
    assert kind is not None
    return Notice(entry.seq, kind, str(entry.snapshot.get("resident_code", "")), entry.effective_on)


def notices(resident_id: int) -> list[Notice]:
    """The person's notices, oldest first (entries of undone procedures left out: ``history_in_effect``)."""
    entries = history_in_effect(resident_id).select_related("procedure").order_by("seq")
    return [_notice(entry) for entry in entries if _kind(entry) is not None]


def for_procedures(procedure_ids: list[int]) -> dict[int, list[tuple[int, Notice]]]:
    """The notices procedures just made due, as (resident id, notice) by procedure id: what their completion offers
    to print (one query)."""
    entries = ResidentHistory.objects.filter(procedure_id__in=procedure_ids).select_related("procedure").order_by("id")
    found: dict[int, list[tuple[int, Notice]]] = {}
    for entry in entries:
        kind = _kind(entry)
        if kind is not None:
            found.setdefault(entry.procedure_id, []).append((entry.resident_id, _notice(entry)))
    return found


def _previous_code(entry: ResidentHistory) -> str:
    return str(entry.procedure.payload.get("previous_code", "")) if entry.kind in KINDS else ""


def render(resident_id: int, seq: int, purpose: str, reprint: bool = False) -> tuple[NoticeContent, bytes]:
    """The notice of the person's history entry ``seq`` as a PDF; ``ProcedureError`` (nothing printed) if that
    entry is no notice's or no certifier is registered. Every print is audited with its purpose."""
    problems = Problems()
    entry = history_in_effect(resident_id).select_related("procedure").filter(seq=seq).first()
    kind = _kind(entry) if entry is not None else None
    if entry is None or kind is None:
        problems.add("seq", "not_found", "住民票コードの通知票が見つかりません。", "No resident record code notice.")
    today = timezone.localdate()
    municipality, mayor = certificates.notice_issuer(problems, today)
    problems.raise_if_any()
    assert entry is not None and kind is not None
    values = Resident.snapshot_values(entry.snapshot)
    content = NoticeContent(
        kind=kind, municipality_name=municipality, mayor=mayor,
        address=entry.full_address, name=f"{values['family_name']}　{values['given_name']}",
        name_kana=f"{values['family_name_kana']}　{values['given_name_kana']}", birth_date=values["birth_date"],
        birth_in_western=values.get("kind") == Resident.Kind.FOREIGN, resident_code=str(values["resident_code"]),
        recorded_on=entry.effective_on, issued_on=today, previous_code=_previous_code(entry),
        requested_on=entry.notified_on if kind == "changed" else None, reprint=reprint,
    )  # fmt: skip
    action = "residents.resident_code_notice.reprinted" if reprint else "residents.resident_code_notice.printed"
    record(action, "resident", str(resident_id), fields_read=["name", "birth_date", "address", "resident_code"],
           purpose=purpose)  # fmt: skip
    return content, notice_pdf.render(content)
