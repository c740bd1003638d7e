"""Characters of the resident record against the standard character set (行政事務標準文字, MJ-based) and JIS.

``jntajis-python`` carries the MJ table (MJ文字一覧表, 文字情報基盤, CITPC/IPA) and the MJ degeneration map
(MJ縮退マップ): ``check_character`` says whether a character is in JIS X 0208 / JIS X 0213, which MJ glyphs
(MJ文字図形名) it corresponds to, and a degenerated form for systems that hold JIS X 0213 only. ``describe`` lists
them for each character of a text, with its Unicode code point and name: the counter's character lookup
(文字コード照会, 住民記録システム標準仕様書 2.2.3, j370) and the legacy migration's external characters
(``kiban.migration.legacy.gaiji``) read the same tables.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jntajis

PUA_FIRST, PUA_LAST = 0xE000, 0xF8FF  # Unicode private use area (BMP): a municipality's own characters (外字)
_ALL_SCHEMES = 15  # every MJShrinkSchemeCombo: JIS包摂・UCS統合, 読み・字形による類推, 法務省告示582号, 戸籍法関連通達


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
class CharacterInfo:
    """One character of a text as the counter's lookup shows it."""

    char: str  # with its variation selector (IVS), if it has one
    code_points: tuple[str, ...]  # "U+9AD9", and the selector's, e.g. "U+E0100"
    name: str  # the Unicode character name, "" if it has none (private use, unassigned)
    private_use: bool  # a municipality's own code point (外字): means nothing outside that system
    check: CharacterCheck


def describe(text: str) -> list[CharacterInfo]:
    """Each character of ``text`` (a variation selector kept with the character before it; spaces skipped)."""
    chars: list[str] = []
    for ch in text:
        if chars and (0xFE00 <= ord(ch) <= 0xFE0F or 0xE0100 <= ord(ch) <= 0xE01EF):
            chars[-1] += ch
        elif not ch.isspace():
            chars.append(ch)
    return [
        CharacterInfo(
            char=c, code_points=tuple(f"U+{ord(x):04X}" for x in c), name=unicodedata.name(c[0], ""),
            private_use=PUA_FIRST <= ord(c[0]) <= PUA_LAST, check=check_character(c),
        )
        for c in chars
    ]  # fmt: skip
