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
table (MJ文字一覧表, CITPC/IPA) and the MJ degeneration map (MJ縮退マップ): ``check_character`` says whether a
mapped character is in JIS X 0208 / JIS X 0213, which MJ glyphs it corresponds to, and suggests a degenerated form
for systems that hold JIS X 0213 only. A mapping whose standard character is neither an MJ character nor in JIS X
0213 is refused when the map is loaded.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jntajis

PUA_FIRST, PUA_LAST = 0xE000, 0xF8FF  # Unicode private use area (BMP)
# CP932's user-defined area: lead bytes F0–F9, trail bytes 40–7E and 80–FC (188 per lead byte) → U+E000–U+E757.
CP932_USER_FIRST, CP932_USER_LAST = 0xF040, 0xF9FC
_ALL_SCHEMES = 15  # every MJShrinkSchemeCombo: JIS包摂・UCS統合, 読み・字形による類推, 法務省告示582号, 戸籍法関連通達


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
class CharacterCheck:
    """What the MJ tables say about one standard character."""

    char: str
    jis_x_0208: bool
    jis_x_0213: bool
    mj: tuple[str, ...]  # MJ文字図形名 of the glyphs the character (with its IVS, if any) corresponds to
    degenerated: str  # a JIS X 0213 form by the MJ degeneration map, "" if the character is in JIS X 0213 already

    @property
    def acceptable(self) -> bool:
        """In JIS X 0213 or an MJ character: a character 行政事務標準文字 can hold."""
        return self.jis_x_0213 or bool(self.mj)


def _encodes(text: str, mode: int) -> bool:
    try:
        jntajis.jnta_encode("jis", text, mode)
    except (UnicodeEncodeError, jntajis.TransliterationError):
        return False
    return True


@cache
def check_character(char: str) -> CharacterCheck:
    in_0213 = _encodes(char, jntajis.ConversionMode.SISO)
    degenerated = ""
    if not in_0213:
        # Prefer a JIS X 0208 form (what most receiving systems hold), then any JIS X 0213 one.
        candidates = [c for c in jntajis.mj_shrink_candidates(char, _ALL_SCHEMES) if c != char]
        for mode in (jntajis.ConversionMode.JISX0208, jntajis.ConversionMode.SISO):
            degenerated = next((c for c in candidates if _encodes(c, mode)), "")
            if degenerated:
                break
    return CharacterCheck(
        char=char,
        jis_x_0208=_encodes(char, jntajis.ConversionMode.JISX0208),
        jis_x_0213=in_0213,
        mj=mj_names(char),
        degenerated=degenerated,
    )


_CHUNK = re.compile(r"chunked_mj_mappings_([0-9a-f]{6})_([0-9a-f]{6})\[\d+\] = \{")
_MAPPING = re.compile(r"\{(\d+), \{((?:\{\d+, \d, \d, \d+\},?\s*)+)\}\}")
_VARIANT = re.compile(r"\{(\d+), (\d), (\d), (\d+)\}")


@cache
def _mj_table() -> tuple[list[str], list[tuple[int, int, int]]]:
    """The Unicode → MJ table that jntajis compiles in, read from the C header it ships (``_jntajis.h``).

    jntajis does not expose MJ numbers in its Python API; the header is part of its wheel. If it is missing (another
    build), MJ names are simply unknown and only the JIS X 0213 test applies.
    """
    header = Path(jntajis.__file__).with_name("_jntajis.h")
    try:
        lines = header.read_text(encoding="utf-8").splitlines()
    except OSError:
        return [], []
    chunks = [
        (int(m[1], 16), int(m[2], 16), i)
        for i, line in enumerate(lines)
        if line.startswith("static const MJMappingSet") and (m := _CHUNK.search(line))
    ]
    return lines, chunks


def mj_names(char: str) -> tuple[str, ...]:
    """MJ文字図形名 (``MJ028902``) of ``char``: one for most characters; several when the code point alone covers
    several MJ glyphs (then an IVS picks one); () for a character that is not in the MJ table."""
    if not char:
        return ()
    lines, chunks = _mj_table()
    cp = ord(char[0])
    # jntajis numbers a variation selector n as U+FE00+n (n < 16) or U+E00F0+n (its to_ivs()).
    selector = ord(char[1]) if len(char) > 1 else 0
    ivs = selector - 0xFE00 if 0xFE00 <= selector <= 0xFE0F else selector - 0xE00F0 if selector >= 0xE0100 else -1
    for start, end, at in chunks:
        if start <= cp <= end:
            names: list[str] = []
            for number, variants in _MAPPING.findall(lines[at + 1 + cp - start]):
                for u, _v, sv, s in _VARIANT.findall(variants):
                    plain = sv == "0" and ivs < 0
                    chosen = sv == "1" and int(s) == ivs
                    if int(u) == cp and (plain or chosen):
                        name = f"MJ{int(number):06d}"
                        if name not in names:
                            names.append(name)
            return tuple(names)
    return ()


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
