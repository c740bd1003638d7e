# ruff: noqa: E501  (the sample people are a data table: one person per line)
"""The sample legacy file docs/migration/samples/residents-sample.dat, written through the sample layout.

Thirty people of 千代田区 (131016) in fourteen households: families of several generations, foreign residents (a
permanent resident with a dependant, a technical intern, a special permanent resident with a 通称), one removed
person (除票, died), and 外字 in the CP932 user-defined area standing for surname variants (髙, 﨑, 𠮷, 槗). Three
households are built to need review: an unmapped 外字, a 外字 whose identification is pending (the map has only a
suggestion) and a household with two householders. All names, numbers and addresses are made up; individual numbers
carry valid check digits.

Run ``python -m kiban.migration.legacy.sample`` to rewrite the file (the output is deterministic).
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from kiban.standard.era import ERAS, to_era
from kiban.standard.numbers import individual_number_check_digit, resident_code_check_digit

from .layout import Layout, load_layout

TENANT = "131016"
# 外字 of the sample municipality (their meaning is in docs/migration/samples/gaiji-map.csv)
TAKA = "\ue000"  # 髙 (はしごだか)
SAKI = "\ue001"  # 﨑 (たつさき)
YOSHI = "\ue002"  # 𠮷 (つちよし)
HASHI = "\ue003"  # 槗
PENDING = "\ue010"  # identification pending: the map holds a suggestion only
UNMAPPED = "\ue011"  # not in the map at all

REPO = Path(__file__).resolve().parents[4]
LAYOUT = REPO / "docs/migration/layouts/chukan-standard-2.7-residents.yaml"
OUTPUT = REPO / "docs/migration/samples/residents-sample.dat"


def era7(d: date | None) -> str:
    """A date as era digit + YYMMDD (5060401 = 令和6年4月1日)."""
    if d is None:
        return ""
    name, year = to_era(d)
    code = next(e.code for e in ERAS if e.name == name)
    return f"{code}{year:02d}{d.month:02d}{d.day:02d}"


def _full(text: str) -> str:
    """ASCII digits, letters and spaces → full-width (the N fields are 全角)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text)


def encode_record(layout: Layout, values: dict[str, str]) -> bytes:
    """One fixed-width record: X padded with spaces, N with U+3000, 9 zero-filled (blank = spaces)."""
    out = bytearray()
    for f in layout.fields:
        text = values.get(f.name, "")
        if f.type == "N":
            raw = text.encode("cp932")
            raw += "\u3000".encode("cp932") * ((f.length - len(raw)) // 2)
        elif f.type == "9":
            raw = (text.zfill(f.length) if text else " " * f.length).encode("ascii")
        else:
            raw = text.encode("cp932").ljust(f.length, b" ")
        if len(raw) != f.length:
            raise ValueError(f"{f.name}: {text!r} does not fit {f.length} bytes")
        out += raw
    return bytes(out)


def _people() -> list[dict[str, object]]:
    """The thirty sample people (household number, code values as the legacy system writes them)."""
    d = date
    kanda, koji, kudan, ichiban, soto = (
        ("1010062", "東京都千代田区神田駿河台二丁目3番地"),
        ("1020083", "東京都千代田区麹町四丁目2番地7"),
        ("1020074", "東京都千代田区九段南一丁目5番6号"),
        ("1020082", "東京都千代田区一番町10番地2"),
        ("1010021", "東京都千代田区外神田三丁目1番1号"),
    )
    jp = {"resident_kind": "1", "status": "1"}
    rows: list[dict[str, object]] = []

    def add(hh: int, rel: str, fam: str, giv: str, fk: str, gk: str, born: date, sex: str, place: tuple[str, str],
            since: date, **extra: object) -> None:  # fmt: skip
        row: dict[str, object] = {**jp, "household_number": f"{hh:010d}", "relationship": rel, "family_name": fam,
                                  "given_name": giv, "family_name_kana": fk, "given_name_kana": gk, "birth_date": born,
                                  "sex": sex, "postal_code": place[0], "address": place[1], "became_resident_on": since,
                                  "moved_in_on": since, "last_change_reason": "001", "last_change_on": since}  # fmt: skip
        row.update(extra)
        rows.append(row)

    hon = {"domicile": "東京都千代田区千代田1番"}
    # 1: 髙橋, four people; the surname is written with the 外字 for 髙
    add(1, "01", f"{TAKA}橋", "一郎", "ﾀｶﾊｼ", "ｲﾁﾛｳ", d(1975, 6, 12), "1", kanda, d(2010, 4, 1), building="駿河台ハイツ301",
        **hon, domicile_head=f"{TAKA}橋一郎", previous_address="神奈川県横浜市中区山下町1番地")  # fmt: skip
    add(1, "02", f"{TAKA}橋", "花子", "ﾀｶﾊｼ", "ﾊﾅｺ", d(1978, 2, 3), "2", kanda, d(2010, 4, 1), building="駿河台ハイツ301",
        **hon, domicile_head=f"{TAKA}橋一郎")  # fmt: skip
    add(1, "11", f"{TAKA}橋", "翔太", "ﾀｶﾊｼ", "ｼｮｳﾀ", d(2008, 9, 30), "1", kanda, d(2010, 4, 1), building="駿河台ハイツ301",
        **hon, domicile_head=f"{TAKA}橋一郎")  # fmt: skip
    add(1, "11", f"{TAKA}橋", "美咲", "ﾀｶﾊｼ", "ﾐｻｷ", d(2012, 1, 15), "2", kanda, d(2012, 1, 15), building="駿河台ハイツ301",
        **hon, domicile_head=f"{TAKA}橋一郎", last_change_reason="003")  # fmt: skip
    # 2: 山﨑, three generations
    add(
        2,
        "01",
        f"山{SAKI}",
        "健",
        "ﾔﾏｻﾞｷ",
        "ｹﾝ",
        d(1969, 11, 20),
        "1",
        koji,
        d(1999, 3, 10),
        **hon,
        domicile_head=f"山{SAKI}茂",
    )
    add(
        2,
        "02",
        f"山{SAKI}",
        "由美",
        "ﾔﾏｻﾞｷ",
        "ﾕﾐ",
        d(1971, 5, 8),
        "2",
        koji,
        d(1999, 3, 10),
        **hon,
        domicile_head=f"山{SAKI}健",
    )
    add(
        2,
        "21",
        f"山{SAKI}",
        "茂",
        "ﾔﾏｻﾞｷ",
        "ｼｹﾞﾙ",
        d(1941, 8, 1),
        "1",
        koji,
        d(2005, 7, 1),
        **hon,
        domicile_head=f"山{SAKI}茂",
    )
    # 3: one person
    add(3, "01", "佐藤", "誠", "ｻﾄｳ", "ﾏｺﾄ", d(1990, 4, 1), "1", kudan, d(2019, 5, 7), building="九段南レジデンス1204",
        **hon, domicile_head="佐藤誠")  # fmt: skip
    # 4: 鈴木, with a daughter-in-law and a grandchild (legacy 孫 = code 14 → 子の子)
    for rel, giv, gk, born, sex in (
        ("01", "正男", "ﾏｻｵ", d(1950, 1, 10), "1"), ("02", "和子", "ｶｽﾞｺ", d(1952, 7, 7), "2"),
        ("11", "大輔", "ﾀﾞｲｽｹ", d(1980, 3, 3), "1"), ("12", "恵", "ﾒｸﾞﾐ", d(1982, 12, 24), "2"),
        ("14", "陽菜", "ﾋﾅ", d(2015, 6, 18), "2"),
    ):  # fmt: skip
        add(4, rel, "鈴木", giv, "ｽｽﾞｷ", gk, born, sex, ichiban, d(1985, 10, 1), **hon, domicile_head="鈴木正男")
    # 5: 𠮷田
    add(
        5,
        "01",
        f"{YOSHI}田",
        "和夫",
        "ﾖｼﾀﾞ",
        "ｶｽﾞｵ",
        d(1960, 2, 29),
        "1",
        soto,
        d(1988, 4, 1),
        **hon,
        domicile_head=f"{YOSHI}田和夫",
    )
    add(
        5,
        "02",
        f"{YOSHI}田",
        "節子",
        "ﾖｼﾀﾞ",
        "ｾﾂｺ",
        d(1962, 10, 10),
        "2",
        soto,
        d(1988, 4, 1),
        **hon,
        domicile_head=f"{YOSHI}田和夫",
    )
    # 6: foreign residents — a permanent resident and his wife (家族滞在)
    fr = {"resident_kind": "2", "domicile": ""}
    add(6, "01", "王", "偉", "ﾜﾝ", "ｳｪｲ", d(1985, 8, 8), "1", kudan, d(2016, 9, 1), **fr, nationality="156",
        residence_status="01", residence_card_number="AB12345678CD", last_change_reason="002")  # fmt: skip
    add(6, "02", "李", "娜", "ﾘ", "ﾅ", d(1988, 3, 21), "2", kudan, d(2018, 4, 1), **fr, nationality="156",
        residence_status="23", period_of_stay_until=d(2027, 3, 31), residence_card_number="EF23456789GH",
        last_change_reason="002")  # fmt: skip
    # 7: a technical intern (names written in full-width Latin letters, as the card shows them)
    add(7, "01", _full("NGUYEN"), _full("VAN AN"), "ｸﾞｴﾝ", "ﾊﾞﾝｱﾝ", d(2000, 12, 1), "1", soto, d(2023, 10, 2), **fr,
        nationality="704", residence_status="24", period_of_stay_until=d(2026, 10, 1),
        residence_card_number="JK34567890LM", last_change_reason="002")  # fmt: skip
    # 8: a special permanent resident with a 通称
    add(8, "01", "金", "英洙", "ｷﾑ", "ﾖﾝｽ", d(1958, 4, 17), "1", ichiban, d(1990, 6, 1), **fr, nationality="410",
        residence_status="10", residence_card_number="NP45678901QR", alias="金田英夫", alias_kana="ｶﾈﾀﾞﾋﾃﾞｵ")  # fmt: skip
    # 9: a householder and a lodger (同居人)
    add(9, "01", "田中", "直樹", "ﾀﾅｶ", "ﾅｵｷ", d(1983, 9, 9), "1", koji, d(2014, 2, 1), **hon, domicile_head="田中直樹")
    add(
        9,
        "51",
        "井上",
        "拓也",
        "ｲﾉｳｴ",
        "ﾀｸﾔ",
        d(1984, 1, 20),
        "1",
        koji,
        d(2020, 8, 1),
        **hon,
        domicile_head="井上拓也",
    )
    # 10: 伊藤 — the householder's father died: his record is a 除票 (removed, 消除事由 013 死亡)
    add(10, "01", "伊藤", "博", "ｲﾄｳ", "ﾋﾛｼ", d(1965, 3, 30), "1", kanda, d(1995, 5, 1), **hon, domicile_head="伊藤博")
    add(10, "02", "伊藤", "直子", "ｲﾄｳ", "ﾅｵｺ", d(1967, 6, 6), "2", kanda, d(1995, 5, 1), **hon, domicile_head="伊藤博")
    add(10, "21", "伊藤", "清", "ｲﾄｳ", "ｷﾖｼ", d(1935, 2, 11), "1", kanda, d(1995, 5, 1), **hon, domicile_head="伊藤清",
        status="2", removed_on=d(2022, 11, 3), removal_reason="013", last_change_reason="013",
        last_change_on=d(2022, 11, 3))  # fmt: skip
    # 11: REVIEW — the wife's given name holds a 外字 that is not in the map
    add(11, "01", "渡辺", "剛", "ﾜﾀﾅﾍﾞ", "ﾂﾖｼ", d(1977, 7, 17), "1", soto, d(2003, 4, 1), **hon, domicile_head="渡辺剛")
    add(11, "02", "渡辺", f"{UNMAPPED}子", "ﾜﾀﾅﾍﾞ", "ｹｲｺ", d(1979, 1, 1), "2", soto, d(2003, 4, 1), **hon,
        domicile_head="渡辺剛")  # fmt: skip
    # 12: REVIEW — a 外字 whose identification is pending (the map has a suggestion only)
    add(12, "01", f"{PENDING}本", "勇", "ﾂｼﾞﾓﾄ", "ｲｻﾑ", d(1955, 5, 5), "1", ichiban, d(1980, 1, 7), **hon,
        domicile_head=f"{PENDING}本勇")  # fmt: skip
    # 13: REVIEW — two householders in one household (an error in the legacy data)
    add(13, "01", "小林", "修", "ｺﾊﾞﾔｼ", "ｵｻﾑ", d(1972, 2, 2), "1", kudan, d(2001, 9, 1), **hon, domicile_head="小林修")
    add(
        13, "01", "小林", "明美", "ｺﾊﾞﾔｼ", "ｱｹﾐ", d(1974, 4, 4), "2", kudan, d(2001, 9, 1), **hon, domicile_head="小林修"
    )
    # 14: the building name (方書) holds 外字 too
    add(14, "01", "加藤", "優", "ｶﾄｳ", "ﾕｳ", d(1995, 10, 10), "2", kanda, d(2021, 3, 15),
        building=f"{TAKA}{HASHI}ビル502", **hon, domicile_head="加藤優")  # fmt: skip
    return rows


def sample_records(layout: Layout, seed: int = 131016) -> list[bytes]:
    rng = random.Random(seed)  # noqa: S311 (made-up sample numbers, deterministic on purpose)
    records = []
    for row in _people():
        values: dict[str, str] = {"municipality_code": TENANT}
        for key, value in row.items():
            if isinstance(value, date):
                values[key] = era7(value)
            else:
                text = str(value)
                values[key] = _full(text) if layout.has(key) and layout.field(key).type == "N" else text
        first_ten = "".join(str(rng.randrange(10)) for _ in range(10))
        values["resident_code"] = first_ten + str(resident_code_check_digit(first_ten))
        first_eleven = "".join(str(rng.randrange(10)) for _ in range(11))
        values["individual_number"] = first_eleven + str(individual_number_check_digit(first_eleven))
        records.append(encode_record(layout, values))
    return records


def sample_bytes(layout: Layout | None = None) -> bytes:
    """The sample file: CP932, one record per line, each followed by CR LF."""
    layout = layout or load_layout(LAYOUT)
    return b"".join(r + layout.separator for r in sample_records(layout))


def main() -> None:
    OUTPUT.write_bytes(sample_bytes())
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
