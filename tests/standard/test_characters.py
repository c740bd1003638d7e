"""The characters of a text against JIS and the MJ tables (kiban.standard.characters): what the counter's character
lookup (文字コード照会, 標準仕様書 2.2.3) shows and the legacy migration's 外字 mapping checks."""

from __future__ import annotations

from kiban.standard.characters import describe


def test_each_character_with_its_code_point_name_jis_and_mj() -> None:
    taka, hashi = describe("髙 橋")  # the space skipped
    assert (taka.char, taka.code_points, taka.name) == ("髙", ("U+9AD9",), "CJK UNIFIED IDEOGRAPH-9AD9")
    assert (taka.check.jis_x_0208, taka.check.jis_x_0213, taka.check.mj, taka.check.degenerated) == (
        False, False, ("MJ028902",), "高",
    )  # fmt: skip
    assert hashi.check.jis_x_0208 and hashi.check.jis_x_0213 and hashi.check.degenerated == ""


def test_a_character_outside_the_basic_plane_and_its_jis_form() -> None:
    (yoshi,) = describe("𠮷")
    assert yoshi.code_points == ("U+20BB7",) and not yoshi.check.jis_x_0213 and yoshi.check.degenerated == "吉"


def test_a_variation_selector_stays_with_its_character() -> None:
    (katsu,) = describe("葛\U000e0100")
    assert katsu.char == "葛\U000e0100" and katsu.code_points == ("U+845B", "U+E0100")


def test_a_private_use_character_is_named_as_such() -> None:
    (gaiji,) = describe("\ue000")
    assert gaiji.private_use and gaiji.name == "" and gaiji.code_points == ("U+E000",)
    assert not gaiji.check.acceptable  # means nothing outside the system that defined it
