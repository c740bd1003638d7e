"""The tables of the exchange format: collected from each app's ``exchange.EXCHANGE`` declaration, plus the
platform's audit trail, with each column's type, length and required-ness read from the model field."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.apps import apps
from django.db import models

from kiban.platform.audit.models import AuditEntry


class EncryptedDecl(Protocol):
    cipher_field: str
    digest_field: str
    crypto_column: str


class DigestInJsonDecl(Protocol):
    json_field: str
    key: str
    via: str
    digest_field: str


@dataclass(frozen=True)
class Column:
    name: str  # header in the file
    kind: str  # id | ref | text | int | date | timestamp | json | bool | uuid | bytes (hex, "\\x" first)
    required: bool
    max_length: int | None = None
    choices: frozenset[str] | None = None
    references: str | None = None  # table name, for kind "ref"
    title: str = ""  # the model field's verbose_name (the Japanese item name)
    check: Callable[[str], object] | None = None
    encrypted: EncryptedDecl | None = None

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.kind, "required": self.required, "title": self.title}
        if self.max_length:
            out["max_length"] = self.max_length
        if self.choices:
            out["enum"] = sorted(self.choices)
        if self.references:
            out["references"] = self.references
        if self.encrypted:
            out["specific_personal_information"] = True
        return out


@dataclass(frozen=True)
class Table:
    name: str
    model: type[models.Model]
    columns: tuple[Column, ...]
    derived: Mapping[str, Callable[[Mapping[str, str]], str]] = field(default_factory=dict)
    digest_in_json: DigestInJsonDecl | None = None
    describes: str = ""
    audit_chain: bool = False  # the audit trail: hashes are recomputed on import, not carried in the file

    @property
    def db_table(self) -> str:
        return self.model._meta.db_table

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def encrypted(self) -> Column | None:
        return next((c for c in self.columns if c.encrypted is not None), None)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


_KINDS: tuple[tuple[type[models.Field], str], ...] = (
    (models.AutoField, "id"),
    (models.BigAutoField, "id"),
    (models.ForeignKey, "ref"),
    (models.BooleanField, "bool"),
    (models.DateTimeField, "timestamp"),
    (models.DateField, "date"),
    (models.JSONField, "json"),
    (models.IntegerField, "int"),
    (models.BigIntegerField, "int"),
    (models.PositiveIntegerField, "int"),
    (models.CharField, "text"),
    (models.TextField, "text"),
    (models.UUIDField, "uuid"),
    (models.BinaryField, "bytes"),  # a 全銀 file kept as it was sent: hex, as PostgreSQL writes bytea
)


def _kind(f: models.Field) -> str:
    for cls, kind in _KINDS:
        if isinstance(f, cls):
            return kind
    raise TypeError(f"{f.model.__name__}.{f.name}: no exchange type for {type(f).__name__}")


def _column(
    model: type[models.Model], name: str, decl: Any, tables_by_model: Mapping[type[models.Model], str]
) -> Column:
    encrypted = (getattr(decl, "encrypted", None) or {}).get(name)
    check = (getattr(decl, "checks", None) or {}).get(name)
    if encrypted is not None:
        title = str(getattr(model._meta.get_field(encrypted.cipher_field), "verbose_name", name))
        return Column(name, "text", False, None, None, None, title.replace(" (暗号化)", ""), check, encrypted)
    f = next(x for x in model._meta.concrete_fields if x.attname == name)
    kind = _kind(f)
    references: str | None
    if kind == "ref":
        assert isinstance(f, models.ForeignKey)
        references = tables_by_model[f.related_model]  # type: ignore[index]
    else:
        references = (getattr(decl, "refers_to", None) or {}).get(name)  # another app's id held as a number
        if references is not None and (kind != "int" or references not in tables_by_model.values()):
            raise ValueError(f"{decl.name}.{name}: refers_to needs an integer column and an exchanged table")
    required = not (f.null or f.blank)
    choices = frozenset(str(v) for v, _ in f.choices) if f.choices else None
    max_length = getattr(f, "max_length", None) if kind == "text" else None
    return Column(name, kind, required, max_length, choices, references, str(f.verbose_name), check)


def _build(decl: Any, tables_by_model: Mapping[type[models.Model], str], audit_chain: bool = False) -> Table:
    columns = tuple(_column(decl.model, name, decl, tables_by_model) for name in decl.columns)
    table = Table(
        decl.name, decl.model, columns, dict(getattr(decl, "derived", {}) or {}),
        getattr(decl, "digest_in_json", None), getattr(decl, "describes", ""), audit_chain,
    )  # fmt: skip
    enc = [i for i, c in enumerate(columns) if c.encrypted is not None]
    if enc and enc != [len(columns) - 1]:
        raise ValueError(f"{decl.name}: an encrypted column must be the last column of the file")
    if not columns or columns[0].kind != "id":
        raise ValueError(f"{decl.name}: the first column must be the id")
    return table


@dataclass(frozen=True)
class _AuditDecl:
    """The platform's audit trail (kiban.platform.audit). ``prev_hash`` and ``hash`` are not in the file: they are
    an HMAC under the exporting platform's secret audit key, meaningless to any other platform; the manifest
    carries the chain's head instead, and the import rebuilds the chain under the target's key."""

    name: str = "audit_entries"
    model: type[models.Model] = AuditEntry
    columns: tuple[str, ...] = (
        "id", "seq", "at", "actor_kind", "actor", "on_behalf_of", "action", "object_type", "object_id",
        "fields_read", "purpose", "request_id",
    )  # fmt: skip


def exchanged_tables() -> list[Table]:
    """Every exchanged table, in load order: each app's declaration (apps in INSTALLED_APPS order), then audit."""
    decls: list[Any] = []
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.exchange")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.exchange":
                raise
            continue
        decls.extend(getattr(module, "EXCHANGE", ()))
    tables_by_model = {d.model: d.name for d in decls}
    tables = [_build(d, tables_by_model) for d in decls]
    tables.append(_build(_AuditDecl(), tables_by_model, audit_chain=True))
    names = [t.name for t in tables]
    if len(set(names)) != len(names):
        raise ValueError(f"two apps declare the same exchange table name: {names}")
    return tables


# Tenant tables that are deliberately not in the files (docs/migration/exchange.md, "Not in the files").
NOT_EXCHANGED: Mapping[str, str] = {
    "audit.AuditChainHead": "the chain's head: the import rebuilds the chain and its head",
    "events.Event": "the outbox and change feed: delivery state of the old platform",
    "events.Subscription": "webhook subscriptions: each vendor subscribes again on the new platform",
    "events.Delivery": "delivery state of the old platform",
    "events.ChannelMessage": "messages between municipalities in flight on the old platform",
    "crypto.TenantDataKey": "the tenant's data keys never leave the platform",
    "batch.Schedule": "batch schedules (標準仕様書 9.1) name this implementation's jobs and parameters, which are not "
    "in the standard's data requirements (基本データリスト) and mean nothing to another vendor's system; the "
    "municipality sets its schedules up again there",
    "batch.Run": "the run log (標準仕様書 9.1) is the old platform's operation record (its hosts, durations, error "
    "codes): kept with the old platform's records, not taken over as the new one's",
    "residents.Seal": "the electronic seal's private key: the new platform issues its own seal",
    "residents.SearchHistory": "each staff user's recent search conditions (標準仕様書 2.1.1): tied to the "
    "platform's user accounts, which do not move; users start with none on the new platform",
    "residents.HiddenItems": "the items hidden from each staff user (標準仕様書 10.4): tied to the platform's user "
    "accounts, which do not move; set again for the new platform's users",
}

# Tenant tables that would hold the municipality's records but are not in the files yet: a gap, to be closed before a
# municipality switches (none since format 3). The export counts their rows, says so, and writes the counts into the
# manifest (docs/migration/exchange.md, "Not in the files").
NOT_YET_EXCHANGED: Mapping[str, str] = {}  # none since format 3 (2026-11-29)


def not_yet_exchanged() -> list[type[models.Model]]:
    """The models of ``NOT_YET_EXCHANGED``, in that order."""
    return [apps.get_model(label) for label in NOT_YET_EXCHANGED]


def by_name(tables: Sequence[Table]) -> dict[str, Table]:
    return {t.name: t for t in tables}
