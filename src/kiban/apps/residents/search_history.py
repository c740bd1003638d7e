"""Each staff user's recent search conditions (検索履歴, 住民記録システム標準仕様書 2.1.1, j320).

The standard: システム利用者（ID単位）ごとに、一度検索ダイアログ等で設定した値（検索履歴）については、自動的にその設定値
が、一定の件数保存されること — kept per user, automatically, a fixed number (``KEPT``); and それら検索履歴を選択する
ことにより、同じ条件による再検索及び検索履歴を活用した新たな検索にも対応できること — chosen again they search again
(``query``) or fill the search form to be changed first (``initial``).

Only conditions that made a valid search are kept; the same conditions again move to the top instead of being kept
twice. The conditions name people (kana, names, addresses), so they are the tenant's data under row-level security,
shown to their own user only, and not exchanged (docs/migration/exchange.md, "Not in the files").
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.utils import timezone

from kiban.platform.audit.services import record

from .models import SearchHistory
from .selectors import SearchCriteria

KEPT = 20  # conditions kept per user


def _fields(criteria: SearchCriteria, purpose: str) -> dict[str, Any]:
    return {
        "kana": criteria.kana, "name": criteria.name, "address": criteria.address, "birth_date": criteria.birth_date,
        "purpose": purpose,
    }  # fmt: skip


def remember(user_id: int, criteria: SearchCriteria, purpose: str) -> SearchHistory:
    """Keep the conditions of a search just made as the user's newest; the oldest beyond ``KEPT`` go."""
    fields = _fields(criteria, purpose)
    kept = SearchHistory.objects.filter(user_id=user_id, **fields).first()
    if kept is not None:  # the same conditions again: to the top, the same entry (links already shown still work)
        kept.searched_at = timezone.now()
        kept.save(update_fields=["searched_at"])
    else:
        kept = SearchHistory.objects.create(user_id=user_id, **fields)
    beyond = SearchHistory.objects.filter(user_id=user_id).order_by("-searched_at", "-id").values_list("id", flat=True)
    SearchHistory.objects.filter(id__in=list(beyond[KEPT:])).delete()
    return kept


def forget(user_id: int) -> int:
    """The user clears their own kept conditions (they name people: a user may not want them kept); how many."""
    cleared, _ = SearchHistory.objects.filter(user_id=user_id).delete()
    record("residents.search_history.cleared", "user", str(user_id), purpose=f"{cleared}件")
    return cleared


def recent(user_id: int) -> list[SearchHistory]:
    """The user's kept conditions, newest first."""
    return list(SearchHistory.objects.filter(user_id=user_id).order_by("-searched_at", "-id")[:KEPT])


def find(user_id: int, history_id: int) -> SearchHistory | None:
    """One of the user's kept conditions (None if it is not theirs or no longer kept)."""
    return SearchHistory.objects.filter(user_id=user_id, id=history_id).first()


def initial(entry: SearchHistory) -> dict[str, str]:
    """The search form's values for ``entry`` (dates as YYYY-MM-DD, which the form reads)."""
    values = {"kana": entry.kana, "name": entry.name, "address": entry.address, "purpose": entry.purpose}
    values["birth_date"] = entry.birth_date.isoformat() if entry.birth_date else ""
    return {k: v for k, v in values.items() if v}


def query(entry: SearchHistory) -> str:
    """The search page's query string that searches again with ``entry``'s conditions."""
    return urlencode(initial(entry))
