"""How an app declares what it puts into the standard exchange files (``kiban export`` / ``kiban import``).

Each business app lists its tables in ``<app>.exchange.EXCHANGE``, in load order (a table after the tables it
refers to), with these declarations; ``kiban.migration.exchange.tables`` reads them (apps never import the
migration package, nor each other: the vocabulary lives here, in the platform). The columns are listed in the
order of the CSV file; that order is part of the format and only ever grows at the end of a table. Types, lengths
and required-ness come from the model fields. See ``kiban.apps.residents.exchange`` for ``encrypted``,
``derived``, ``checks`` and ``digest_in_json``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.db import models


@dataclass(frozen=True)
class Encrypted:
    """A file column carrying the plaintext of ``cipher_field`` (with its keyed digest in ``digest_field``)."""

    cipher_field: str
    digest_field: str
    crypto_column: str  # the associated-data name given to kiban.platform.crypto


@dataclass(frozen=True)
class DigestInJson:
    json_field: str
    key: str
    via: str  # the foreign key column naming the row whose digest it is
    digest_field: str


@dataclass(frozen=True)
class ExchangedTable:
    name: str  # file stem: <name>.csv
    model: type[models.Model]
    columns: tuple[str, ...]
    encrypted: Mapping[str, Encrypted] = field(default_factory=dict)
    derived: Mapping[str, Callable[[Mapping[str, str]], str]] = field(default_factory=dict)
    checks: Mapping[str, Callable[[str], object]] = field(default_factory=dict)
    digest_in_json: DigestInJson | None = None
    describes: str = ""  # the standard JSON Schema (docs/standard/<describes>.schema.json) this table holds
    # Columns that hold another table's id as a plain number (no foreign key in the model: another app's rows, which
    # an app may not import), by the exchanged table's name: the validator checks each value like a foreign key's.
    refers_to: Mapping[str, str] = field(default_factory=dict)
