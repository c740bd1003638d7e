import json
from pathlib import Path

from django.core.management import call_command

from kiban.standard.management.commands.standard import Command
from kiban.standard.schema_files import MODELS, SUFFIX, write_schemas

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "standard"
REGENERATE = "run `kiban standard schema --out docs/standard`"


def test_committed_schemas_are_current(tmp_path):
    write_schemas(tmp_path)
    fresh = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.glob(f"*{SUFFIX}")}
    committed = {p.name: p.read_text(encoding="utf-8") for p in COMMITTED.glob(f"*{SUFFIX}")}
    assert sorted(committed) == sorted(fresh), REGENERATE
    for name, text in fresh.items():
        assert committed[name] == text, f"docs/standard/{name} is stale: {REGENERATE}"


def test_writing_twice_gives_identical_bytes_and_removes_stale_files(tmp_path):
    (tmp_path / f"retired{SUFFIX}").write_text("{}\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("kept\n", encoding="utf-8")
    first = {p.name: p.read_bytes() for p in write_schemas(tmp_path)}
    second = {p.name: p.read_bytes() for p in write_schemas(tmp_path)}
    assert first == second
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*first, "README.md"])
    assert all(text.endswith(b"}\n") and not text.endswith(b"\n\n") for text in first.values())


def test_schemas_carry_the_japanese_item_names_unescaped(tmp_path):
    write_schemas(tmp_path)
    resident = json.loads((tmp_path / f"resident{SUFFIX}").read_text(encoding="utf-8"))
    assert resident["properties"]["individual_number"]["title"] == "個人番号"
    assert resident["properties"]["residence_card_number"]["title"] == "在留カードの番号"
    assert resident["$defs"]["Address"]["properties"]["building"]["title"] == "方書"
    assert "住民票コード" in (tmp_path / f"resident{SUFFIX}").read_text(encoding="utf-8")
    for stem in MODELS:
        schema = json.loads((tmp_path / f"{stem}{SUFFIX}").read_text(encoding="utf-8"))
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert all("title" in prop for prop in schema["properties"].values()), stem


def test_the_command_writes_the_schemas(tmp_path):
    call_command(Command(), "schema", "--out", str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{stem}{SUFFIX}" for stem in MODELS)
