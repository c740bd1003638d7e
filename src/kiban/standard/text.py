"""Normalization of names for search and input (住民記録システム標準仕様書: search insensitive to full/half width,
old/new character forms and spaces).

``search_key``: NFKC (half-width kana → full-width, full-width ASCII → ASCII), hiragana → katakana, small kana →
large, spaces and ideographic variation selectors removed, and old/variant kanji forms mapped to the common form.
"""

from __future__ import annotations

import re
import unicodedata

_HIRAGANA_TO_KATAKANA = {cp: cp + 0x60 for cp in range(0x3041, 0x3097)}
_SMALL_TO_LARGE = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")
_SPACES = re.compile(r"[\s\u3000]+")
_VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
# Old and variant forms that occur in surnames → the common form (戸籍統一文字 / 人名用漢字 correspondences).
_VARIANTS = str.maketrans(
    "髙﨑邊邉齋齊濱澤嶋廣國櫻德惠龍籠藪萬壽榮淺條與舊",
    "高崎辺辺斎斉浜沢島広国桜徳恵竜篭薮万寿栄浅条与旧",
)


def normalize_kana_input(text: str) -> str:
    """Kana as typed (half-width, hiragana) → full-width katakana; other characters NFKC-normalized."""
    return unicodedata.normalize("NFKC", text).translate(_HIRAGANA_TO_KATAKANA)


def is_katakana(text: str) -> bool:
    """Full-width katakana, the long vowel mark, the middle dot and spaces only (after ``normalize_kana_input``)."""
    value = normalize_kana_input(text)
    return bool(value.strip()) and all(("\u30a1" <= c <= "\u30fc") or c in " \u3000" for c in value)


def search_key(text: str) -> str:
    value = _VARIATION_SELECTORS.sub("", text)
    value = unicodedata.normalize("NFKC", value).translate(_HIRAGANA_TO_KATAKANA)
    value = _SPACES.sub("", value)
    return value.translate(_SMALL_TO_LARGE).translate(_VARIANTS)


def normalize_digits(text: str) -> str:
    """Full-width digits → ASCII; hyphens and spaces removed (numbers typed at the counter)."""
    return re.sub(r"[\s\-‐－ー]", "", unicodedata.normalize("NFKC", text))
