"""Items hidden from a staff user on every counter screen (操作権限設定, 住民記録システム標準仕様書 10.4, j1390).

The standard: システムの利用者及び管理者に対する個人単位での操作権限においては、他課参照や異動・証明を含む全ての
画面にて、「戸籍の表示」、「個人番号」、「住民票コード」及び「在留資格等」の項目を表示又は非表示に設定できること —
per user, on every screen, these four items (``ITEMS``) can be hidden; and, 実装しない機能, 続柄 must not be hideable by
permission: it is not in ``ITEMS`` and a setting naming it is refused.

A supervisor sets them (``set_hidden``, the page ``visibility_views``). The counter then leaves the items out of the
record page, does not prefill them into a wizard's fields (a correction does not even offer them: what cannot be seen
cannot be corrected), and refuses the wizards whose subject is a hidden item (``WIZARD_SUBJECTS``). The 個人番号 is
masked on every screen anyway; hiding it removes even the masked form. Certificates print what the requester is
entitled to: hiding is about the user's screens, not the certificate's content.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model

from kiban.platform.audit.actor import actor_label
from kiban.platform.audit.services import record
from kiban.platform.tenants.context import current_tenant_id

from .models import HiddenItems
from .validation import Problems

ITEMS: dict[str, tuple[str, str]] = {
    "domicile": ("戸籍の表示（本籍・筆頭者）", "Family register (domicile and its head)"),
    "individual_number": ("個人番号", "Individual number"),
    "resident_code": ("住民票コード", "Resident record code"),
    "residence_status": ("在留資格等", "Residence status, period of stay, card number"),
}
# The form fields that carry each item (wizards, the move-in's persons).
ITEM_FIELDS: dict[str, tuple[str, ...]] = {
    "domicile": ("domicile", "domicile_head"),
    "individual_number": ("individual_number",),
    "resident_code": ("resident_code",),
    "residence_status": ("residence_status", "period_of_stay_until", "residence_card_number"),
}
# Wizards whose subject is the item: refused to a user who may not see it.
WIZARD_SUBJECTS: dict[str, str] = {"residence-status": "residence_status"}


def hidden_for(user_id: int) -> frozenset[str]:
    """The items hidden from the user (none unless a supervisor set some)."""
    found = HiddenItems.objects.filter(user_id=user_id).values_list("items", flat=True).first()
    return frozenset(found or ())


def staff() -> list[tuple[int, str, frozenset[str]]]:
    """The municipality's staff accounts with what is hidden from each: (user id, user name, items)."""
    users = get_user_model().objects.filter(tenant_id=current_tenant_id()).order_by("username")
    hidden = dict(HiddenItems.objects.values_list("user_id", "items"))
    return [(u.pk, u.get_username(), frozenset(hidden.get(u.pk) or ())) for u in users]


def set_hidden(user_id: int, items: Iterable[str]) -> HiddenItems:
    """Hide ``items`` from the user (replacing what was set); ``ProcedureError`` if an item is not one of ``ITEMS``
    (続柄 included: hiding it is 実装しない機能) or the user is not this municipality's."""
    chosen = sorted(set(items))
    problems = Problems()
    unknown = [i for i in chosen if i not in ITEMS]
    if unknown:
        problems.add(
            "items", "invalid",
            f"非表示にできない項目です: {', '.join(unknown)}（戸籍の表示・個人番号・住民票コード・在留資格等のみ）",
            f"These items cannot be hidden: {', '.join(unknown)} (only the four of 標準仕様書 10.4).",
        )  # fmt: skip
    if not get_user_model().objects.filter(pk=user_id, tenant_id=current_tenant_id()).exists():
        problems.add("user", "not_found", "この自治体の利用者ではありません。", "Not a user of this municipality.")
    problems.raise_if_any()
    setting, _ = HiddenItems.objects.update_or_create(
        user_id=user_id, defaults={"items": chosen, "set_by": actor_label()}
    )
    record("residents.visibility.set", "user", str(user_id), fields_read=[])
    return setting
