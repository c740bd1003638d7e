"""External characters (外字): a municipality's own code points, mapped to standard characters (文字同定).

Legacy systems stored characters outside JIS X 0208 — mostly name variants such as 髙 or 﨑 — in the user-defined
area of CP932 (bytes 0xF040–0xF9FC), which Python's ``cp932`` codec reads as the private use area U+E000–U+E757.
Each municipality filled it differently, so the same code point means different characters in two towns: the
mapping is per municipality, a CSV kept with the migration (sample: docs/migration/samples/gaiji-map.csv).

Columns: ``code_point`` (``U+E000``) and/or ``cp932`` (``F040``) — the same character, checked to agree;
``standard`` — the standard character (empty while identification is pending); ``mj`` — the MJ文字図形名 (e.g.
``MJ028902``) where known; ``suggestion`` — a candidate for a pending row (shown in the review queue, never applied);
``note``.

The target is 行政事務標準文字 (MJ+, built on the MJ characters of 文字情報基盤). ``jntajis-python`` carries the MJ
table (MJ文字一覧表, CITPC/IPA) and the MJ degeneration map (MJ縮退マップ): ``check_character``
(``kiban.standard.characters``, shared with the counter's character lookup) says whether a
mapped character is in JIS X 0208 / JIS X 0213, which MJ glyphs it corresponds to, and suggests a degenerated form
for systems that hold JIS X 0213 only. A mapping whose standard character is neither an MJ character nor in JIS X
0213 is refused when the map is loaded.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from kiban.standard.characters import PUA_FIRST, PUA_LAST, check_character

# CP932's user-defined area: lead bytes F0–F9, trail bytes 40–7E and 80–FC (188 per lead byte) → U+E000–U+E757.
CP932_USER_FIRST, CP932_USER_LAST = 0xF040, 0xF9FC


class GaijiMapError(ValueError):
    """A gaiji map that cannot be used; ``problems`` lists every reason with its CSV line."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"gaiji map {source} refused:\n" + "\n".join(f"  - {p}" for p in problems))


def is_gaiji(ch: str) -> bool:
    return PUA_FIRST <= ord(ch) <= PUA_LAST


def cp932_bytes(ch: str) -> bytes:
    """The CP932 bytes of a private-use character (``\\ue000`` → ``b"\\xf0\\x40"``), or b"" outside the user area."""
    try:
        return ch.encode("cp932")
    except UnicodeEncodeError:
        return b""


@dataclass(frozen=True)
class GaijiEntry:
    code_point: str  # the private-use character
    standard: str  # "" while identification is pending
    mj: str
    suggestion: str
    note: str
    line: int

    @property
    def cp932(self) -> bytes:
        return cp932_bytes(self.code_point)


@dataclass(frozen=True)
class GaijiMap:
    entries: dict[str, GaijiEntry]
    source: str = ""

    def lookup(self, ch: str) -> GaijiEntry | None:
        return self.entries.get(ch)


def _parse_code_point(text: str) -> str | None:
    m = re.fullmatch(r"(?:U\+)?([0-9A-Fa-f]{4,5})", text.strip())
    return chr(int(m[1], 16)) if m else None


def _parse_cp932(text: str) -> str | None:
    value = text.strip().replace(" ", "").removeprefix("0x").removeprefix("0X")
    if not re.fullmatch(r"[0-9A-Fa-f]{4}", value):
        return None
    code = int(value, 16)
    if not CP932_USER_FIRST <= code <= CP932_USER_LAST:
        return None
    try:
        return bytes.fromhex(value).decode("cp932")
    except UnicodeDecodeError:
        return None


def load_gaiji_map(path: str | Path) -> GaijiMap:
    """Read and check a gaiji map CSV (UTF-8); ``GaijiMapError`` with every problem and its line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise GaijiMapError(str(path), [f"cannot read the file: {exc}"]) from exc
    problems: list[str] = []
    entries: dict[str, GaijiEntry] = {}
    reader = csv.DictReader(text.splitlines())
    columns = set(reader.fieldnames or [])
    if not ({"code_point", "cp932"} & columns) or "standard" not in columns:
        raise GaijiMapError(str(path), ["the header needs code_point and/or cp932, and standard"])
    for line, row in enumerate(reader, start=2):
        cp_text, bytes_text = (row.get("code_point") or "").strip(), (row.get("cp932") or "").strip()
        by_cp = _parse_code_point(cp_text) if cp_text else None
        by_bytes = _parse_cp932(bytes_text) if bytes_text else None
        if cp_text and (by_cp is None or not is_gaiji(by_cp)):
            problems.append(f"line {line}: code_point {cp_text!r} is not a private-use code point (U+E000–U+F8FF)")
            continue
        if bytes_text and by_bytes is None:
            problems.append(f"line {line}: cp932 {bytes_text!r} is not in the CP932 user-defined area (F040–F9FC)")
            continue
        if by_cp and by_bytes and by_cp != by_bytes:
            problems.append(
                f"line {line}: code_point {cp_text} and cp932 {bytes_text} are different characters "
                f"(cp932 {bytes_text} is U+{ord(by_bytes):04X})"
            )
            continue
        ch = by_cp or by_bytes
        if ch is None:
            problems.append(f"line {line}: give code_point or cp932")
            continue
        if ch in entries:
            problems.append(f"line {line}: U+{ord(ch):04X} is mapped twice (first on line {entries[ch].line})")
            continue
        standard = unicodedata.normalize("NFC", (row.get("standard") or "").strip())
        mj = (row.get("mj") or "").strip()
        if standard:
            problems.extend(_standard_problems(line, ch, standard, mj))
        entries[ch] = GaijiEntry(
            code_point=ch,
            standard=standard,
            mj=mj,
            suggestion=(row.get("suggestion") or "").strip(),
            note=(row.get("note") or "").strip(),
            line=line,
        )
    if problems:
        raise GaijiMapError(str(path), problems)
    return GaijiMap(entries, str(path))


def _standard_problems(line: int, ch: str, standard: str, mj: str) -> list[str]:
    base = standard[0]
    rest = standard[1:]
    if rest and not all(0xE0100 <= ord(c) <= 0xE01EF or 0xFE00 <= ord(c) <= 0xFE0F for c in rest):
        return [f"line {line}: standard {standard!r} must be one character (optionally with its IVS)"]
    if any(is_gaiji(c) for c in standard):
        return [f"line {line}: standard {standard!r} is itself a private-use character"]
    check = check_character(standard)
    if not check.acceptable:
        return [
            f"line {line}: U+{ord(ch):04X} → {standard!r} (U+{ord(base):04X}) is neither an MJ character nor in "
            "JIS X 0213: not a 行政事務標準文字"
        ]
    if mj and check.mj and mj not in check.mj:
        return [f"line {line}: {standard!r} is {', '.join(check.mj)} in the MJ table, not {mj}"]
    return []
