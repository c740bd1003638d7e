"""児童手当's answer to the registry's 他業務照会 (住民記録システム標準仕様書 7.2.2; ``kiban.standard.contracts``):
whether the person is a recipient (受給者: the recognition in force, since when, how many children) or a child
counted in someone's recognition. No amounts, no bank account; each answer audited here with the purpose."""

from __future__ import annotations

from django.db import connection

from kiban.platform.audit.services import record
from kiban.standard.businesses import Business
from kiban.standard.contracts import BusinessItems
from kiban.standard.era import format_date

from .models import Recognition, Revision


class ChildAllowanceInquiry:
    def items_of(self, resident_id: int, purpose: str) -> BusinessItems | None:
        items: list[tuple[str, str]] = []
        as_recipient = Recognition.objects.filter(recipient_id=resident_id).order_by("-id").first()
        if as_recipient is not None:
            children = _latest_children(as_recipient.id)
            state = as_recipient.get_status_display()
            since = format_date(as_recipient.first_month, "long")
            items.append(
                ("受給者", f"{state}（認定番号 {as_recipient.number}、{since}分から、対象児童 {len(children)}人）")
            )
        for recognition_id in _recognitions_counting(resident_id):
            items.append(("対象児童", f"認定番号 {Recognition(id=recognition_id).number} の対象児童"))
        if not items:
            return None
        record("child_allowance.inquired", "resident", str(resident_id), ["recognition"], purpose)
        return BusinessItems(Business.CHILD_ALLOWANCE.value, "児童手当", tuple(items))


def _latest_children(recognition_id: int) -> list[dict[str, object]]:
    latest = Revision.objects.filter(recognition_id=recognition_id).order_by("-seq").first()
    return list(latest.children) if latest is not None else []


def _recognitions_counting(resident_id: int) -> list[int]:
    """The recognitions in force whose latest revision counts this child. On PostgreSQL the revisions naming the
    child are found by the JSON containment operator (one query); SQLite, which has none, reads each recognition."""
    active = Recognition.objects.filter(status=Recognition.Status.ACTIVE)
    if connection.vendor == "postgresql":
        naming = Revision.objects.filter(recognition__in=active, children__contains=[{"resident_id": resident_id}])
        candidates = sorted(set(naming.values_list("recognition_id", flat=True)))
    else:
        candidates = list(active.values_list("id", flat=True))
    return [r for r in candidates if any(c.get("resident_id") == resident_id for c in _latest_children(r))]
