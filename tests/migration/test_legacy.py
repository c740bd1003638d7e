"""Legacy fixed-width files: layout checks, 外字 mapping, the review queue, and loading into the registry."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command

from kiban.migration.legacy import (
    GaijiMapError,
    LayoutError,
    check_character,
    import_file,
    load_gaiji_map,
    load_layout,
    plan,
)
from kiban.migration.legacy.sample import LAYOUT, sample_bytes

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "docs/migration/samples/residents-sample.dat"
GAIJI = REPO / "docs/migration/samples/gaiji-map.csv"
CODE = "131016"
RECORD = 640 + 2  # record + CR LF


@pytest.fixture
def layout() -> Any:
    return load_layout(LAYOUT)


@pytest.fixture
def gaiji() -> Any:
    return load_gaiji_map(GAIJI)


def residents(code: str = CODE) -> list[Any]:
    from kiban.apps.residents.models import Resident
    from kiban.platform.tenants.context import tenant_context

    with tenant_context(code):
        return list(Resident.objects.select_related("household").order_by("id"))


def review_rows(directory: Path) -> list[dict[str, str]]:
    with (directory / "review.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# --- The sample and its generator ------------------------------------------------------------------------------


def test_committed_sample_is_what_the_generator_writes(layout: Any) -> None:
    assert SAMPLE.read_bytes() == sample_bytes(layout)
    data = SAMPLE.read_bytes()
    assert len(data) == 30 * RECORD and data.count(b"\r\n") == 30
    assert b"\xf0\x40" in data  # a 外字 in the CP932 user-defined area


def test_sample_file_imports(tenant_a: Any, layout: Any, gaiji: Any, tmp_path: Path) -> None:
    report = import_file(SAMPLE, layout, gaiji, CODE, review_out=tmp_path)
    assert (report.records, report.imported_records, report.imported_households) == (30, 24, 11)
    assert (report.review_records, report.review_households, report.removed_not_migrated) == (5, 3, 1)
    loaded = residents()
    assert len(loaded) == 24
    foreign = [r for r in loaded if r.kind == "foreign"]
    assert {r.nationality for r in foreign} == {"156", "704", "410"}
    special = next(r for r in foreign if r.nationality == "410")
    assert (special.residence_status, special.alias) == ("特別永住者", "金田英夫")
    grandchild = next(r for r in loaded if r.given_name == "陽菜")
    assert grandchild.relationship == "子の子"  # legacy 孫 (code 14) in the standard's words
    assert grandchild.family_name_kana == "スズキ"  # half-width kana of the legacy file → full-width
    assert "records read: 30" in (tmp_path / "report.txt").read_text(encoding="utf-8")


def test_mapped_gaiji_becomes_the_standard_character_and_search_finds_it(
    tenant_a: Any, layout: Any, gaiji: Any, tmp_path: Path
) -> None:
    from kiban.apps.residents.selectors import SearchCriteria, search
    from kiban.platform.tenants.context import tenant_context

    import_file(SAMPLE, layout, gaiji, CODE, review_out=tmp_path)
    stored = {r.family_name for r in residents()}
    assert {"髙橋", "山﨑", "𠮷田"} <= stored
    assert not any("\ue000" <= c <= "\uf8ff" for name in stored for c in name)
    with tenant_context(CODE):
        found = search(SearchCriteria(name="高橋"), purpose="test")
        assert {r.family_name for r in found} == {"髙橋"} and len(found) == 4
        assert {r.family_name for r in search(SearchCriteria(name="吉田"), purpose="test")} == {"𠮷田"}
    kato = next(r for r in residents() if r.family_name == "加藤")
    assert kato.household.building == "髙槗ビル５０２"


def test_unmapped_gaiji_sends_the_household_to_review_and_loads_nothing_of_it(
    tenant_a: Any, layout: Any, gaiji: Any, tmp_path: Path
) -> None:
    import_file(SAMPLE, layout, gaiji, CODE, review_out=tmp_path)
    assert not [r for r in residents() if r.family_name == "渡辺"]  # neither the wife nor her husband
    rows = review_rows(tmp_path)
    unmapped = next(r for r in rows if r["problem"] == "gaiji_unmapped" and r["record"] == "26")
    assert (unmapped["field"], unmapped["byte_offset"], unmapped["raw_hex"]) == ("given_name", "114", "F0 51")
    assert unmapped["file_offset"] == str(25 * RECORD + 113)
    assert any(r["record"] == "25" and r["problem"] == "household_in_review" for r in rows)
    pending = next(r for r in rows if r["record"] == "27" and r["field"] == "family_name")
    assert pending["suggestion"] == "辻"  # shown to the reviewer, never applied
    assert not [r for r in residents() if r.family_name.endswith("本") and r.given_name == "勇"]
    assert {r["record"] for r in rows if r["problem"] == "householder"} == {"28", "29"}


def test_removed_person_is_reported_as_not_migrated(tenant_a: Any, layout: Any, gaiji: Any, tmp_path: Path) -> None:
    import_file(SAMPLE, layout, gaiji, CODE, review_out=tmp_path)
    with (tmp_path / "not-migrated.csv").open(encoding="utf-8") as fh:
        (row,) = list(csv.DictReader(fh))
    assert (row["record"], row["removed_on"], row["removal_reason"]) == ("24", "2022-11-03", "死亡")
    ito = [r for r in residents() if r.family_name == "伊藤"]
    assert sorted(r.given_name for r in ito) == ["博", "直子"]


def test_corrupted_bytes_are_reported_with_record_and_offset(layout: Any, gaiji: Any) -> None:
    data = bytearray(SAMPLE.read_bytes())
    at = 7 * RECORD + 89  # record 8 (佐藤, who lives alone), 氏 (byte 90 of the record)
    data[at : at + 2] = b"\x85\x40"  # a lead byte CP932 does not define
    result = plan(bytes(data), layout, gaiji, CODE)
    (issue,) = [i for i in result.report.issues if i.code == "decode_error"]
    assert (issue.record, issue.field, issue.byte_offset, issue.file_offset) == (8, "family_name", 90, at)
    assert issue.raw_hex.startswith("85")
    assert result.report.imported_records == 24 - 1  # only his household is held back


def test_a_record_of_the_wrong_length_is_reported(layout: Any, gaiji: Any) -> None:
    data = SAMPLE.read_bytes()
    short = data[:RECORD] + data[RECORD : 2 * RECORD - 3] + b"\r\n" + data[2 * RECORD :]
    result = plan(short, layout, gaiji, CODE)
    (issue,) = [i for i in result.report.issues if i.code == "record_length"]
    assert (issue.record, issue.file_offset) == (2, RECORD)
    assert "639 bytes" in issue.message


# --- Refusals: layout and 外字 map -----------------------------------------------------------------------------


def _layout_data() -> Any:
    return yaml.safe_load(LAYOUT.read_text(encoding="utf-8"))


def test_layout_with_overlapping_fields_is_refused(tmp_path: Path) -> None:
    data = _layout_data()
    data["fields"][2]["offset"] = 15  # 世帯番号 starts inside 住民票コード (7–17)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(LayoutError) as exc:
        load_layout(path)
    assert "'resident_code' (bytes 7–17) and 'household_number' (bytes 15–24) overlap" in str(exc.value)


def test_layout_with_the_wrong_record_length_is_refused(tmp_path: Path) -> None:
    data = _layout_data()
    data["record_length"] = 600
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(LayoutError, match="the fields end at byte 640 but record_length is 600"):
        load_layout(path)


def test_layout_refuses_gaps_odd_double_byte_fields_and_codes_the_standard_lacks(tmp_path: Path) -> None:
    data = _layout_data()
    data["fields"][-1]["length"] = 50  # filler shortened: bytes 635–640 belong to nothing
    data["fields"][8]["length"] = 23  # 氏 (N) of odd length
    data["code_tables"]["relationship"]["99"] = "祖母"  # not a 続柄 of the standard
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(LayoutError) as exc:
        load_layout(path)
    message = str(exc.value)
    assert "length must be even, got 23" in message
    assert "code '99' → '祖母' is not a 続柄" in message
    assert "belong to no field" in message


def test_gaiji_map_refuses_inconsistent_rows(tmp_path: Path) -> None:
    path = tmp_path / "map.csv"
    path.write_text(
        "code_point,cp932,standard,mj,suggestion,note\n"
        "U+E000,F041,髙,,,\n"  # F041 is U+E001
        "U+E002,,A,,,\n"  # not a 行政事務標準文字 candidate
        "U+E003,,高,MJ000001,,\n",  # wrong MJ name
        encoding="utf-8",
    )
    with pytest.raises(GaijiMapError) as exc:
        load_gaiji_map(path)
    message = str(exc.value)
    assert "line 2: code_point U+E000 and cp932 F041 are different characters" in message
    assert "line 3:" in message and "neither an MJ character nor in JIS X 0213" in message
    assert "line 4: '高' is MJ028901 in the MJ table, not MJ000001" in message


def test_character_check_uses_the_mj_tables() -> None:
    taka = check_character("髙")
    assert (taka.jis_x_0213, taka.mj, taka.degenerated) == (False, ("MJ028902",), "高")
    assert check_character("﨑").jis_x_0213 and check_character("𠮷").degenerated == "吉"


# --- Dry run, rerun, command -----------------------------------------------------------------------------------


def test_dry_run_writes_nothing(tenant_a: Any, layout: Any, gaiji: Any, tmp_path: Path) -> None:
    report = import_file(SAMPLE, layout, gaiji, CODE, dry_run=True, review_out=tmp_path)
    assert report.imported_records == 24 and report.dry_run
    assert residents() == []
    assert review_rows(tmp_path)  # the review queue is the point of a dry run


def test_rerun_of_the_same_file_does_not_duplicate(tenant_a: Any, layout: Any, gaiji: Any) -> None:
    first = import_file(SAMPLE, layout, gaiji, CODE)
    second = import_file(SAMPLE, layout, gaiji, CODE)
    assert first.imported_records == 24 and not first.already_imported
    assert second.already_imported and second.imported_records == 0
    assert len(residents()) == 24


def test_command(tenant_a: Any, tmp_path: Path) -> None:
    from io import StringIO

    out = StringIO()
    call_command(
        "legacy_import", str(SAMPLE), "--tenant", CODE, "--layout", str(LAYOUT), "--gaiji", str(GAIJI),
        "--review-out", str(tmp_path), stdout=out,
    )  # fmt: skip
    assert "imported: 24 records in 11 households" in out.getvalue()
    assert "need review: 5 records in 3 households" in out.getvalue()
    assert (tmp_path / "review.csv").exists()
    assert len(residents()) == 24
