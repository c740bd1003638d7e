"""The shipped catalog: all 1,741 municipalities (総務省: 1,718 市町村 + 23 特別区)."""

from collections import Counter

from kiban.platform.tenants.catalog import CATALOG_PATH, MunicipalityKind, municipalities
from kiban.platform.tenants.codes import validate_code


def test_catalog_has_every_municipality_and_no_prefecture_or_administrative_ward() -> None:
    catalog = municipalities()
    assert len(catalog) == 1741
    kinds = Counter(m.kind for m in catalog.values())
    assert kinds[MunicipalityKind.SPECIAL_WARD] == 23
    assert kinds[MunicipalityKind.DESIGNATED_CITY] == 20
    assert kinds[MunicipalityKind.CORE_CITY] == 62
    cities = kinds[MunicipalityKind.DESIGNATED_CITY] + kinds[MunicipalityKind.CORE_CITY] + kinds[MunicipalityKind.CITY]
    assert cities == 792
    assert kinds[MunicipalityKind.TOWN] == 743
    assert kinds[MunicipalityKind.VILLAGE] == 183
    assert "130001" not in catalog  # 東京都 itself
    assert "011011" not in catalog  # 札幌市中央区, an administrative ward of a designated city


def test_every_code_passes_its_check_digit_and_matches_its_prefecture() -> None:
    for code, m in municipalities().items():
        assert validate_code(code) == code
        assert code[:2] == m.prefecture_code


def test_tokyo_and_known_entries() -> None:
    catalog = municipalities()
    tokyo = [m for m in catalog.values() if m.prefecture_code == "13"]
    assert len(tokyo) == 62
    chiyoda = catalog["131016"]
    assert (chiyoda.prefecture, chiyoda.name, chiyoda.kana, chiyoda.kind) == (
        "東京都",
        "千代田区",
        "チヨダク",
        "special_ward",
    )
    assert catalog["141003"].name == "横浜市" and catalog["141003"].kind == MunicipalityKind.DESIGNATED_CITY
    assert 3_600_000 < catalog["141003"].population < 3_800_000
    assert 100 < catalog["134023"].population < 300  # 青ヶ島村


def test_populations_add_up_to_japan() -> None:
    total = sum(m.population for m in municipalities().values())
    assert 120_000_000 < total < 128_000_000


def test_kana_is_full_width_katakana() -> None:
    import re

    katakana = re.compile(r"^[\u30A0-\u30FF]+$")
    bad = [m.code for m in municipalities().values() if not katakana.match(m.kana)]
    assert bad == []


def test_file_header_cites_its_sources() -> None:
    header = [line for line in CATALOG_PATH.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    assert any("総務省" in line for line in header)


def test_the_municipality_of_an_address_or_a_domicile_is_read_from_its_beginning() -> None:
    from kiban.platform.tenants.catalog import in_address

    def code(text: str) -> str | None:
        found = in_address(text)
        return found.code if found else None

    codes = [
        code(text)
        for text in (
            "東京都千代田区千代田1番",  # a special ward
            "神奈川県横浜市中区日本大通1番地",  # a designated city's ward falls in the city
            "群馬県邑楽郡千代田町赤岩1番地",  # the county's name passed over
            "福島県郡山市朝日一丁目23番7号",  # a name starting with 郡 is not a county
            "奈良県大和郡山市北郡山町248番地4",  # nor one with 郡 inside
            "広島県安芸郡府中町大通三丁目5番1号",  # 府中町, not 府中市
            "千代田区九段南一丁目2番1号",  # no prefecture, but one municipality of that name
            "府中市宮西町二丁目24番地",  # no prefecture, and two: Tokyo's and Hiroshima's
            "東京都どこか1番",
            "　",
        )
    ]
    assert codes == ["131016", "141003", "105236", "072036", "292036", "343021", "131016", None, None,
                                    None]  # fmt: skip
