"""Comparison keys for Japanese addresses as people write them."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[\s\u3000]+")
_KANJI_DIGITS = str.maketrans("〇一二三四五六七八九", "0123456789")
_ADDRESS_MARKS = re.compile(r"(丁目|番地|番|号|の|ノ|−|－|‐|ー)")


def _kanji_number(match: re.Match[str]) -> str:
    text = match.group(0)
    if "十" not in text:
        return text.translate(_KANJI_DIGITS)
    tens, _, ones = text.partition("十")
    return str(int(tens.translate(_KANJI_DIGITS) or "1") * 10 + int(ones.translate(_KANJI_DIGITS) or "0"))


def normalize_address(text: str) -> str:
    """A comparison key for Japanese addresses as people write them: NFKC, no spaces, kanji numerals before
    丁目/番/号 as digits, and 丁目・番地・番・号・の and dashes all as "-" (「九段南一丁目2番1号」 = 「九段南1-2-1」).
    For matching an identity to a record, not for display."""
    value = _SPACES.sub("", unicodedata.normalize("NFKC", text))
    value = re.sub(r"[〇一二三四五六七八九十]+(?=(丁目|番|号))", _kanji_number, value)
    value = _ADDRESS_MARKS.sub("-", value)
    return re.sub(r"-+", "-", value).strip("-")


_NUMBERS = re.compile(r"\d+")
_TAIL = re.compile(r"^(?P<prefix>.*?)(?P<numbers>\d[\d-]*)(?P<rest>[^\d]*)$")


def number_codes(text: str) -> tuple[int, ...]:
    """番地・枝番・部屋番号等の数値コード (住民記録システム標準仕様書 1.3.2 住居表示・地番管理、番地・枝番等コード管理:
    「ソート機能のため、番地・枝番・部屋番号等を数値によりコード管理できること」): the numbers of an address, in
    order — 丁目, 番(地) or 街区符号, 号 or 枝番 … — as integers (「九段南一丁目2番10号」 → (1, 2, 10)), or of a
    方書 (「九段ハイツ101号室」 → (101,)); numbers inside a 町字's name (「第2地割」) count too. Compared as numbers,
    not as text: 「2番」 comes before 「10番」."""
    return tuple(int(n) for n in _NUMBERS.findall(normalize_address(text)))


def sort_key(address: str, building: str = "") -> tuple[str, tuple[int, ...], str, tuple[int, ...]]:
    """A key to list addresses in their natural order (標準仕様書 1.3.2): the text before the last run of numbers
    (都道府県, 市区町村, 町字), then those numbers (丁目・番・号 …, ``number_codes``), then the 方書's name and its
    numbers (部屋番号)."""
    normalized = normalize_address(address)
    match = _TAIL.match(normalized)
    prefix = match.group("prefix") if match else normalized
    house = _SPACES.sub("", unicodedata.normalize("NFKC", building))
    return (prefix, number_codes(normalized[len(prefix) :]), _NUMBERS.sub("", house), number_codes(house))
