"""The standard exchange format: a municipality's data out of one system and into another (データ移行).

A directory of UTF-8 CSV files, one per table, with ``manifest.json`` (format version, tenant, time, row counts,
SHA-256 of every file, column descriptions) and the standard's JSON Schemas under ``schemas/``. Which tables and
columns go in is declared by each app in its ``exchange.py``; the format is described in docs/migration/exchange.md.
"""

from .exporter import ExportResult, export_tenant
from .files import FORMAT, FORMAT_VERSION
from .importer import ImportRefused, ImportResult, LoadFailed, import_tenant
from .tables import exchanged_tables
from .validator import Report, validate

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "ExportResult",
    "ImportRefused",
    "ImportResult",
    "LoadFailed",
    "Report",
    "exchanged_tables",
    "export_tenant",
    "import_tenant",
    "validate",
]
