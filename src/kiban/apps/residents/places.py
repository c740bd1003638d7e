"""入力場所・入力端末 (住民記録システム標準仕様書 1.3.1, j230): システムログや証明書発行管理に使用するため、住民記録
システムを使用する場所として、本庁、支所、出張所、住民記録システム利用課等の入力場所及び入力端末等の登録管理ができる
こと。指定都市においては、行政区（区役所）を管理できること.

- Supervisors register places (code, name, kind, and for a designated city's ward office its ward's code) and
  terminals (code, name, place); both are retired, never deleted.
- A counter's browser is told which terminal it is (``remember_terminal``: a signed cookie, a year); the terminal's
  place is then the session's 入力支所 (kept with each provisional entry), and the certificates issued there record
  the place and the terminal (``Certificate.place`` / ``terminal``). A certificate issued at a ward office is
  certified by that ward's 区長 (its ``ward_code``, ``certificates.Request.ward_code``).
- Where a municipality registers no place, the counter keeps typing its 入力支所 as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core import signing

from kiban.platform.tenants.context import current_tenant_id

from . import masters
from .certificates import check_ward
from .models import InputPlace, InputTerminal
from .validation import Problems

COOKIE = "kiban_terminal"
COOKIE_SALT = "kiban.residents.terminal"
COOKIE_MAX_AGE = 365 * 24 * 3600  # a year: the terminal stays where it is


@dataclass(frozen=True)
class Counter:
    """Where this counter is: the place's name (the 入力支所), the terminal's name, the ward whose 区長 certifies."""

    place: str
    terminal: str = ""
    ward_code: str = ""


def places(in_force_only: bool = True) -> list[InputPlace]:
    found = InputPlace.objects.order_by("code")
    return list(found.filter(retired_on__isnull=True) if in_force_only else found)


def terminals(in_force_only: bool = True) -> list[InputTerminal]:
    found = InputTerminal.objects.select_related("place").order_by("code")
    return list(found.filter(retired_on__isnull=True) if in_force_only else found)


def _checked(problems: Problems, model: type[Any], object_id: int | None, code: str, name: str) -> Any:
    """The row corrected (``object_id``; a problem if there is none), and problems for a code missing, too long or
    taken, and a name missing or too long."""
    label = "入力場所" if model is InputPlace else "入力端末"
    existing = model.objects.filter(id=object_id).first() if object_id is not None else None
    if object_id is not None and existing is None:
        problems.add("id", "not_found", f"{label}が見つかりません。", "Not found.")
    longest = model._meta.get_field("code").max_length
    if not code or len(code) > longest:
        problems.add("code", "invalid", f"{label}のコードを{longest}文字以内で入力してください。",
                     f"Enter a code ({longest} characters at most).")  # fmt: skip
    elif model.objects.filter(code=code).exclude(id=object_id).exists():
        problems.add("code", "duplicate", f"{label}のコード {code} は登録済みです。", "That code is taken.")
    if not name or len(name) > 64:
        problems.add("name", "invalid", f"{label}の名称を64文字以内で入力してください。", "Enter a name (64 at most).")
    return existing


def save_place(*, code: str, name: str, kind: str, ward_code: str = "", place_id: int | None = None) -> InputPlace:
    """Add a place or correct one (``place_id``); ``ProcedureError`` (nothing written) for a missing or duplicate
    code, no name, an unknown kind, or a ward code that is not a ward of this designated city."""
    problems = Problems()
    code, name, ward_code = code.strip(), name.strip(), ward_code.strip()
    existing = _checked(problems, InputPlace, place_id, code, name)
    if kind not in InputPlace.Kind.values:
        problems.add("kind", "invalid", "種別を選んでください。", "Choose the kind.")
    if ward_code:
        check_ward(problems, ward_code)
    elif kind == InputPlace.Kind.WARD_OFFICE:
        problems.add("ward_code", "required", "区役所には行政区のコードを入力してください。", "Enter the ward's code.")
    problems.raise_if_any()
    return masters.store(existing or InputPlace(), "residents.input_place.saved", code=code, name=name, kind=kind,
                         ward_code=ward_code)  # fmt: skip


def save_terminal(*, code: str, name: str, place_id: int, terminal_id: int | None = None) -> InputTerminal:
    """Add a terminal at a place in force, or correct one; ``ProcedureError`` (nothing written) otherwise."""
    problems = Problems()
    code, name = code.strip(), name.strip()
    existing = _checked(problems, InputTerminal, terminal_id, code, name)
    if not InputPlace.objects.filter(id=place_id, retired_on__isnull=True).exists():
        problems.add("place", "not_found", "廃止されていない入力場所を選んでください。", "Choose a place in use.")
    problems.raise_if_any()
    return masters.store(existing or InputTerminal(), "residents.input_terminal.saved", code=code, name=name,
                         place_id=place_id)  # fmt: skip


def retire(model: type[InputPlace] | type[InputTerminal], object_id: int, on: date) -> None:
    """A place or terminal no longer used: kept, no longer offered. A place with terminals in use is refused."""

    def in_use(problems: Problems, found: InputPlace | InputTerminal) -> None:
        if model is InputPlace and InputTerminal.objects.filter(place_id=found.id, retired_on__isnull=True).exists():
            problems.add("id", "in_use", "この入力場所の端末を先に廃止してください。", "Retire its terminals first.")

    masters.retire(model, object_id, on, label="入力場所" if model is InputPlace else "入力端末", check=in_use)


def terminal_cookie(terminal: InputTerminal) -> str:
    """The signed value that tells a browser which terminal (and municipality) it is."""
    return signing.dumps({"tenant": current_tenant_id(), "terminal": terminal.id}, salt=COOKIE_SALT)


def counter_of(cookie: str | None) -> Counter | None:
    """The terminal a browser's cookie names, if it is this municipality's and in use (its place in use too)."""
    if not cookie:
        return None
    try:
        value = signing.loads(cookie, salt=COOKIE_SALT, max_age=COOKIE_MAX_AGE)
    except signing.BadSignature:
        return None
    if value.get("tenant") != current_tenant_id():
        return None
    terminal = (
        InputTerminal.objects.select_related("place")
        .filter(id=value.get("terminal"), retired_on__isnull=True, place__retired_on__isnull=True)
        .first()
    )
    if terminal is None:
        return None
    return Counter(terminal.place.name, terminal.name, terminal.place.ward_code)
