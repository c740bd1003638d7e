"""Appending to the audit trail, and verifying its chain.

Each entry's hash is ``HMAC-SHA256(tenant key, canonical JSON of the entry including seq and prev_hash)``.
The tenant key is derived from ``settings.AUDIT_KEY``, which is not stored in the database: someone who can
write the database directly can still delete or alter rows, but cannot produce entries that verify.
"""

from __future__ import annotations

import functools
import hmac
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import connections, transaction
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


def _tenant_key(tenant_id: str) -> bytes:
    return _derived_key(settings.AUDIT_KEY, tenant_id)


@functools.lru_cache(maxsize=2048)
def _derived_key(audit_key: str, tenant_id: str) -> bytes:
    """Each tenant's chain key, derived once (an import or ``verify`` hashes millions of entries)."""
    return hmac.digest(audit_key.encode(), f"audit-chain:{tenant_id}".encode(), "sha256")


# json.dumps with these options builds an encoder per call: one for the chain (millions of entries on an import).
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
# What that encoder writes for a string (json.encoder's C function for ensure_ascii=False), called directly: the
# chain's fields are strings, and a list of strings is "[" + the strings joined by "," + "]" in that encoder.
_STRING = json.encoder.encode_basestring


def canonical_at(at: datetime) -> str:
    """The entry's time as the canonical form writes it: UTC, microseconds, ``+00:00``."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def content(
    at: str, actor_kind: str, actor: str, on_behalf_of: str, action: str, object_type: str, object_id: str,
    fields_read: Sequence[str], purpose: str, request_id: str,
) -> str:  # fmt: skip
    """The part of an entry's canonical JSON between its seq and its prev_hash (``at`` as ``canonical_at``): the
    same for an entry wherever its chain puts it, so a chain rebuilt for another tenant (the import) encodes it
    once. Byte for byte what the encoder writes for the list (tested against ``json.dumps``)."""
    texts = (at, actor_kind, actor, on_behalf_of, action, object_type, object_id, purpose, request_id)
    if all(type(t) is str for t in texts) and all(type(f) is str for f in fields_read):
        s = _STRING
        fields = "[" + ",".join(map(s, fields_read)) + "]"
        return (f"{s(at)},{s(actor_kind)},{s(actor)},{s(on_behalf_of)},{s(action)},{s(object_type)},"
                f"{s(object_id)},{fields},{s(purpose)},{s(request_id)}")  # fmt: skip
    body = [at, actor_kind, actor, on_behalf_of, action, object_type, object_id, list(fields_read), purpose, request_id]
    return _ENCODE(body)[1:-1]


def chain_hasher(tenant_id: str) -> Callable[[int, str, str], str]:
    """``hash(seq, content, prev_hash)`` for the tenant's chain: HMAC-SHA256 under the tenant's chain key of the
    canonical JSON ``[tenant_id, seq, at, actor_kind, actor, on_behalf_of, action, object_type, object_id,
    fields_read, purpose, request_id, prev_hash]`` (compact separators, UTF-8), built around ``content``. The key
    is derived once per hasher."""
    key, tenant = _tenant_key(tenant_id), _STRING(tenant_id)
    digest, string = hmac.digest, _STRING

    def chain_hash(seq: int, entry_content: str, prev_hash: str) -> str:
        canonical = f"[{tenant},{int(seq)},{entry_content},{string(prev_hash)}]"
        return digest(key, canonical.encode(), "sha256").hex()

    return chain_hash


def _content_of(entry: AuditEntry) -> str:
    return content(
        canonical_at(entry.at), entry.actor_kind, entry.actor, entry.on_behalf_of, entry.action, entry.object_type,
        entry.object_id, entry.fields_read, entry.purpose, entry.request_id,
    )  # fmt: skip


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
        chain_hash = chain_hasher(tenant_id)
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
            entry.hash = chain_hash(entry.seq, _content_of(entry), entry.prev_hash)
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


@dataclass(slots=True)
class _Link:
    """One stored entry as ``verify`` reads it: its seq, its content (``content``), and the two hashes."""

    seq: int
    content: str
    prev_hash: str
    hash: str


# On PostgreSQL the walk reads the canonical time and the fields as text (no datetime or JSON objects per entry; a
# tenant's trail holds every read of a record, millions of entries). The table's row-level security applies.
_LINKS_SQL = """
SELECT seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'), actor_kind, actor, on_behalf_of,
       action, object_type, object_id, fields_read::text, purpose, request_id, prev_hash, hash
FROM {table} WHERE tenant_id = %s ORDER BY seq
"""


def _links(tenant_id: str) -> Iterator[_Link]:
    db = connections[AuditEntry.objects.db]  # where the ORM reads the entries (the import's own connection there)
    if db.vendor == "postgresql":
        decode = json.JSONDecoder().decode
        with db.chunked_cursor() as cursor:
            cursor.execute(_LINKS_SQL.format(table=db.ops.quote_name(AuditEntry._meta.db_table)), [tenant_id])
            while rows := cursor.fetchmany(5000):
                for seq, at, kind, actor, behalf, action, otype, oid, read, purpose, request, prev, hash_ in rows:
                    body = content(at, kind, actor, behalf, action, otype, oid, decode(read), purpose, request)
                    yield _Link(seq, body, prev, hash_)
        return
    columns = ("seq", "at", "actor_kind", "actor", "on_behalf_of", "action", "object_type", "object_id",
               "fields_read", "purpose", "request_id", "prev_hash", "hash")  # fmt: skip
    entries = AuditEntry.objects.order_by("seq").values_list(*columns).iterator(chunk_size=2000)
    for seq, moment, kind, actor, behalf, action, otype, oid, read, purpose, request, prev, hash_ in entries:
        body = content(canonical_at(moment), kind, actor, behalf, action, otype, oid, read, purpose, request)
        yield _Link(seq, body, prev, hash_)


def verify() -> Verification:
    """Walk the current tenant's chain and report the first altered, removed or inserted entry."""
    tenant_id = current_tenant_id()
    chain_hash = chain_hasher(tenant_id)
    expected_prev = GENESIS_HASH
    expected_seq = 1
    rows = _links(tenant_id)
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
        computed = chain_hash(current.seq, current.content, current.prev_hash)
        if not hmac.compare_digest(computed, current.hash):
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
