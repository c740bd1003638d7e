"""Appending to the audit trail, and verifying its chain.

Each entry's hash is ``HMAC-SHA256(tenant key, canonical JSON of the entry including seq and prev_hash)``.
The tenant key is derived from ``settings.AUDIT_KEY``, which is not stored in the database: someone who can
write the database directly can still delete or alter rows, but cannot produce entries that verify.
"""

from __future__ import annotations

import functools
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kiban.platform.tenants.context import current_tenant_id

from .actor import current_actor, current_request_id
from .models import GENESIS_HASH, AuditChainHead, AuditEntry


@dataclass(frozen=True, slots=True)
class Event:
    """What to record: an action on one object, with the personal fields read and the stated purpose."""

    action: str
    object_type: str = ""
    object_id: str = ""
    fields_read: Sequence[str] = ()
    purpose: str = ""


@dataclass(slots=True)
class ChainEntry:
    """What ``entry_hash`` reads of an entry, without a model instance (``verify``, the import's chain)."""

    tenant_id: str
    seq: int
    at: datetime
    actor_kind: str
    actor: str
    on_behalf_of: str
    action: str
    object_type: str
    object_id: str
    fields_read: list[Any]
    purpose: str
    request_id: str
    prev_hash: str
    hash: str = ""


def _tenant_key(tenant_id: str) -> bytes:
    return _derived_key(settings.AUDIT_KEY, tenant_id)


@functools.lru_cache(maxsize=2048)
def _derived_key(audit_key: str, tenant_id: str) -> bytes:
    """Each tenant's chain key, derived once (an import or ``verify`` hashes millions of entries)."""
    return hmac.digest(audit_key.encode(), f"audit-chain:{tenant_id}".encode(), "sha256")


# json.dumps with these options builds an encoder per call: one for the chain (millions of entries on an import).
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _canonical(entry: AuditEntry | ChainEntry) -> bytes:
    at = entry.at.astimezone(UTC).isoformat(timespec="microseconds")
    body = [
        entry.tenant_id, entry.seq, at, entry.actor_kind, entry.actor, entry.on_behalf_of, entry.action,
        entry.object_type, entry.object_id, list(entry.fields_read), entry.purpose, entry.request_id,
        entry.prev_hash,
    ]  # fmt: skip
    return _ENCODE(body).encode()


def entry_hash(entry: AuditEntry | ChainEntry) -> str:
    return hmac.digest(_tenant_key(entry.tenant_id), _canonical(entry), "sha256").hex()


def _locked_head(tenant_id: str) -> AuditChainHead:
    AuditChainHead.objects.bulk_create([AuditChainHead(tenant_id=tenant_id)], ignore_conflicts=True)
    return AuditChainHead.objects.select_for_update().get()


def record_many(events: Iterable[Event]) -> list[AuditEntry]:
    """Append events to the current tenant's chain, in the caller's transaction."""
    events = list(events)
    if not events:
        return []
    tenant_id = current_tenant_id()
    actor = current_actor()
    request_id = current_request_id()
    # Microsecond precision is what both PostgreSQL and SQLite keep, so the hash survives a round trip.
    now = timezone.now()
    with transaction.atomic():
        head = _locked_head(tenant_id)
        entries = []
        for event in events:
            entry = AuditEntry(
                tenant_id=tenant_id,
                seq=head.last_seq + 1,
                at=now,
                actor_kind=actor.kind,
                actor=actor.ident,
                on_behalf_of=actor.on_behalf_of,
                action=event.action,
                object_type=event.object_type,
                object_id=str(event.object_id),
                fields_read=list(event.fields_read),
                purpose=event.purpose,
                request_id=request_id,
                prev_hash=head.last_hash,
            )
            entry.hash = entry_hash(entry)
            head.last_seq, head.last_hash = entry.seq, entry.hash
            entries.append(entry)
        AuditEntry.objects.bulk_create(entries)
        head.save(update_fields=["last_seq", "last_hash"])
    return entries


def record(
    action: str, object_type: str = "", object_id: str = "", fields_read: Sequence[str] = (), purpose: str = ""
) -> AuditEntry:
    return record_many([Event(action, object_type, str(object_id), fields_read, purpose)])[0]


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    entries: int
    position: int | None = None  # 1-based position in the chain where the first problem is
    problem: str = ""  # "altered", "removed", "inserted", "truncated"
    detail: str = ""


def verify() -> Verification:
    """Walk the current tenant's chain and report the first altered, removed or inserted entry."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    rows = (  # tuples, not model instances: the walk reads every entry of the tenant
        ChainEntry(*values)
        for values in AuditEntry.objects.order_by("seq").values_list(*ChainEntry.__slots__).iterator(chunk_size=2000)
    )
    current = next(rows, None)
    count = 0
    while current is not None:
        following = next(rows, None)
        count += 1
        position = expected_seq
        if current.seq > expected_seq:
            return Verification(
                False, count, position, "removed", f"entry {position} is missing (next is {current.seq})"
            )
        if current.seq < expected_seq:
            return Verification(False, count, position, "inserted", f"entry numbered {current.seq} appears twice")
        if current.prev_hash != expected_prev:
            return Verification(
                False, count, position, "removed",
                f"entry {position} does not follow entry {position - 1}: an entry between them was removed",
            )  # fmt: skip
        if not hmac.compare_digest(entry_hash(current), current.hash):
            if following is not None and following.prev_hash == expected_prev:
                return Verification(False, count, position, "inserted", f"entry {position} was inserted into the chain")
            return Verification(False, count, position, "altered", f"entry {position} was altered after it was written")
        expected_prev, expected_seq = current.hash, expected_seq + 1
        current = following
    head = AuditChainHead.objects.first()
    if head is not None and (head.last_seq != expected_seq - 1 or head.last_hash != expected_prev):
        return Verification(
            False, count, expected_seq, "truncated",
            f"the chain ends at entry {expected_seq - 1} but its head records entry {head.last_seq}",
        )  # fmt: skip
    return Verification(True, count)
