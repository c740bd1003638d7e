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
