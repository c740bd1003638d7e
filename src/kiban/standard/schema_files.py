"""Writing the standard's JSON Schemas: one file per model, byte-for-byte the same on every run, so that the
copy committed under ``docs/standard/`` can be checked for staleness (``kiban standard schema --out DIR``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .events import EventEnvelope
from .schemas import Address, ChangeRecord, Household, Resident

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SUFFIX = ".schema.json"

# File name stem → model.
MODELS: dict[str, type[BaseModel]] = {
    "address": Address,
    "resident": Resident,
    "household": Household,
    "change_record": ChangeRecord,
    "event_envelope": EventEnvelope,
}


def schema_of(model: type[BaseModel]) -> dict[str, Any]:
    return {"$schema": JSON_SCHEMA_DIALECT, **model.model_json_schema()}


def render(model: type[BaseModel]) -> str:
    return json.dumps(schema_of(model), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def write_schemas(out: Path) -> list[Path]:
    """Write every model's schema into ``out`` and remove schema files of models that no longer exist."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, model in MODELS.items():
        path = out / f"{stem}{SUFFIX}"
        path.write_text(render(model), encoding="utf-8")
        written.append(path)
    for stale in set(out.glob(f"*{SUFFIX}")) - set(written):
        stale.unlink()
    return written
