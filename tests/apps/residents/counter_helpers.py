"""Helpers shared by the counter (窓口) tests: a wizard page's state, the errors next to a field, 本登録."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone


def _state(page: Any) -> str:
    """The wizard's signed state, carried from one step to the next in a hidden input."""
    match = re.search(r'name="state" value="([^"]+)"', page.content.decode())
    assert match, page.content.decode()[:2000]
    return match.group(1)


def _errors_next_to(page: Any, field_id: str) -> str:
    """The error text shown right after the field with this id (inside the same field wrapper)."""
    html = page.content.decode()
    match = re.search(
        rf'id="{field_id}".*?(?:<div class="field-errors" id="{field_id}_errors">(.*?)</div>)', html, re.S
    )
    assert match, f"no error next to {field_id}: {html[:3000]}"
    return match.group(1)


def _register(client: Client) -> Any:
    """本登録 of every provisional entry, by a supervisor at the list (仮登録一覧); the list page after it.
    The wizards' last step only keeps 仮登録."""
    page = client.post("/staff/residents/provisional/", {"action": "register-all", "shown_branch": ""})
    assert page.status_code == 302, page.content.decode()[:2000]
    return client.get(page["Location"])


def _today(days: int = 0) -> str:
    """Today (or ``days`` from it) as a form field's ISO date."""
    return (timezone.localdate() + timedelta(days=days)).isoformat()
