"""Normalization of names and numbers for search and input.

Source: 住民記録システム標準仕様書 (総務省) asks that name search be insensitive to full/half width (全角/半角),
hiragana/katakana, old/new character forms (旧字体/新字体, 異体字) and spaces; kana names are stored in full-width
katakana. ``search_key`` builds the comparison key; ``normalize_kana_input`` and ``is_katakana`` serve the kana
fields; ``normalize_digits`` serves numbers typed at the counter.

Old/variant kanji → common form: ``data/kanji_variants.csv`` (columns variant, common, note).
The rows marked "別表第二 表(二)" are 人名用漢字 that 戸籍法施行規則 (昭和22年司法省令第94号)
60条 / 別表第二 表(二) lists as variants of 常用漢字; the common form is the 常用漢字 the law
prints beside each. They were checked against a transcription of that table in the public
repository ynupc/scalastringcourseday7 (src/main/resources/kanji/jinmeiyo_kanji_2.csv).
The other rows are surname variants outside that table (髙, 﨑, 邊, 邉, 齋, 濱, 澤, 𠮷 …), each
with its note; they were NOT checked against 法務省's 戸籍統一文字 database.
CJK compatibility ideographs that have an NFKC mapping (U+FA10 塚 → 塚, U+FA45 海 → 海, …)
need no row: NFKC folds them.

Changing the table changes keys: keys stored in a database must be recomputed after an edit.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache
from importlib import resources

# ぁ..ゖ and the iteration marks ゝゞ → the katakana 0x60 code points above.
_HIRAGANA_TO_KATAKANA = {cp: cp + 0x60 for cp in [*range(0x3041, 0x3097), 0x309D, 0x309E]}
_SMALL_TO_LARGE = str.maketrans(
    "ァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ",
    "アイウエオツヤユヨワカケクシストヌハヒフヘホムラリルレロ",
)
_SPACES = re.compile(r"\s+")  # \s covers ASCII spaces, U+3000 and the other Unicode spaces
_VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
_SPACED_SOUND_MARKS = re.compile(" ([\u3099\u309a])")  # NFKC turns ゛ ゜ into a space + combining mark
_DASHES_AND_SPACES = re.compile(r"[\s\-\u2010-\u2015\u2212\u30fc\uff70]")


@cache
def kanji_variants() -> dict[str, str]:
    """The table ``data/kanji_variants.csv`` as {variant: common}."""
    text = resources.files("kiban.standard").joinpath("data/kanji_variants.csv").read_text(encoding="utf-8")
    return {row["variant"]: row["common"] for row in csv.DictReader(text.splitlines())}


@cache
def _variant_table() -> dict[int, str]:
    return str.maketrans(kanji_variants())


def normalize_kana_input(text: str) -> str:
    """Kana as typed (half-width, hiragana) → full-width katakana; everything else NFKC-normalized.

    A separately typed voiced mark (か゛, ｶ ﾞ) is joined to its kana: "か゛" → "ガ".
    """
    value = _SPACED_SOUND_MARKS.sub(r"\1", unicodedata.normalize("NFKC", text))
    return unicodedata.normalize("NFC", value.translate(_HIRAGANA_TO_KATAKANA))


def is_katakana(text: str) -> bool:
    """Full-width katakana, the long vowel mark ー, the middle dot ・ and spaces only (after ``normalize_kana_input``);
    at least one kana."""
    value = normalize_kana_input(text)
    return bool(value.strip()) and all(("\u30a1" <= c <= "\u30fc") or c in " \u3000" for c in value)


def search_key(text: str) -> str:
    """The key two spellings of a name share: ``search_key("ﾜﾀﾅﾍﾞ")`` == ``search_key("わたなべ")`` == "ワタナベ",
    ``search_key("渡邉　髙子")`` == ``search_key("渡辺 高子")``.

    Steps: ideographic variation selectors removed (IVS, U+E0100–U+E01EF, and U+FE00–U+FE0F); NFKC (half-width kana →
    full-width, full-width ASCII → ASCII, compatibility ideographs → unified); all spaces removed; hiragana → katakana;
    small kana → large (ァ→ア, ッ→ツ, ャ→ヤ, ヮ→ワ, ヵ→カ, ヶ→ケ); NFKC again (removing spaces or converting kana can
    leave a voiced mark to combine: "カ゛" → "ガ"); old/variant kanji → common form (``kanji_variants``).
    ヴ and ー are kept.
    Idempotent: ``search_key(search_key(x)) == search_key(x)``.
    """
    value = unicodedata.normalize("NFKC", _VARIATION_SELECTORS.sub("", text))
    value = _SPACES.sub("", value).translate(_HIRAGANA_TO_KATAKANA).translate(_SMALL_TO_LARGE)
    return unicodedata.normalize("NFKC", value).translate(_variant_table())


def normalize_digits(text: str) -> str:
    """A number typed at the counter → ASCII: full-width digits → ASCII (NFKC); hyphens, dashes, minus signs, the long
    vowel mark (often typed for a hyphen) and spaces removed. "０３－１２３４ ５６７８" → "0312345678".

    Other characters are left for the validator to reject.
    """
    return _DASHES_AND_SPACES.sub("", unicodedata.normalize("NFKC", text))


_VOWEL_OF = {
    kana: vowel
    for vowel, row in (
        ("ア", "アカサタナハマヤラワガザダバパ"),
        ("イ", "イキシチニヒミリギジヂビピ"),
        ("ウ", "ウクスツヌフムユルグズヅブプヴ"),
        ("エ", "エケセテネヘメレゲゼデベペ"),
        ("オ", "オコソトノホモヨロヲゴゾドボポ"),
    )
    for kana in row
}
_KANA_LIKE_SOUNDS = str.maketrans({"ヂ": "ジ", "ヅ": "ズ", "ヲ": "オ", "ヴ": "ブ", "ヰ": "イ", "ヱ": "エ"})
_DASHES = re.compile("[\u2010-\u2015\u2212\uff0d\uff70\\-]")


def kana_search_key(text: str) -> str:
    """The looser key for kana name search (住民記録システム標準仕様書 1.0 §2 検索, j340): besides ``search_key``,
    sounds written two ways are one (ヂ=ジ, ヅ=ズ, ヲ=オ, ヴ=ブ); the long vowel mark and the dashes typed for it
    (ー ― － ‐ ｰ -) read as the vowel before them; ウ after an オ-row kana reads as オ (from the second character);
    voiced and semi-voiced marks are ignored (ヒ=ビ=ピ). So オオノ, おうの and ｵｰﾉ share one key.
    """
    value = _DASHES.sub("ー", search_key(text)).translate(_KANA_LIKE_SOUNDS)
    chars: list[str] = []
    for c in value:
        previous = chars[-1] if chars else ""
        if c == "ー" and previous in _VOWEL_OF:
            c = _VOWEL_OF[previous]
        elif c == "ウ" and _VOWEL_OF.get(previous) == "オ":
            c = "オ"
        chars.append(c)
    return "".join(ch for ch in unicodedata.normalize("NFD", "".join(chars)) if ch not in "\u3099\u309a")
