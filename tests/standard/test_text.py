"""Name and number normalization (kiban.standard.text): search keys, kana input, digits."""

import csv
import unicodedata
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiban.standard.text import is_katakana, kanji_variants, normalize_digits, normalize_kana_input, search_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ　タロウ"),  # half-width kana, ASCII space vs full-width, ideographic space
        ("やまだ たろう", "ヤマダタロウ"),  # hiragana vs katakana
        ("ｶﾞｯｺｳ", "ガッコウ"),
        ("キャッシュ", "キヤツシユ"),  # small kana fold to large
        ("ヶ", "ケ"),
        ("ヵ", "カ"),
        ("ヮ", "ワ"),
        ("ぁぃぅぇぉっゃゅょゎゕゖ", "アイウエオツヤユヨワカケ"),
        ("か゛", "が"),  # a separately typed voiced mark
        ("ﾊﾟﾊﾟ", "パパ"),
        ("ｼﾞｮﾝ･ｽﾐｽ", "ジョン・スミス"),
        ("ＳＭＩＴＨ　Ｊｏｈｎ", "SMITH John"),
        ("渡邉", "渡辺"),
        ("渡邊", "渡辺"),
        ("髙橋", "高橋"),
        ("髙槗", "高橋"),
        ("山﨑", "山崎"),
        ("齋藤", "斎藤"),
        ("齊藤", "斉藤"),
        ("濱田", "浜田"),
        ("澤田", "沢田"),
        ("嶋田", "島田"),
        ("廣瀬", "広瀬"),
        ("國分", "国分"),
        ("櫻井", "桜井"),
        ("德永", "徳永"),
        ("惠子", "恵子"),
        ("龍之介", "竜之介"),
        ("𠮷田", "吉田"),
        ("瀧澤", "滝沢"),
        ("塚本", "塚本"),  # U+FA10, folded by NFKC
        ("辻\U000e0100", "辻"),  # IVS (Ideographic Variation Sequence)
        ("葛\U000e0101飾", "葛飾"),
        ("邉\U000e0108", "辺"),
        ("神\ufe00", "神"),  # standardized variation selector
        ("山 田　太 郎", "山田太郎"),
        ("ヴァイオリン", "ヴアイオリン"),
    ],
)
def test_spellings_of_one_name_share_a_key(a, b):
    assert search_key(a) == search_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("斎藤", "斉藤"),  # different characters, different surnames
        ("ヴァイオリン", "バイオリン"),  # ヴ is kept
        ("サトー", "サトウ"),  # the long vowel mark is kept
        ("オオノ", "オノ"),
        ("高橋", "髙田"),
    ],
)
def test_different_names_keep_different_keys(a, b):
    assert search_key(a) != search_key(b)


def test_key_examples():
    assert search_key("ﾜﾀﾅﾍﾞ") == search_key("わたなべ") == "ワタナベ"
    assert search_key("渡邉　髙子") == "渡辺高子"
    assert search_key("サトー") == "サトー"
    assert search_key("") == ""


def test_variant_table_is_well_formed():
    text = resources.files("kiban.standard").joinpath("data/kanji_variants.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert list(rows[0]) == ["variant", "common", "note"]
    assert len(rows) >= 40
    assert all(len(r["variant"]) == 1 and len(r["common"]) == 1 and r["note"] for r in rows)
    variants = [r["variant"] for r in rows]
    assert len(variants) == len(set(variants)), "a variant listed twice"
    assert not set(variants) & {r["common"] for r in rows}, "a common form is itself a variant: keys would chain"
    # NFKC runs first: a variant NFKC would change could never be looked up.
    assert all(unicodedata.normalize("NFKC", v) == v for v in variants)
    assert kanji_variants() == {r["variant"]: r["common"] for r in rows}
    assert all(search_key(v) == search_key(c) == c for v, c in kanji_variants().items())


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("やまだ　たろう", "ヤマダ タロウ"),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ タロウ"),
        ("ｶﾞｯｺｳ", "ガッコウ"),
        ("か゛", "ガ"),
        ("ｶ ﾞ", "ガ"),
        ("ゔぃ", "ヴィ"),
        ("ジョン・スミス", "ジョン・スミス"),
        ("ﾊﾟｰｸ", "パーク"),
    ],
)
def test_kana_input_becomes_full_width_katakana(typed, stored):
    assert normalize_kana_input(typed) == stored


@pytest.mark.parametrize(
    "text", ["ヤマダ タロウ", "やまだ　たろう", "ﾔﾏﾀﾞ ﾀﾛｳ", "サトー", "ジョン・スミス", "ヴィ", "ヶ"]
)
def test_kana_fields_accept_kana(text):
    assert is_katakana(text)


@pytest.mark.parametrize("text", ["", "　", " ", "山田", "YAMADA", "ヤマダ1", "ヤマダ-タロウ", "ヤマダ。"])
def test_kana_fields_refuse_anything_else(text):
    assert not is_katakana(text)


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("０３－１２３４－５６７８", "0312345678"),
        ("03-1234-5678", "0312345678"),
        ("０３ー１２３４ー５６７８", "0312345678"),  # long vowel mark typed for a hyphen
        ("03‐1234−5678", "0312345678"),  # hyphen U+2010, minus U+2212
        ("１２３４　５６７８　９０１２", "123456789012"),
        ("123 456", "123456"),
        ("12a4", "12a4"),  # left for the validator
        ("", ""),
    ],
)
def test_normalize_digits(typed, digits):
    assert normalize_digits(typed) == digits


# --- properties -------------------------------------------------------------------------------------------------

_HALF_WIDTH = [chr(c) for c in range(0x21, 0x7F)] + [" "] + [chr(c) for c in range(0xFF61, 0xFFA0)]


def _full_width(c: str) -> str:
    """The full-width counterpart of a half-width character, by its Unicode name (not by NFKC, which is under test)."""
    if c == " ":
        return "\u3000"
    if c < "\x7f":
        return chr(ord(c) + 0xFEE0)
    name = unicodedata.name(c).removeprefix("HALFWIDTH ")
    return _FULL_WIDTH_SOUND_MARKS.get(name) or unicodedata.lookup(name)


_FULL_WIDTH_SOUND_MARKS = {"KATAKANA VOICED SOUND MARK": "゛", "KATAKANA SEMI-VOICED SOUND MARK": "゜"}


_names = st.lists(
    st.sampled_from(
        [
            *"やまだたろうヤマダタロウ渡邉辺髙高﨑崎齋斎ァッャヮヵヶーヴ ・゛゜ﾞﾟ",
            "\u3000",
            "\U000e0100",
            "\ufe00",
            "\u3099",
            "ﾔﾏﾀﾞ",
        ]
    ),
    max_size=12,
).map("".join)


@given(st.text())
def test_search_key_is_idempotent(text):
    key = search_key(text)
    assert search_key(key) == key


@given(_names)
def test_search_key_is_idempotent_on_names(text):
    key = search_key(text)
    assert search_key(key) == key


@given(st.lists(st.sampled_from(_HALF_WIDTH), max_size=15))
def test_half_width_and_full_width_input_share_a_key(chars):
    half = "".join(chars)
    full = "".join(_full_width(c) for c in chars)
    assert search_key(half) == search_key(full)


@given(st.text(alphabet=st.characters(min_codepoint=0x3041, max_codepoint=0x3096), max_size=15))
def test_hiragana_and_katakana_share_a_key(hiragana):
    katakana = "".join(chr(ord(c) + 0x60) for c in hiragana)
    assert search_key(hiragana) == search_key(katakana)


@given(st.text())
def test_keys_hold_no_spaces_or_variation_selectors(text):
    key = search_key(text)
    assert not any(c.isspace() or 0xFE00 <= ord(c) <= 0xFE0F or 0xE0100 <= ord(c) <= 0xE01EF for c in key)


def test_kana_search_key_reads_names_as_the_standard_asks() -> None:
    from kiban.standard.text import kana_search_key

    same = [("オオノ", "おうの"), ("オオノ", "ｵｰﾉ"), ("オオノ", "オーノ"), ("ヂ", "ジ"), ("ヒロシ", "ピロシ"),
            ("ヴ", "ブ"), ("ヲ", "オ"), ("ヤマダ", "やまた"), ("コウ", "コ－")]  # fmt: skip
    for a, b in same:
        assert kana_search_key(a) == kana_search_key(b), (a, b)
    assert kana_search_key("ウエノ") != kana_search_key("オエノ")  # ウ reads as オ only after an オ-row kana
    assert kana_search_key("サトウ") != kana_search_key("サイトウ")
