"""Template filters for dates on the registry's screens: 住民記録システム標準仕様書 1.1.9 年月日の表示 (j90).

``{{ day|display_date }}`` shows 和暦 (令和6年4月1日); ``{{ day|display_date:"western" }}`` shows 西暦 (2024年4月1日),
for a foreign resident's birth date and 在留期間の満了の日 only; ``{{ person|person_date:"birth_date" }}`` decides
which by the item and the person. All three are ``kiban.apps.residents.forms.display_date``, the one place the rule
is written. Machine-readable values (``<time datetime>``, hidden inputs) may keep ISO; nothing visible does.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template

from kiban.apps.residents import forms

register = template.Library()


@register.filter
def display_date(value: date | None, western: Any = False) -> str:
    return forms.display_date(value, western=bool(western))


@register.filter
def person_date(person: Any, item: str) -> str:
    return forms.person_date(person, item)
