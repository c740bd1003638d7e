"""The exchange directory on disk: manifest, file hashes, and splitting a CSV byte stream into records."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

FORMAT = "kiban-exchange"
FORMAT_VERSION = 5  # 2: residents carry 旧氏 (former_surname, former_surname_kana); 3: issuance records, member orders
# and every app's tables (docs/migration/exchange.md); 4: memos and the 統合記載欄's notes and remarks; 5: 方書マスタ,
# 本人通知 (registrations, requester corrections, notices printed) and the certificates' 枚数 (``sheets``)
MANIFEST = "manifest.json"
SCHEMAS_DIR = "schemas"
CHUNK = 1 << 20


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            h.update(block)
    return h.hexdigest()


def write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    (out / MANIFEST).write_text(text, encoding="utf-8")


def read_manifest(directory: Path) -> dict[str, Any]:
    data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("manifest.json is not a JSON object")
    return data


def records(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Complete CSV records (each ending in ``\\n``) from a byte stream cut anywhere.

    A record spans several lines when a quoted field holds a line break; CSV doubles quotes inside quoted fields,
    so a record is complete when it holds an even number of ``"``.
    """
    pending = b""
    partial = b""
    for chunk in chunks:
        lines = (pending + chunk).split(b"\n")
        pending = lines.pop()
        for line in lines:
            if partial:
                partial += line + b"\n"
                if partial.count(b'"') % 2 == 0:
                    yield partial
                    partial = b""
            elif line.count(b'"') % 2:
                partial = line + b"\n"
            else:
                yield line + b"\n"
    if pending or partial:
        raise ValueError("the CSV stream does not end with a complete record")


def file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            yield block
