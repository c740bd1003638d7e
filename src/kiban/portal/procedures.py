"""Online procedures as declarations: fields to ask, what is prefilled (never asked again), where it is routed, and
what the registry is asked to do on approval. Adding a procedure is adding a ``ProcedureSpec``.

Each field has its label in Japanese, in plain Japanese (やさしい日本語, with readings for kanji: 「漢字(かんじ)」 is
shown as ruby) and in English.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from kiban.standard.contracts import ProcedureOutcome, registry


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    easy: str  # やさしい日本語, readings in parentheses after kanji: 新(あたら)しい
    label_en: str
    kind: str = "text"  # text, date, members, municipality
    required: bool = True
    help: str = ""


@dataclass(frozen=True)
class ProcedureSpec:
    slug: str
    title: str
    easy_title: str
    title_en: str
    fields: tuple[FieldSpec, ...]
    prefill: tuple[str, ...]  # items of the person's record shown as already known
    route: str  # "review": a clerk drafts, a supervisor approves (電子決裁)
    apply: Callable[[str, dict[str, Any]], ProcedureOutcome]  # (request id, cleaned data) → registry call


def _move_within(request_id: str, data: dict[str, Any]) -> ProcedureOutcome:
    return registry().move_within(
        request_id,
        [int(m) for m in data["members"]],
        data["address"],
        data.get("building", ""),
        date.fromisoformat(data["moved_on"]),
        date.fromisoformat(data["submitted_on"]),
    )


def _move_out(request_id: str, data: dict[str, Any]) -> ProcedureOutcome:
    return registry().move_out(
        request_id,
        [int(m) for m in data["members"]],
        data["destination_address"],
        data.get("destination_code", ""),
        date.fromisoformat(data["planned_on"]),
        date.fromisoformat(data["submitted_on"]),
    )


MEMBERS = FieldSpec("members", "異動する方", "引(ひ)っ越(こ)す 人(ひと)", "Who moves", kind="members")
PREFILL = ("family_name", "given_name", "birth_date", "address", "building")

PROCEDURES: dict[str, ProcedureSpec] = {
    spec.slug: spec
    for spec in (
        ProcedureSpec(
            slug="move-within",
            title="転居届",
            easy_title="同(おな)じ 市区町村(しくちょうそん)の 中(なか)で 引(ひ)っ越(こ)した",
            title_en="Moving within the municipality",
            fields=(
                FieldSpec("address", "新しい住所", "新(あたら)しい 住所(じゅうしょ)", "New address"),
                FieldSpec(
                    "building",
                    "方書（建物名・部屋番号）",
                    "建物(たてもの)の 名前(なまえ)と 部屋(へや)の 番号(ばんごう)",
                    "Building and room",
                    required=False,
                ),
                FieldSpec(
                    "moved_on",
                    "引っ越した日",
                    "引(ひ)っ越(こ)した 日(ひ)",
                    "Date you moved",
                    kind="date",
                    help="例: 令和8年4月1日、R8.4.1、2026-04-01",
                ),
                MEMBERS,
            ),
            prefill=PREFILL,
            route="review",
            apply=_move_within,
        ),
        ProcedureSpec(
            slug="move-out",
            title="転出届",
            easy_title="ほかの 市区町村(しくちょうそん)へ 引(ひ)っ越(こ)す",
            title_en="Moving out of the municipality",
            fields=(
                FieldSpec(
                    "destination_address",
                    "引っ越し先の住所",
                    "引(ひ)っ越(こ)し 先(さき)の 住所(じゅうしょ)",
                    "Address you move to",
                ),
                FieldSpec(
                    "destination_code",
                    "引っ越し先の市区町村コード（わかれば）",
                    "引(ひ)っ越(こ)し 先(さき)の 市区町村(しくちょうそん) コード",
                    "Municipality code of the destination (if known)",
                    kind="municipality",
                    required=False,
                ),
                FieldSpec(
                    "planned_on",
                    "引っ越す予定の日",
                    "引(ひ)っ越(こ)す 日(ひ)",
                    "Planned date",
                    kind="date",
                    help="例: 令和8年4月1日、R8.4.1、2026-04-01",
                ),
                MEMBERS,
            ),
            prefill=PREFILL,
            route="review",
            apply=_move_out,
        ),
    )
}
