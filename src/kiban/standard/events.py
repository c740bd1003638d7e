"""The event envelope: the same JSON whether an event is pushed (webhook, in-process) or pulled (change feed).

In the spirit of CloudEvents 1.0 (``id``, ``type``, ``subject``, ``time``, ``data``, ``dataschema``), with the
names Kiban's platform already uses on the wire (``occurred_at`` for ``time``, ``tenant`` for the source
municipality) and a ``schema_version`` so that a consumer can tell which version of the payload it holds.
Payloads carry the minimum needed; details are fetched through the audited API.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, Field

from .schemas import LocalGovernmentCode, StandardModel

SCHEMA_VERSION = "1.0"


class EventEnvelope(StandardModel):
    """One event about one subject (e.g. one resident) in one municipality."""

    id: UUID = Field(title="イベントID", description="Unique per tenant; consumers deduplicate by it.")
    type: str = Field(
        title="イベント種別",
        description="Dotted event type, business first, e.g. residents.resident.changed.",
        pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$",
    )
    tenant: LocalGovernmentCode = Field(
        title="全国地方公共団体コード",
        description="The municipality the event belongs to: 6-digit local government code.",
    )
    subject: str = Field(
        title="対象",
        description="What the event is about, e.g. the resident's 宛名番号; order is kept per subject.",
        min_length=1,
    )
    occurred_at: AwareDatetime = Field(title="発生日時", description="When the change happened, with time zone.")
    data: dict[str, Any] = Field(title="内容", description="The payload: identifiers and what changed, no more.")
    schema_version: str = Field(
        SCHEMA_VERSION,
        title="スキーマバージョン",
        description="Version of this envelope and its payload schema (major.minor).",
        pattern=r"^[0-9]+\.[0-9]+$",
    )
