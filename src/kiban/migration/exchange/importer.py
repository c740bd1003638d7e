"""``kiban import``: validate an exchange directory, then load it into one tenant with COPY, in one transaction.

Order of work:

1. ``validate_manifest`` checks the manifest; then the mode decides about a target that already holds registry
   data: ``refuse`` (the default) stops, ``merge`` adds the files' rows beside the tenant's (an id the tenant
   already holds is an error on its line), ``replace`` empties the tenant's registry first, in the load
   transaction, and is refused if the tenant holds rows the database keeps forever (append-only history and
   procedures). Its audit trail may already hold entries the platform wrote (e.g. subscriptions made when the
   tenant was provisioned): the imported entries are appended after them, their ``seq`` shifted by that many.
2. ``validate_files`` reads every file (hashes, headers, values, references) in a second (forked) process while
   this one loads: one transaction in the tenant's context loads every table with ``COPY … FROM STDIN`` into a
   staging table and ``INSERT … SELECT`` (row-level security), keeping the original ids, re-encrypting the 個人番号
   under the target's key and rebuilding the audit chain under this platform's key. The re-encryption and the
   chain run in threads from the start (``_Ahead``) while the tables that need no Python work load (``_load_plan``).
3. Only if validation reported no error: the id sequences are moved past the largest imported id (as the owner
   role: the application role may only use sequences; not transactional, so a crash after it costs nothing but
   unused ids), the foreign keys are checked (below), the chain is verified with
   ``kiban.platform.audit.services.verify`` and the transaction commits. Otherwise it rolls back and the result
   carries the validation report. A crash (even ``kill -9``) anywhere before the commit leaves nothing behind; a
   rerun then does one clean import (tested).

The load runs on its own connection as the import role (alias ``import``, kiban.platform.tenants.grants) unless
the caller already holds a transaction on ``default`` (the import then joins it: it must see the caller's
uncommitted rows). The import role may switch off the foreign key triggers for its transaction
(``session_replication_role = replica``): when the tenant held no registry rows before (nothing the imported rows
refer to can be changed by another transaction meanwhile; the tenant's own row is locked as the triggers would),
every foreign key of the loaded tables is then checked once, set-based, before the commit (``_check_references``),
instead of row by row at the commit (about 28 s of a million-resident import). Otherwise (merge into a registry,
no such role) the deferred constraints are checked as usual.

Each file is hashed again while it is loaded and the load aborts if it changed since it was validated. A
uniqueness violation found by the database (住民票コード, 個人番号, …) is reported with the file's line numbers of the
rows involved (``_duplicates``), found in the staging table after rolling back to a savepoint.
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import hashlib
import json
import multiprocessing
import os
import re
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from psycopg import errors as pg_errors

from kiban.platform.audit import services as audit
from kiban.platform.audit.models import GENESIS_HASH, AuditChainHead
from kiban.platform.tenants.checks import copy_role_problems
from kiban.platform.tenants.context import tenant_context
from kiban.platform.tenants.models import Tenant
from kiban.platform.tenants.routers import routed_to

from .crypto import TenantCipher
from .files import CHUNK, file_chunks, records
from .tables import Table, by_name, exchanged_tables
from .validator import IdRuns, Report, validate, validate_files, validate_manifest

IMPORT_ALIAS = "import"  # the import role's connection (settings.IMPORT_DB_USER)
MODES = ("refuse", "merge", "replace")  # what to do with a target that already holds data: docs/migration/exchange.md
# Test hook for the kill -9 tests: "<table>" stops for a minute after that table's load, "<table>:copy" in the
# middle of its COPY (after the first row was sent); a line "loaded <table>" / "copying <table>" says when.
PAUSE_ENV = "KIBAN_EXCHANGE_TEST_PAUSE"
# "1": validate the files in this process before loading (no second process), e.g. where fork is unavailable.
INLINE_ENV = "KIBAN_EXCHANGE_VALIDATE_INLINE"


def _test_pause(point: str) -> None:
    if os.environ.get(PAUSE_ENV) == point:
        print(point.replace(":copy", "").join(("copying " if ":copy" in point else "loaded ", "")), flush=True)
        time.sleep(60)


class ImportRefused(Exception):
    """The import cannot start: unknown mode or tenant, a tenant with data (refuse), or one whose data cannot be
    replaced (replace); nothing was written."""


class LoadFailed(Exception):
    """The database refused the load (e.g. a duplicate 住民票コード, named by file and line); nothing was written."""


@dataclass
class ImportResult:
    report: Report
    loaded: bool = False
    rows: dict[str, int] = field(default_factory=dict)
    audit: str = ""
    seconds: float = 0.0
    references: str = ""  # how the foreign keys were checked: "set-based" or "row by row"
    copied: dict[str, str] = field(default_factory=dict)  # per table: "straight" (the copy role) or "staged"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quoted(value: str) -> bytes:
    return b'"' + value.replace('"', '""').encode() + b'"'


def existing_rows(code: str, tables: list[Table], using: str = "default") -> dict[str, int]:
    """Rows the tenant already has in each exchanged table (only the non-empty ones)."""
    found = {}
    with tenant_context(code, using=using), connections[using].cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {_q(table.db_table)} WHERE tenant_id = %s", [code])
            (count,) = cursor.fetchone()
            if count:
                found[table.name] = count
    return found


def held_ids(code: str, tables: list[Table]) -> dict[str, IdRuns]:
    """The ids the tenant already holds, per non-empty table, as runs of consecutive ids (the validator checks the
    files' ids and references against them)."""
    assert code.isdigit(), code  # a provisioned tenant's code: six digits
    held: dict[str, IdRuns] = {}
    counts = existing_rows(code, tables)
    connection = connections["default"]
    with tenant_context(code), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg cursor, for COPY
        for table in tables:
            if table.name not in counts:
                continue
            ids = IdRuns()
            sql = f"COPY (SELECT id FROM {_q(table.db_table)} WHERE tenant_id = '{code}' ORDER BY id) TO STDOUT"
            with cursor.copy(sql) as copy:
                for block in copy:
                    for value in bytes(block).split():
                        ids.add(int(value))
            held[table.name] = ids
    return held


def append_only(tables: list[Table], using: str = "default") -> list[Table]:
    """The tables whose rows the database will not let the application delete (no DELETE privilege, or a trigger
    refusing it): the registry's history and procedures, kept for 150 years."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c WHERE c.oid = ANY(%s::regclass[]) AND (NOT has_table_privilege(c.oid, "
            "'DELETE') OR EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid AND NOT g.tgisinternal "
            "AND g.tgtype & 8 <> 0))",
            [[t.db_table for t in tables]],
        )
        kept = {name for (name,) in cursor.fetchall()}
    return [t for t in tables if t.db_table in kept]


def _bump_sequences(tables: list[Table], facts: dict[str, int]) -> None:
    alias = "owner" if "owner" in connections.databases else "default"
    with connections[alias].cursor() as cursor:
        for table in tables:
            max_id = facts.get(table.name, 0)
            if not max_id:
                continue
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table.db_table])
            (sequence,) = cursor.fetchone()
            cursor.execute(
                f"SELECT setval(%s::regclass, GREATEST(%s, (SELECT last_value FROM {sequence})))", [sequence, max_id]
            )


class _HashCheck:
    """Hash a file's bytes as they are streamed, to catch a file changed between validation and load."""

    def __init__(self, path: Path, expected: str) -> None:
        self.path, self.expected, self.h = path, expected, hashlib.sha256()

    def chunks(self) -> Iterator[bytes]:
        for chunk in file_chunks(self.path):
            self.h.update(chunk)
            yield chunk

    def check(self) -> None:
        if self.h.hexdigest() != self.expected:
            raise LoadFailed(f"{self.path.name}: changed since it was validated")


def _body(records_iter: Iterator[bytes]) -> Iterator[bytes]:
    next(records_iter, None)  # the header
    yield from records_iter


class _Row(Mapping[str, str]):
    """One CSV record read as far as its columns are asked for. The residents' derived search keys need only the
    names, the 6th to 9th of 29 columns: the part of the record before its first quote is split at its commas, all
    of them separators there (PostgreSQL's CSV quotes a field only for a delimiter, quote, line break or the empty
    string), once; a column that does not end before that quote is read by parsing the record whole with ``csv``,
    once. Parsing every record whole cost the importer's residents thread about 4.5 s of a million
    (``bench/README.md``, seventh session)."""

    __slots__ = ("fields", "header", "index", "pieces", "quoted", "record")

    def __init__(self, record: bytes, header: Sequence[str], index: Mapping[str, int]) -> None:
        self.record, self.header, self.index = record, header, index
        self.fields: list[str] | None = None
        self.pieces: list[bytes] | None = None
        self.quoted = False

    def __getitem__(self, key: str) -> str:
        i = self.index[key]
        if self.fields is None:
            if self.pieces is None:
                quote = self.record.find(b'"')
                self.quoted = quote >= 0
                self.pieces = (self.record[:quote] if self.quoted else self.record).split(b",")
            # Before a quote a field is whole only if a comma follows it; without any quote every field is whole.
            if i < len(self.pieces) - (1 if self.quoted else 0):
                return self.pieces[i].decode()
            self.fields = next(csv.reader([self.record.decode()]))
        return self.fields[i]

    def __iter__(self) -> Iterator[str]:
        return iter(self.header)

    def __len__(self) -> int:
        return len(self.header)


class _Reading(Mapping[str, str]):
    """A row that notes which columns a derived column's function reads."""

    def __init__(self, row: Mapping[str, str]) -> None:
        self.row = row
        self.read: list[str] = []

    def __getitem__(self, key: str) -> str:
        self.read.append(key)
        return self.row[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.row)

    def __len__(self) -> int:
        return len(self.row)


class _Remembered:
    """A derived column's function with its results remembered by the values it read (names repeat: a million
    residents have far fewer distinct names). The columns read are noted on the first call; if a later call reads
    others the function is simply called every time from then on."""

    LIMIT = 200_000

    def __init__(self, fn: Callable[[Mapping[str, str]], str]) -> None:
        self.fn = fn
        self.keys: tuple[str, ...] | None = None
        self.cache: dict[tuple[str, ...], str] | None = {}

    def __call__(self, row: Mapping[str, str]) -> str:
        if self.cache is None:
            return self.fn(row)
        if self.keys is not None:
            key = tuple([row[k] for k in self.keys])
            hit = self.cache.get(key)
            if hit is not None:
                return hit
        reading = _Reading(row)
        value = self.fn(reading)
        if self.keys is None:
            self.keys = tuple(dict.fromkeys(reading.read))
        elif tuple(dict.fromkeys(reading.read)) != self.keys:
            self.cache = None
            return value
        if len(self.cache) >= self.LIMIT:
            self.cache.clear()
        self.cache[tuple([row[k] for k in self.keys])] = value
        return value


def _encrypting(table: Table, hashing: _HashCheck, cipher: TenantCipher) -> Iterator[bytes]:
    header = table.header
    index = {name: i for i, name in enumerate(header)}
    derived = [(name, _Remembered(fn)) for name, fn in table.derived.items()]
    for record in _body(records(hashing.chunks())):
        head, _, number = record[:-1].rpartition(b",")
        if number:
            plain = number.decode("ascii")
            secret = b"\\x" + cipher.encrypt(plain).hex().encode() + b"," + cipher.digest(plain).encode()
        else:
            secret = b',""'
        extra = b""
        if derived:
            row = _Row(record[:-1], header, index)
            extra = b"".join(b"," + _quoted(fn(row)) for _, fn in derived)
        yield head + b"," + secret + extra + b"\n"


# An entry's time as ``audit.canonical_at`` writes it (the validator has checked that it is a valid timestamp).
_CANONICAL_AT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}\+00:00")


class _Chain:
    """Rebuilds the audit chain for the target tenant, and recomputes the source's to compare with the manifest."""

    def __init__(self, source: str, target: str) -> None:
        self.source, self.target = source, target
        self.source_prev = self.target_prev = GENESIS_HASH
        self.last_seq = 0
        self.offset = 0  # entries the target already has (written by the platform, e.g. at provisioning)
        self._decode = json.JSONDecoder().decode
        self._source_hash, self._target_hash = audit.chain_hasher(source), audit.chain_hasher(target)

    def start_after(self, last_seq: int, last_hash: str) -> None:
        self.offset, self.target_prev = last_seq, last_hash

    def link(self, row: list[str]) -> bytes:
        (_id, seq, at, actor_kind, actor, behalf, action, otype, oid, fields_read, purpose, request_id) = row
        number = int(seq)
        if number != self.last_seq + 1:
            raise LoadFailed(f"audit_entries.csv: entry {seq} follows entry {self.last_seq} (the chain has a gap)")
        self.last_seq = number
        # Encoded once for both chains: only the tenant, the seq and the previous hash differ.
        if not _CANONICAL_AT.fullmatch(at):  # an export writes it so; anything else is parsed (the database does)
            at = audit.canonical_at(datetime.fromisoformat(at))
        read = self._decode(fields_read)
        body = audit.content(at, actor_kind, actor, behalf, action, otype, oid, read, purpose, request_id)
        self.source_prev = self._source_hash(number, body, self.source_prev)
        prev = self.target_prev
        if self.source == self.target and not self.offset:
            target_hash = self.source_prev
        else:
            target_hash = self._target_hash(number + self.offset, body, prev)
        self.target_prev = target_hash
        return b',"' + prev.encode() + b'","' + target_hash.encode() + b'"'


class _Ahead:
    """A table's staging rows computed by a thread while the connection loads the tables before it: the encrypted
    tables' (``_encrypting``) and the audit trail's (``_chaining``).

    Re-encrypting the 個人番号 and deriving the search keys is the importer's Python (about 20 s of a million
    residents on this machine), and so is rebuilding the audit chain (two HMACs per entry, about 60 µs); streamed
    into the COPY they kept the one database backend waiting. Computed ahead into a temporary file they overlap
    with the other tables' loads, and the COPY reads the file at the backend's speed. The file is unnamed
    (``tempfile.TemporaryFile``: gone with the process, also after ``kill -9``) and holds what the staging table
    would: the ciphertext, never the plaintext number.
    """

    def __init__(self, name: str, hashing: _HashCheck, rows: Iterator[bytes]) -> None:
        self.hashing = hashing
        self.file = tempfile.TemporaryFile(prefix="kiban-import-")
        self.error: BaseException | None = None
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._write, args=(rows,), name=f"kiban-import-{name}", daemon=True)
        self.thread.start()

    @classmethod
    def start(cls, table: Table, directory: Path, report: Report, chain: _Chain) -> _Ahead:
        """The thread of ``table`` (encrypted or the audit trail); the keys are read here, before it starts."""
        hashing = _hash_check(table, directory, report)
        rows = _chaining(hashing, chain) if table.audit_chain else _encrypting(table, hashing, _cipher(table))
        return cls(table.name, hashing, rows)

    def _write(self, rows: Iterator[bytes]) -> None:
        try:
            for block in _blocks(rows):
                if self.stopped.is_set():
                    return
                self.file.write(block)
        except BaseException as exc:  # raised again where the rows are read (``chunks``)
            self.error = exc

    def chunks(self) -> Iterator[bytes]:
        self.thread.join()
        if self.error is not None:
            raise self.error
        self.file.seek(0)
        while block := self.file.read(CHUNK):
            yield block

    def close(self) -> None:
        self.stopped.set()
        self.thread.join()
        self.file.close()


def _chaining(hashing: _HashCheck, chain: _Chain) -> Iterator[bytes]:
    for record in _body(records(hashing.chunks())):
        row = next(csv.reader([record.decode()]))
        yield record[:-1] + chain.link(row) + b"\n"


def _blocks(pieces: Iterator[bytes]) -> Iterator[bytes]:
    """The pieces (rows, file chunks) joined into blocks of about ``CHUNK`` bytes: one write each."""
    buffer: list[bytes] = []
    size = 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK:
            yield b"".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield b"".join(buffer)


def _copy(cursor: Any, sql: str, data: Iterator[bytes], table: str = "") -> None:
    with cursor.copy(sql) as copy:
        if os.environ.get(PAUSE_ENV) == f"{table}:copy":
            copy.write(next(data, b""))
            _test_pause(f"{table}:copy")
        for block in _blocks(data):
            copy.write(block)


STAGE = "kiban_exchange_stage"


def _hash_check(table: Table, directory: Path, report: Report) -> _HashCheck:
    return _HashCheck(directory / table.file, report.manifest["tables"][table.name]["sha256"])


def _cipher(table: Table) -> TenantCipher:
    """The target tenant's cipher of an encrypted table, its keys loaded (it queries: before any COPY starts)."""
    enc = table.encrypted.encrypted if table.encrypted is not None else None
    assert enc is not None
    cipher = TenantCipher(enc.crypto_column)
    cipher.prepare_for_writing()
    return cipher


@dataclass
class _Staged:
    """A file copied into its temporary staging table, waiting for its INSERT."""

    table: Table
    path: Path
    name: str  # of the staging table
    columns: list[str]


def _stage(
    cursor: Any, table: Table, directory: Path, report: Report, chain: _Chain, ahead: _Ahead | None = None
) -> _Staged:
    """COPY the file into a temporary staging table (its own, so that several can wait for their INSERT).

    PostgreSQL refuses ``COPY FROM`` into a table under row-level security ("COPY FROM not supported with
    row-level security"), and the application role is under it; the INSERT (``_insert``) is checked by the policy,
    so a row can only land in the tenant of the context. The staging table has no index, constraint or policy.
    ``ahead``: an encrypted table's staging rows, computed ahead by a thread.
    """
    hashing, staged, data, header = _source(table, directory, report, chain, ahead)
    cols = ", ".join(_q(n) for n in staged)
    stage = _q(f"{STAGE}_{table.name}")
    cursor.execute(f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS SELECT {cols} FROM {_q(table.db_table)} WITH NO DATA")
    _copy(cursor, f"COPY {stage} ({cols}) FROM STDIN WITH (FORMAT csv, {header})", data, table.name)
    hashing.check()
    return _Staged(table, directory / table.file, stage, staged)


def _source(
    table: Table, directory: Path, report: Report, chain: _Chain, ahead: _Ahead | None
) -> tuple[_HashCheck, list[str], Iterator[bytes], str]:
    """What a table's COPY reads: its hash check, the columns, the data and the COPY's HEADER option."""
    hashing = ahead.hashing if ahead is not None else _hash_check(table, directory, report)
    names = [c.name for c in table.columns if c.encrypted is None]
    data: Iterator[bytes]
    header = "HEADER"
    if table.encrypted is not None:
        enc = table.encrypted.encrypted
        assert enc is not None
        staged = [*names, enc.cipher_field, enc.digest_field, *table.derived]
        data = ahead.chunks() if ahead is not None else _encrypting(table, hashing, _cipher(table))
        header = "HEADER false"
    elif table.audit_chain:
        staged = [*names, "prev_hash", "hash"]
        data = ahead.chunks() if ahead is not None else _chaining(hashing, chain)
        header = "HEADER false"
    else:
        staged = names
        data = hashing.chunks()
    return hashing, staged, data, header


def _straight(
    cursor: Any,
    table: Table,
    directory: Path,
    report: Report,
    chain: _Chain,
    ahead: _Ahead | None,
    *,
    code: str,
    role: str,
) -> int:
    """COPY the file straight into the tenant's table as the import's copy role; the number of rows written.

    The copy role (kiban.platform.tenants.grants) has BYPASSRLS, so PostgreSQL allows the COPY, and nothing but
    INSERT on the columns other than ``tenant_id``, which takes the transaction's tenant setting as its default: the
    rows land in the tenant of the context, as the INSERT under the policy would put them, written once instead of
    twice. The role is set for the COPY only, inside a savepoint. A uniqueness violation is rolled back and the
    table loaded again through staging, whose INSERT names the file's lines involved (``_insert``)."""
    hashing, columns, data, header = _source(table, directory, report, chain, ahead)
    cols = ", ".join(_q(n) for n in columns)
    cursor.execute("SAVEPOINT kiban_exchange_copy")
    cursor.execute(f"SET LOCAL ROLE {_q(role)}")
    try:
        _copy(cursor, f"COPY {_q(table.db_table)} ({cols}) FROM STDIN WITH (FORMAT csv, {header})", data, table.name)
    except pg_errors.UniqueViolation:
        cursor.execute("ROLLBACK TO SAVEPOINT kiban_exchange_copy")  # the role's SET LOCAL with it
        return _insert(cursor, _stage(cursor, table, directory, report, chain, ahead), code, chain)
    rows = int(cursor.rowcount)
    cursor.execute("RESET ROLE")
    cursor.execute("RELEASE SAVEPOINT kiban_exchange_copy")
    hashing.check()
    return rows


def _insert(cursor: Any, staging: _Staged, code: str, chain: _Chain) -> int:
    """INSERT … SELECT the staged rows into the tenant's table; the number of rows inserted."""
    table, path, stage, staged = staging.table, staging.path, staging.name, staging.columns
    cols = ", ".join(_q(n) for n in staged)
    joins = ""
    select = [f"s.{_q(n)}" for n in staged]
    params = [code]
    if table.audit_chain and chain.offset:
        select[staged.index("seq")] = f"s.seq + {int(chain.offset)}"
    if table.digest_in_json is not None:
        d = table.digest_in_json
        ref = by_name(exchanged_tables())[table.column(d.via).references or ""]
        j, key = _q(d.json_field), d.key.replace("'", "''")
        select[staged.index(d.json_field)] = (
            f"CASE WHEN s.{j} ->> '{key}' = 'current' "
            f"THEN jsonb_set(s.{j}, '{{{key}}}', to_jsonb(r.{_q(d.digest_field)})) ELSE s.{j} END"
        )
        joins = f" LEFT JOIN {_q(ref.db_table)} r ON r.tenant_id = %s AND r.id = s.{_q(d.via)}"
        params.append(code)
    # A savepoint (one per table; no cost measurable here) so that a uniqueness violation can be traced to its lines.
    cursor.execute("SAVEPOINT kiban_exchange_insert")
    insert = f"INSERT INTO {_q(table.db_table)} (tenant_id, {cols}) SELECT %s, {', '.join(select)} FROM {stage} s"
    try:
        cursor.execute(insert + joins, params)
    except pg_errors.UniqueViolation as exc:
        cursor.execute("ROLLBACK TO SAVEPOINT kiban_exchange_insert")
        named = ", ".join(f"{expr} AS {_q(name)}" for expr, name in zip(select, staged, strict=True))
        numbered = f"SELECT row_number() OVER (ORDER BY s.ctid) AS n, {named} FROM {stage} s{joins}"
        constraint = exc.diag.constraint_name or ""
        try:
            found = _duplicates(cursor, table, path, staged, (numbered, params[1:]), code, constraint)
        except Exception:  # finding the lines failed: the database's own message still says what is wrong
            found = []
        if not found:
            raise LoadFailed(f"{table.file}: the database refused the load: {exc}") from exc
        raise LoadFailed("\n".join(found)) from exc
    rows = int(cursor.rowcount)
    cursor.execute("RELEASE SAVEPOINT kiban_exchange_insert")
    cursor.execute(f"DROP TABLE {stage}")
    return rows


def _duplicates(
    cursor: Any,
    table: Table,
    path: Path,
    staged: list[str],
    staged_rows: tuple[str, list[str]],
    code: str,
    constraint: str,
) -> list[str]:
    """``file:line`` of the rows that break unique ``constraint``: rows of the file that repeat a key of an earlier
    row, and rows whose key the tenant already holds (merge). The staging table holds the rows in file order (one
    COPY into a fresh table: physical order is record order); the index's own columns and predicate say which rows
    clash. The 個人番号's digest is named, never shown."""
    cursor.execute(
        "SELECT array(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(num, o) "
        "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.num ORDER BY k.o), "
        "pg_get_expr(i.indpred, i.indrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE c.relname = %s AND i.indrelid = %s::regclass",
        [constraint, table.db_table],
    )
    found = cursor.fetchone()
    if found is None:
        return []
    staged_sql, params = staged_rows
    key = [c for c in found[0] if c != "tenant_id"]
    if not key or any(c not in staged for c in key):
        return []
    predicate = f"({found[1]})" if found[1] else "true"
    cols = ", ".join(f"{_q(c)}::text" for c in key)
    not_null = " AND ".join(f"{_q(c)} IS NOT NULL" for c in key)
    cursor.execute(
        f"WITH s AS ({staged_sql}) SELECT array_agg(n ORDER BY n), {cols} FROM s WHERE {predicate} AND {not_null} "
        f"GROUP BY {', '.join(_q(c) for c in key)} HAVING count(*) > 1 ORDER BY min(n) LIMIT 20",
        params,
    )
    repeated = cursor.fetchall()
    same = " AND ".join(f"t.{_q(c)} = s.{_q(c)}" for c in key)
    cursor.execute(
        f"WITH s AS ({staged_sql}) SELECT ARRAY[n], {cols} FROM s WHERE {predicate} AND EXISTS (SELECT 1 FROM "
        f"{_q(table.db_table)} t WHERE t.tenant_id = %s AND {same} AND {predicate}) ORDER BY n LIMIT 20",
        [*params, code],
    )
    held = cursor.fetchall()
    lines = _line_numbers(path, {n for ns, *_ in (*repeated, *held) for n in ns})
    secret = table.encrypted.encrypted.digest_field if table.encrypted and table.encrypted.encrypted else None
    shown = table.encrypted.name if table.encrypted else ""

    def described(values: tuple[str, ...]) -> str:
        return ", ".join(shown if c == secret else f"{c} {v}" for c, v in zip(key, values, strict=True))

    out: list[str] = []
    for ordinals, *values in repeated:
        first = lines[ordinals[0]]
        out.extend(
            f"{table.file}:{lines[n]}: {described(tuple(values))} is also on line {first} ({constraint})"
            for n in ordinals[1:]
        )
    out.extend(
        f"{table.file}:{lines[n]}: {described(tuple(values))} is already held by tenant {code} ({constraint})"
        for (n,), *values in held
    )
    return sorted(out, key=lambda m: int(m.split(":")[1]))


def _line_numbers(path: Path, ordinals: set[int]) -> dict[int, int]:
    """The line of each record number (1 = the first record after the header): records may span lines."""
    out, line = {}, 2
    for n, record in enumerate(_body(records(file_chunks(path))), start=1):
        if n in ordinals:
            out[n] = line
            if len(out) == len(ordinals):
                break
        line += record.count(b"\n")
    return out


def _empty(code: str, registry: list[Table], using: str, held: dict[str, int]) -> None:
    """``--mode replace``: delete the tenant's registry rows (none of them append-only: checked), in the load's
    transaction, tables referring to others first. Another record still referring to a row (e.g. a certificate
    issued for a resident) makes the database refuse, and the import fails with nothing changed. ``held``: the rows
    the tenant holds per table (``existing_rows``)."""
    with connections[using].cursor() as cursor:
        for table in reversed([t for t in registry if t.name in held]):
            try:
                cursor.execute(f"DELETE FROM {_q(table.db_table)} WHERE tenant_id = %s", [code])
            except DatabaseError as exc:
                raise LoadFailed(f"--mode replace: the tenant's {table.name} cannot be deleted: {exc}") from exc


VALIDATOR_NICENESS = 10  # the validating process's scheduling priority, lowered (``nice``) by this much


def _validate_child(directory: Path, tables: list[Table], report: Report, held: dict[str, IdRuns], send: Any) -> None:
    with contextlib.suppress(Exception):  # Linux: die with the importer (a kill -9 of it must leave nothing running)
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    # Its report is needed only before the commit; the rows the backend waits for (``_Ahead``) come first.
    with contextlib.suppress(OSError):
        os.nice(VALIDATOR_NICENESS)
    try:
        validate_files(directory, tables, report, held)
        send.send((report.errors, report.notes, report.facts))
    except BaseException as exc:  # anything goes back as a validation error
        send.send(([f"validation stopped: {exc!r}"], [], {}))
    finally:
        send.close()


class _Validation:
    """``validate_files`` in a second process (fork), while this one loads into the still-uncommitted transaction.

    The load commits only after ``result()`` reports no error, so an invalid directory still leaves nothing behind;
    the two cores of a small server then validate and load at the same time instead of one after the other.
    """

    def __init__(self, directory: Path, tables: list[Table], report: Report, held: dict[str, IdRuns]) -> None:
        self.report = report
        self.process: Any = None
        methods = multiprocessing.get_all_start_methods()
        if os.environ.get(INLINE_ENV) == "1" or "fork" not in methods:
            validate_files(directory, tables, report, held)
            return
        context = multiprocessing.get_context("fork")
        self.receive, send = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_validate_child,
            args=(directory, tables, report, held, send),
            name="kiban-import-validate",
            daemon=True,
        )
        self.process.start()
        send.close()

    def result(self) -> Report:
        """Wait for the report of the files (merged into the manifest's report)."""
        if self.process is not None:
            try:
                errors, notes, facts = self.receive.recv()
            except EOFError:
                errors, notes, facts = ["validation stopped: the validating process ended without a report"], [], {}
            self.stop()
            self.report.errors.extend(errors)
            self.report.notes.extend(notes)
            self.report.facts.update(facts)
        return self.report

    def stop(self) -> None:
        if self.process is not None:
            if self.process.is_alive() and self.process.exitcode is None:
                with contextlib.suppress(Exception):
                    self.process.join(timeout=0.5)
                if self.process.is_alive():
                    self.process.kill()
            self.process.join()
            self.receive.close()
            self.process = None


def import_tenant(
    code: str,
    directory: Path,
    *,
    mode: str = "refuse",
    dry_run: bool = False,
    on_table: Callable[[str, int], None] | None = None,
) -> ImportResult:
    """Validate ``directory`` and, unless ``dry_run`` or invalid, load it into tenant ``code``."""
    started = time.perf_counter()
    if mode not in MODES:
        raise ImportRefused(f"--mode {mode} is not known (modes: {', '.join(MODES)})")
    if connections["default"].vendor != "postgresql":
        raise ImportRefused("import loads with PostgreSQL COPY; the embedded SQLite default is not supported")
    tables = exchanged_tables()
    known = Tenant.objects.filter(code=code).exists()
    if dry_run:  # against the tenant's ids as the mode would load (replace: as emptied)
        held = held_ids(code, tables) if known and mode != "replace" else {}
        return ImportResult(validate(directory, tables, held))
    report = validate_manifest(directory, tables)
    result = ImportResult(report)
    if not report.ok:
        return result
    if not known:
        raise ImportRefused(f"{code} is not a provisioned tenant")
    registry = [t for t in tables if not t.audit_chain]
    _check_mode(code, mode, registry)
    held = held_ids(code, [t for t in tables if mode != "replace" or t.audit_chain])
    validation = _Validation(directory, tables, report, held)
    try:
        if validation.process is None and not report.ok:
            return result
        _load(code, mode, directory, tables, registry, report, result, validation, on_table)
    finally:
        validation.stop()
    result.seconds = time.perf_counter() - started
    return result


def _check_mode(
    code: str, mode: str, registry: list[Table], using: str = "default", existing: dict[str, int] | None = None
) -> None:
    """Refuse what ``mode`` cannot do with the tenant's current registry data (see docs/migration/exchange.md);
    ``existing``: its rows per table if already counted."""
    existing = existing_rows(code, registry, using) if existing is None else existing
    if not existing or mode == "merge":
        return
    listed = ", ".join(f"{name} {count:,}" for name, count in existing.items())
    if mode == "refuse":
        raise ImportRefused(
            f"tenant {code} already has data ({listed}); --mode refuse (the default) stops here "
            "(--mode merge adds the files beside it, --mode replace empties a registry without history first)"
        )
    kept = [t.name for t in append_only(registry, using) if t.name in existing]
    if kept:
        raise ImportRefused(
            f"tenant {code} already has data ({listed}); --mode replace cannot empty it: {', '.join(kept)} are "
            "append-only (the registry's history and 除票 are kept, never deleted). Use --mode merge, or import into "
            "the tenant before it records any procedure"
        )


def _load_connection() -> tuple[str, bool, str | None]:
    """The alias the load runs on, whether that role may switch off the foreign key triggers for it, and the role
    its COPY may run as to write straight into the tables (None: through staging tables; see ``_straight``). The
    copy role is used only if ``kiban check --deploy`` would find nothing wrong with it."""
    if connections["default"].in_atomic_block or IMPORT_ALIAS not in connections.databases:
        return "default", False, None
    try:
        with connections[IMPORT_ALIAS].cursor() as cursor:
            cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
            (allowed,) = cursor.fetchone()
            cursor.execute(
                "SELECT pg_has_role(current_user, r.oid, 'MEMBER') FROM pg_roles r WHERE r.rolname = %s",
                [settings.IMPORT_COPY_DB_ROLE],
            )
            member = cursor.fetchone()
    except DatabaseError:  # no such role here (e.g. set up by a non-superuser without it): the application's
        connections[IMPORT_ALIAS].close()
        return "default", False, None
    if not allowed:
        return "default", False, None
    usable = member is not None and member[0] and not copy_role_problems(IMPORT_ALIAS)
    return IMPORT_ALIAS, True, settings.IMPORT_COPY_DB_ROLE if usable else None


def _check_references(cursor: Any, tables: list[Table], code: str) -> None:
    """Every foreign key of the loaded tables, checked once per constraint over the tenant's rows (an anti-join,
    which row-level security keeps to the tenant): what the triggers switched off for the load check row by row.
    Raises ``LoadFailed`` naming the file, the values and the constraint of up to five rows per constraint."""
    files = {t.db_table: t.file for t in tables}
    columns = (
        "array(SELECT a.attname::text FROM unnest(c.{0}) WITH ORDINALITY AS k(n, o) JOIN pg_attribute a "
        "ON a.attrelid = c.{1} AND a.attnum = k.n ORDER BY k.o)"
    )
    cursor.execute(
        f"SELECT c.conrelid::regclass::text, c.confrelid::regclass::text, c.conname, "
        f"{columns.format('conkey', 'conrelid')}, {columns.format('confkey', 'confrelid')} "
        "FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid = ANY(%s::regclass[]) ORDER BY 1, 3",
        [list(files)],
    )
    constraints = cursor.fetchall()
    problems: list[str] = []
    # The statistics do not know the rows just loaded (ANALYZE is the owner's): estimating a few thousand, the
    # planner would probe the parent's index once per row (25 s at a million residents, not 4 s).
    cursor.execute("SET LOCAL enable_nestloop = off")
    for child, parent, name, keys, parent_keys in constraints:
        if keys == ["tenant_id"]:  # every row checked below has tenant_id = code: they all refer to that one row
            cursor.execute(f"SELECT 1 FROM {_q(parent)} WHERE {_q(parent_keys[0])} = %s", [code])
            if cursor.fetchone() is not None:
                continue
        shown = [k for k in keys if k != "tenant_id"] or keys
        present = " AND ".join(f"x.{_q(k)} IS NOT NULL" for k in keys)  # MATCH SIMPLE: a null key refers to nothing
        match = " AND ".join(f"p.{_q(pk)} = x.{_q(k)}" for k, pk in zip(keys, parent_keys, strict=True))
        cursor.execute(
            f"SELECT {', '.join(f'x.{_q(k)}::text' for k in shown)} FROM {_q(child)} x WHERE x.tenant_id = %s "
            f"AND {present} AND NOT EXISTS (SELECT 1 FROM {_q(parent)} p WHERE {match}) LIMIT 5",
            [code],
        )
        problems.extend(
            f"{files[child]}: {', '.join(f'{k} {v}' for k, v in zip(shown, row, strict=True))} refers to no "
            f"{parent} row ({name})"
            for row in cursor.fetchall()
        )
    cursor.execute("SET LOCAL enable_nestloop TO DEFAULT")
    if problems:
        raise LoadFailed("references between files do not hold:\n" + "\n".join(problems))


def _straight_allowed(table: Table, chain: _Chain) -> bool:
    """Whether a table's file goes into the table as it stands (``_straight``): not the history, whose snapshots
    get the target's 個人番号 digest by a join, nor an audit trail appended to entries the target already has
    (its ``seq`` shifted)."""
    return table.digest_in_json is None and not (table.audit_chain and chain.offset)


def _load_plan(tables: list[Table]) -> list[tuple[str, Table]]:
    """The steps of the load: ``("load", t)`` (straight, or staged and inserted), ``("stage", t)``, ``("insert", t)``.

    The tables streamed from their files as they are first (households, procedures, …), then the staging COPY of
    the tables whose INSERT needs others loaded before (the history joins the residents for the 個人番号 digest),
    then the encrypted tables, whose rows a thread has computed meanwhile (``_Ahead``), then those INSERTs, the
    audit trail last. All that while the thread re-encrypts, the backend has work. Every foreign key is deferred
    (checked at the commit, or set-based before it), so the order is free otherwise."""
    plain = [t for t in tables if t.encrypted is None and t.digest_in_json is None and not t.audit_chain]
    joining = [t for t in tables if t.digest_in_json is not None]
    encrypted = [t for t in tables if t.encrypted is not None and t not in joining]
    last = [t for t in tables if t not in plain and t not in joining and t not in encrypted]
    return [
        *[("load", t) for t in plain], *[("stage", t) for t in joining], *[("load", t) for t in encrypted],
        *[("insert", t) for t in joining], *[("load", t) for t in last],
    ]  # fmt: skip


def _load(
    code: str,
    mode: str,
    directory: Path,
    tables: list[Table],
    registry: list[Table],
    report: Report,
    result: ImportResult,
    validation: _Validation,
    on_table: Callable[[str, int], None] | None,
) -> None:
    """The load transaction; it commits only if ``validation`` (running meanwhile) finds no error."""
    alias, may_switch_triggers, copy_role = _load_connection()
    source = report.manifest["tenant"]
    chain = _Chain(source, code)
    connection = connections[alias]
    if not connection.in_atomic_block:
        # Staging tables live in temp buffers: give them room (only possible before the session's first temp table).
        with connection.cursor() as cursor, contextlib.suppress(DatabaseError):
            cursor.execute("SET temp_buffers TO '256MB'")
    # sole: the other municipalities' change feeds do not wait for this long transaction.
    with routed_to(alias), tenant_context(code, using=alias, sole=True):  # the ORM's reads and writes too (keys, audit)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"kiban-import:{code}"])
            cursor.execute("SET LOCAL DateStyle TO 'ISO, YMD'")
            cursor.execute("SET LOCAL TimeZone TO 'UTC'")
            # The history's join to the residents just loaded (for the 個人番号 digest) hashes a million rows: let the
            # hash stay in memory (the default 4 MB spills it to temporary files in many batches).
            cursor.execute("SET LOCAL work_mem TO '256MB'")
        existing = existing_rows(code, registry, alias)  # again, under the lock
        if mode == "refuse" and existing:  # a concurrent import won the lock
            raise ImportRefused(f"tenant {code} received data while this import waited; nothing was written")
        if mode == "replace" and existing:
            _check_mode(code, mode, registry, alias, existing)
            _empty(code, registry, alias, existing)
            existing = {}
        # Triggers off only after the emptying (its deletes are checked as usual) and only into an empty registry.
        set_based = may_switch_triggers and not existing
        result.references = "set-based" if set_based else "row by row"
        if set_based:
            with connection.cursor() as cursor:
                # What the triggers' lock would do for every row: the tenant cannot be removed before the commit.
                cursor.execute("SELECT 1 FROM tenants_tenant WHERE code = %s FOR KEY SHARE", [code])
                cursor.execute("SET LOCAL session_replication_role = replica")
        head = AuditChainHead.objects.select_for_update().first()
        if head is not None and head.last_seq:
            chain.start_after(head.last_seq, head.last_hash)
        raw = connection.connection
        assert raw is not None
        with raw.cursor() as cursor, contextlib.ExitStack() as stack:
            # The encrypted tables' and the audit trail's rows are computed by threads from the start (``_Ahead``),
            # and the tables that need no Python work load first, meanwhile (``_load_plan``).
            ahead = {
                t.name: stack.enter_context(contextlib.closing(_Ahead.start(t, directory, report, chain)))
                for t in tables
                if t.encrypted is not None or t.audit_chain
            }
            waiting: dict[str, _Staged] = {}
            for step, table in _load_plan(tables):
                computed = ahead.get(table.name)
                try:
                    if step == "load" and copy_role is not None and _straight_allowed(table, chain):
                        rows = _straight(cursor, table, directory, report, chain, computed, code=code, role=copy_role)
                        result.copied[table.name] = "straight"
                    else:
                        if step != "insert":
                            waiting[table.name] = _stage(cursor, table, directory, report, chain, computed)
                            result.copied[table.name] = "staged"
                        if step == "stage":
                            continue
                        rows = _insert(cursor, waiting.pop(table.name), code, chain)
                except Exception as exc:
                    # The raw psycopg cursor bypasses Django's error tracking: tell the atomic block to roll back.
                    transaction.set_rollback(True, using=alias)
                    if not validation.result().ok:
                        return  # invalid files (the database may stumble on them first): the report says why
                    if isinstance(exc, LoadFailed):
                        raise
                    raise LoadFailed(f"{table.file}: the database refused the load: {exc}") from exc
                result.rows[table.name] = rows
                if on_table is not None:
                    on_table(table.name, rows)
                _test_pause(table.name)
        if not validation.result().ok:
            transaction.set_rollback(True, using=alias)
            result.rows.clear()
            return
        for name, rows in result.rows.items():
            if report.facts[name].rows != rows:
                raise LoadFailed(f"{name}: {rows} rows loaded, {report.facts[name].rows} validated")
        # After validation (writes nothing for an invalid directory), before the commit: a crash between the two
        # costs unused ids only. Sequences are not transactional and belong to the owner role.
        _bump_sequences(tables, {name: f.max_id for name, f in report.facts.items()})
        expected_head = report.manifest.get("audit_chain", {}).get("last_hash", GENESIS_HASH)
        if chain.last_seq:
            AuditChainHead.objects.bulk_create([AuditChainHead(tenant_id=code)], ignore_conflicts=True)
            AuditChainHead.objects.update(last_seq=chain.last_seq + chain.offset, last_hash=chain.target_prev)
        if set_based:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = origin")
                _check_references(cursor, tables, code)
        else:
            try:
                connection.check_constraints()  # deferred composite foreign keys, before the commit
            except Exception as exc:
                transaction.set_rollback(True, using=alias)  # the failed check aborted the transaction
                raise LoadFailed(f"references between files do not hold: {exc}") from exc
        verification = audit.verify()
        if not verification.ok:
            raise LoadFailed(f"the rebuilt audit chain does not verify: {verification.detail}")
        if chain.source_prev == expected_head:
            result.audit = (
                f"audit trail: {verification.entries} entries; the source chain verified against the manifest "
                f"(same platform audit key){'; rebuilt for tenant ' + code if source != code else ''}"
            )
        else:
            result.audit = (
                f"audit trail: {verification.entries} entries re-anchored under this platform's audit key; the source "
                "chain could not be verified here (another platform's key): keep the export directory as its evidence"
            )
        result.loaded = True
