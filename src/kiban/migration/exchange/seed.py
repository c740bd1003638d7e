"""Synthetic populations as exchange files: ``kiban seed`` writes them and loads them with the importer, so
seeding takes the fast COPY path and exercises the same code as a real migration.

Mapping of the generator's records (kiban.migration.synthetic) onto the registry's columns:

- ids: household ``household_no`` and person ``person_no`` (1..N); procedures and history numbered in order.
- ``kind``: foreign → ``foreign``, else ``japanese``; ``status`` ``registered`` (the generator makes residents).
- ``nationality``: the generator's Japanese name → ISO 3166-1 numeric (``NATIONALITY_CODES``), as the registry
  stores it (kiban.standard.codes.validate_nationality). A name without a code is an error, not a guess.
- history: each past event of a current member (出生, 転入/国外転入等, 転居) becomes a history entry, with one
  procedure per household, event kind and date; the latest entry's snapshot is the current record. Events of
  former members (who died or moved out, ``person_no`` 0) are not written: they would need 除票 records.
- no audit entries: a seeded population has no past accesses (the audit file has its header only).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from kiban.migration.synthetic import SyntheticHousehold, SyntheticPerson, generate_history
from kiban.standard.codes import ChangeReason

from .files import FORMAT, FORMAT_VERSION, write_manifest
from .tables import Table, exchanged_tables

NATIONALITY_CODES = {
    "中国": "156",
    "ベトナム": "704",
    "韓国": "410",
    "フィリピン": "608",
    "ブラジル": "076",
    "ネパール": "524",
    "インドネシア": "360",
    "ミャンマー": "104",
    "米国": "840",
    "台湾": "158",
}
EVENT_KINDS = {"birth": ChangeReason.BIRTH.value, "move_within": ChangeReason.MOVE_WITHIN.value}
_SPECIAL = frozenset(',"\n\r')


def _field(value: object) -> str:
    """One value as PostgreSQL writes it in CSV: NULL empty, the empty string ``""``, quoted when needed."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, date) else str(value)
    if text == "" or not _SPECIAL.isdisjoint(text):
        return '"' + text.replace('"', '""') + '"'
    return text


class _Writer:
    def __init__(self, out: Path, table: Table) -> None:
        self.table = table
        self.path = out / table.file
        self.file: IO[bytes] = self.path.open("wb")
        self.hash = hashlib.sha256()
        self.rows = 0
        self.max_id = 0
        self.size = 0
        self._write(",".join(table.header) + "\n")

    def _write(self, text: str) -> None:
        data = text.encode()
        self.file.write(data)
        self.hash.update(data)
        self.size += len(data)

    def row(self, values: Sequence[object]) -> None:
        self._write(",".join(map(_field, values)) + "\n")
        self.rows += 1
        self.max_id = int(str(values[0]))

    def entry(self) -> dict[str, Any]:
        self.file.close()
        return {
            "file": self.table.file, "rows": self.rows, "max_id": self.max_id, "bytes": self.size,
            "sha256": self.hash.hexdigest(), "columns": [c.describe() for c in self.table.columns],
        }  # fmt: skip


def _snapshot(p: SyntheticPerson, household_no: int, kind: str) -> dict[str, Any]:
    return {
        "household_id": household_no, "relationship": p.relationship, "kind": kind, "status": "registered",
        "family_name": p.family_name, "given_name": p.given_name, "family_name_kana": p.family_name_kana,
        "given_name_kana": p.given_name_kana, "birth_date": p.birth_date.isoformat(), "sex": p.sex,
        "became_resident_on": p.became_resident_on.isoformat(), "moved_in_on": p.moved_in_on.isoformat(),
        "previous_address": p.previous_address or "", "domicile": p.domicile or "",
        "domicile_head": p.domicile_head or "", "nationality": _nationality(p),
        "residence_status": p.residence_status or "",
        "period_of_stay_until": p.period_of_stay_until.isoformat() if p.period_of_stay_until else None,
        "residence_card_number": p.residence_card_number or "", "alias": p.alias or "", "alias_kana": "",
        "former_surname": "", "former_surname_kana": "",
        "resident_code": p.resident_code, "individual_number_digest": "current" if p.individual_number else "",
        "removed_on": None, "removal_reason": "",
    }  # fmt: skip


def _nationality(p: SyntheticPerson) -> str:
    if not p.foreign or not p.nationality:
        return ""
    try:
        return NATIONALITY_CODES[p.nationality]
    except KeyError:
        raise ValueError(f"no ISO 3166-1 code for the generator's nationality {p.nationality!r}") from None


@dataclass
class SeedFiles:
    directory: Path
    residents: int
    rows: dict[str, int]


def write_population(
    code: str,
    households: Iterable[SyntheticHousehold],
    out: Path,
    seed: int,
    *,
    on_household: Callable[[int], None] | None = None,
) -> SeedFiles:
    """Write the households (and their history) as an exchange directory for tenant ``code``."""
    out.mkdir(parents=True, exist_ok=True)
    tables = {t.name: t for t in exchanged_tables()}
    w = {name: _Writer(out, table) for name, table in tables.items()}
    procedure_id = history_id = 0
    residents = 0
    for h in households:
        persons = {p.person_no: p for p in h.members}
        established = min(p.moved_in_on for p in h.members)
        w["households"].row((h.household_no, h.postal_code, h.address, h.district, h.building or "", established))
        events = [e for e in generate_history(h, seed) if e.person_no in persons]
        seqs: dict[int, int] = {}
        counts: dict[int, int] = {}
        for e in events:
            counts[e.person_no] = counts.get(e.person_no, 0) + 1
        procedures: dict[tuple[str, date], int] = {}
        for e in events:
            p = persons[e.person_no]
            kind = EVENT_KINDS.get(e.kind)
            if kind is None:  # move_in
                foreign_entry = p.foreign and p.previous_address is None
                kind = (ChangeReason.MOVE_IN_FROM_ABROAD if foreign_entry else ChangeReason.MOVE_IN_DOMESTIC).value
            key = (kind, e.effective_on)
            if key not in procedures:
                procedure_id += 1
                procedures[key] = procedure_id
                w["procedures"].row((
                    procedure_id, kind, f"seed-{code}-{seed}-{procedure_id}", e.effective_on, e.notified_on, "[]",
                    "system:seed", json.dumps({"note": e.detail}, ensure_ascii=False), "{}",
                    f"{e.notified_on.isoformat()}T00:00:00.000000+00:00",
                ))  # fmt: skip
            seq = seqs[e.person_no] = seqs.get(e.person_no, 0) + 1
            history_id += 1
            snapshot = _snapshot(p, h.household_no, "foreign" if p.foreign else "japanese")
            w["resident_history"].row((
                history_id, p.person_no, procedures[key], seq, kind, e.effective_on, e.notified_on, h.address,
                h.building or "", json.dumps(snapshot, ensure_ascii=False),
            ))  # fmt: skip
        for p in sorted(h.members, key=lambda m: m.person_no):
            residents += 1
            w["residents"].row((
                p.person_no, h.household_no, p.relationship, "foreign" if p.foreign else "japanese", "registered",
                p.family_name, p.given_name, p.family_name_kana, p.given_name_kana, p.birth_date, p.sex,
                p.became_resident_on, p.moved_in_on, p.previous_address or "", p.domicile or "", p.domicile_head or "",
                _nationality(p), p.residence_status or "", p.period_of_stay_until, p.residence_card_number or "",
                p.alias or "", "", "", "", p.resident_code, None, "", counts.get(p.person_no, 0),
                p.individual_number or None,
            ))  # fmt: skip
        if on_household is not None:
            on_household(len(h.members))
    entries = {name: writer.entry() for name, writer in w.items()}
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "tenant": code, "exported_at": None,
        "exported_by": f"kiban seed (synthetic, seed {seed})", "contains_specific_personal_information": True,
        "encoding": "UTF-8", "tables": entries, "schemas": {},
        "audit_chain": {"entries": 0, "last_seq": 0, "last_hash": "0" * 64},
    }  # fmt: skip
    write_manifest(out, manifest)
    return SeedFiles(out, residents, {name: e["rows"] for name, e in entries.items()})
