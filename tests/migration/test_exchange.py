"""Standard export and import: round trip byte for byte, validation with file and line, refusal, kill -9."""

from __future__ import annotations

import csv
import datetime
import json
import os
import re
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiban.migration.exchange import ImportRefused, LoadFailed, export_tenant, import_tenant, validate
from kiban.migration.exchange.files import read_manifest, sha256_of, write_manifest

pytestmark = pytest.mark.postgres

SOURCE, TARGET = "131016", "131059"  # 千代田区, 文京区
BOTH = pytest.mark.django_db(databases=["default", "owner"])
KANA = st.sampled_from(["ヤマダ", "スズキ", "タナカ", "ワタナベ", "イトウ"])
NUMBERS = ["123456789018", "000000000019", "111111111118", "222222222225", "333333333332", "444444444440"]


class _Rollback(Exception):
    pass


def _tables(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.glob("*.csv")) if p.name != "audit_entries.csv"}


def _audit(directory: Path, only: set[str] | None = None) -> list[list[str]]:
    """Audit rows without ``seq``: the target's trail may begin with entries of its own (provisioning), after
    which the imported entries follow with their seq shifted; everything else of an entry is kept."""
    with (directory / "audit_entries.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))[1:]
    return [[r[0], *r[2:]] for r in rows if only is None or r[0] in only]


def _same_data(first: Path, second: Path) -> None:
    assert _tables(first) == _tables(second)
    source = _audit(first)
    assert _audit(second, {r[0] for r in source}) == source


def _move_in(code: str, n: int, kana: str, members: int, number: bool, foreign: bool) -> list[int]:
    from kiban.apps.residents import services
    from kiban.apps.residents.validation import PersonData
    from kiban.platform.tenants.context import tenant_context

    persons = []
    for i in range(members):
        extra: dict[str, Any] = {}
        if foreign and i == 0:
            extra = {"kind": "foreign", "nationality": "704", "residence_status": "留学",
                     "residence_card_number": "AB12345678CD",
                     "period_of_stay_until": datetime.date(2027, 3, 31)}  # fmt: skip
        persons.append(
            PersonData(
                family_name="山田", given_name=f"太郎{i}", family_name_kana=kana, given_name_kana="タロウ",
                birth_date=datetime.date(1970 + i, 1 + i, 2), sex="1" if i % 2 == 0 else "2",
                relationship="世帯主" if i == 0 else "子",
                individual_number=NUMBERS[(n * 3 + i) % len(NUMBERS)] if number and i == 0 else "", **extra,
            )
        )  # fmt: skip
    with tenant_context(code):
        result = services.move_in(
            services.Notification(f"hyp-{n}", datetime.date(2019, 4, 1), datetime.date(2019, 4, 5)),
            address=services.AddressData(f"東京都千代田区千代田{n}番1号", "1000001", "千代田", '"コーポ",\n101'),
            persons=persons, origin="abroad",
        )  # fmt: skip
        return result.resident_ids


def _population(code: str, households: list[tuple[str, int, bool, bool]]) -> None:
    from kiban.apps.residents import services
    from kiban.platform.tenants.context import tenant_context

    for n, (kana, members, number, foreign) in enumerate(households, start=1):
        ids = _move_in(code, n, kana, members, number and n <= 2, foreign)
        if n == 1 and members > 1:  # some history beyond the first entry: the child moves out of the register
            with tenant_context(code):
                services.move_out(
                    services.Notification(f"out-{n}", datetime.date(2021, 5, 1), datetime.date(2021, 4, 20)),
                    resident_ids=[ids[1]], destination_address="大阪府大阪市北区梅田1丁目",
                )  # fmt: skip


@BOTH
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(households=st.lists(st.tuples(KANA, st.integers(1, 3), st.booleans(), st.booleans()), min_size=1, max_size=4))
def test_export_import_export_gives_byte_identical_tables(tmp_path_factory: Any, households: Any) -> None:
    from kiban.platform.audit.services import verify
    from kiban.platform.tenants.context import tenant_context
    from kiban.platform.tenants.services import provision

    first, second = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    try:
        with transaction.atomic():
            provision(SOURCE)
            provision(TARGET)
            _population(SOURCE, households)
            export_tenant(SOURCE, first)
            result = import_tenant(TARGET, first)
            assert result.loaded, result.report.text()
            export_tenant(TARGET, second)
            with tenant_context(TARGET):
                assert verify().ok
            raise _Rollback
    except _Rollback:
        pass
    _same_data(first, second)
    manifest = read_manifest(first)
    assert manifest["contains_specific_personal_information"] is True
    assert manifest["tables"]["residents"]["rows"] == sum(m for _, m, _, _ in households)
    assert all(sha256_of(first / e["file"]) == e["sha256"] for e in manifest["tables"].values())


@BOTH
def test_the_copy_of_the_platform_cipher_matches_it(tenant_a: Any) -> None:
    from kiban.migration.exchange.crypto import TenantCipher
    from kiban.platform.crypto import services as crypto
    from kiban.platform.tenants.context import tenant_context

    with tenant_context(tenant_a.code):
        cipher = TenantCipher("residents.individual_number")
        blob = cipher.encrypt("123456789018")
        assert crypto.decrypt(blob, "residents.individual_number") == "123456789018"
        assert cipher.digest("123456789018") == crypto.digest("123456789018", "residents.individual_number")
        assert cipher.decrypt(crypto.encrypt("000000000019", "residents.individual_number")) == "000000000019"


def _exported(tmp_path: Path, households: int = 2) -> Path:
    from kiban.platform.tenants.services import provision

    provision(SOURCE)
    provision(TARGET)
    _population(SOURCE, [("ヤマダ", 2, True, False)] * households)
    out = tmp_path / "export"
    export_tenant(SOURCE, out)
    return out


def _rewrite(directory: Path, name: str, edit: Any) -> None:
    path = directory / name
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    manifest = read_manifest(directory)
    for entry in manifest["tables"].values():
        if entry["file"] == name:
            entry["sha256"] = sha256_of(path)
    write_manifest(directory, manifest)


@BOTH
def test_invalid_files_are_reported_by_file_and_line_and_nothing_is_written(tmp_path: Path) -> None:
    out = _exported(tmp_path)

    def break_residents(text: str) -> str:
        return text.replace(",1970-01-02,", ",1970-13-02,", 1)  # a date that does not exist

    _rewrite(out, "residents.csv", break_residents)
    _rewrite(out, "support_measures.csv", lambda t: t + '1,999999,provisional,2024-01-01,,,"","",窓口,係員\n')
    report = validate(out)
    assert not report.ok
    text = "\n".join(report.errors)
    assert re.search(r"residents.csv:[0-9]+: birth_date: '1970-13-02' is not a date", text), text
    assert "support_measures.csv:2: resident_id 999999 refers to no row of residents" in text
    assert "support_measures.csv: 1 rows, the manifest says 0" in text
    result = import_tenant(TARGET, out)
    assert not result.loaded
    from kiban.migration.exchange.importer import existing_rows
    from kiban.migration.exchange.tables import exchanged_tables

    assert existing_rows(TARGET, [t for t in exchanged_tables() if not t.audit_chain]) == {}


@BOTH
def test_a_check_digit_error_names_the_line(tmp_path: Path) -> None:
    out = _exported(tmp_path, households=1)

    def wrong_check_digit(text: str) -> str:
        return re.sub(r",([0-9]{11})([0-9])$", lambda m: f",{m[1]}{(int(m[2]) + 1) % 10}", text, count=1, flags=re.M)

    _rewrite(out, "residents.csv", wrong_check_digit)
    report = validate(out)
    assert any(e.startswith("residents.csv:") and "check digit" in e for e in report.errors), report.errors


@BOTH
@pytest.mark.parametrize("inline", ["0", "1"])
def test_an_error_only_the_validator_sees_rolls_back_the_load(tmp_path: Path, monkeypatch: Any, inline: str) -> None:
    """The database would accept a wrong check digit: the load runs to its end (beside the validating process, or
    after inline validation), then the validator's report stops the commit."""
    from kiban.migration.exchange.importer import INLINE_ENV, existing_rows
    from kiban.migration.exchange.tables import exchanged_tables

    monkeypatch.setenv(INLINE_ENV, inline)
    out = _exported(tmp_path, households=1)

    def wrong_check_digit(text: str) -> str:
        return re.sub(r",([0-9]{11})([0-9])$", lambda m: f",{m[1]}{(int(m[2]) + 1) % 10}", text, count=1, flags=re.M)

    _rewrite(out, "residents.csv", wrong_check_digit)
    result = import_tenant(TARGET, out)
    assert not result.loaded
    assert any(e.startswith("residents.csv:") and "check digit" in e for e in result.report.errors), result.report
    assert existing_rows(TARGET, [t for t in exchanged_tables() if not t.audit_chain]) == {}


@BOTH
def test_a_file_changed_after_export_fails_its_hash(tmp_path: Path) -> None:
    out = _exported(tmp_path, households=1)
    path = out / "households.csv"
    path.write_bytes(path.read_bytes().replace("千代田".encode(), "神田".encode(), 1))
    report = validate(out)
    assert "households.csv: SHA-256 differs from the manifest (file altered or truncated)" in report.errors


@BOTH
def test_dry_run_prints_the_report_and_writes_nothing(tmp_path: Path, capsys: Any) -> None:
    out = _exported(tmp_path, households=1)
    call_command("import", "--tenant", TARGET, str(out), "--dry-run")
    assert "dry run: nothing was written" in capsys.readouterr().out
    from kiban.migration.exchange.importer import existing_rows
    from kiban.migration.exchange.tables import exchanged_tables

    assert existing_rows(TARGET, [t for t in exchanged_tables() if not t.audit_chain]) == {}


def _registry_rows(code: str) -> dict[str, int]:
    from kiban.migration.exchange.importer import existing_rows
    from kiban.migration.exchange.tables import exchanged_tables

    return existing_rows(code, [t for t in exchanged_tables() if not t.audit_chain])


@BOTH
def test_a_tenant_with_data_is_refused_without_a_mode(tmp_path: Path) -> None:
    out = _exported(tmp_path, households=1)
    before = _registry_rows(SOURCE)
    with pytest.raises(ImportRefused, match=r"already has data .*--mode refuse \(the default\) stops here"):
        import_tenant(SOURCE, out)
    with pytest.raises(ImportRefused, match="not known"):
        import_tenant(TARGET, out, mode="upsert")
    assert _registry_rows(SOURCE) == before and _registry_rows(TARGET) == {}


def _lines_of(path: Path) -> set[str]:
    return set(path.read_text(encoding="utf-8").splitlines()[1:])


@BOTH
def test_merge_adds_the_files_rows_beside_the_tenants_own(tmp_path: Path) -> None:
    from kiban.platform.audit.services import verify
    from kiban.platform.tenants.context import tenant_context

    out = _exported(tmp_path, households=2)
    _move_in(TARGET, 100, "スズキ", 2, False, True)  # the target's own registry (other ids and request ids)
    before = _registry_rows(TARGET)
    result = import_tenant(TARGET, out, mode="merge")
    assert result.loaded, result.report.text()
    after = _registry_rows(TARGET)
    assert after == {name: before.get(name, 0) + rows for name, rows in result.rows.items() if name in after}
    merged = tmp_path / "merged"
    export_tenant(TARGET, merged)
    for name in ("households.csv", "residents.csv", "procedures.csv", "resident_history.csv"):
        assert _lines_of(out / name) <= _lines_of(merged / name), name
    with tenant_context(TARGET):
        assert verify().ok


@BOTH
def test_merge_refuses_ids_the_tenant_holds_by_file_and_line_and_writes_nothing(tmp_path: Path) -> None:
    out = _exported(tmp_path, households=1)
    assert import_tenant(TARGET, out).loaded
    before = _registry_rows(TARGET)
    result = import_tenant(TARGET, out, mode="merge")
    assert not result.loaded
    first_household = (out / "households.csv").read_text().splitlines()[1].split(",")[0]
    assert f"households.csv:2: id {first_household} is already held by the target tenant" in result.report.errors
    assert any(e.startswith("residents.csv:2: id ") for e in result.report.errors), result.report.errors
    assert _registry_rows(TARGET) == before
    dry = import_tenant(TARGET, out, mode="merge", dry_run=True)  # the dry run sees the same conflicts
    assert dry.report.errors == result.report.errors


@BOTH
def test_merge_names_the_line_whose_individual_number_the_tenant_holds(tmp_path: Path) -> None:
    from kiban.platform.tenants.services import provision

    provision(SOURCE)
    provision(TARGET)
    _move_in(TARGET, 51, "スズキ", 1, True, False)  # NUMBERS[3] (its own request id, hyp-51)
    _population(SOURCE, [("ヤマダ", 1, True, False)])  # the same number in the source's first household
    out = tmp_path / "export"
    export_tenant(SOURCE, out)
    before = _registry_rows(TARGET)
    with pytest.raises(LoadFailed) as failed:
        import_tenant(TARGET, out, mode="merge")
    message = str(failed.value)
    assert message == (
        f"residents.csv:2: individual_number is already held by tenant {TARGET} (resident_individual_number_unique)"
    )
    assert NUMBERS[3] not in message
    assert _registry_rows(TARGET) == before


@BOTH
def test_replace_is_refused_for_a_tenant_with_history(tmp_path: Path) -> None:
    out = _exported(tmp_path, households=1)
    _population(TARGET, [("スズキ", 1, False, False)])
    before = _registry_rows(TARGET)
    with pytest.raises(ImportRefused, match=r"--mode replace cannot empty it: procedures, resident_history"):
        import_tenant(TARGET, out, mode="replace")
    assert _registry_rows(TARGET) == before


@BOTH
def test_replace_empties_a_registry_without_history_then_loads(tmp_path: Path) -> None:
    from kiban.apps.residents.models import Household
    from kiban.platform.tenants.context import tenant_context

    out = _exported(tmp_path, households=2)
    with tenant_context(TARGET):  # e.g. households keyed in before the move: no procedure, no history yet
        Household.objects.create(address="東京都文京区春日1丁目", established_on=datetime.date(2020, 1, 1))
    assert _registry_rows(TARGET) == {"households": 1}
    result = import_tenant(TARGET, out, mode="replace")
    assert result.loaded, result.report.text()
    replaced = tmp_path / "replaced"
    export_tenant(TARGET, replaced)
    _same_data(out, replaced)


@BOTH
def test_a_duplicate_key_is_named_by_file_and_line_and_rolls_the_whole_load_back(tmp_path: Path) -> None:
    _a_duplicate_key_is_named_by_file_and_line(tmp_path)


def test_a_duplicate_key_met_by_the_copy_straight_into_the_table_is_named_by_file_and_line(
    committed_db: None, tmp_path: Path
) -> None:
    """Outside a transaction the import COPYs straight into the tables; the database's refusal is traced back."""
    _a_duplicate_key_is_named_by_file_and_line(tmp_path)


def _a_duplicate_key_is_named_by_file_and_line(tmp_path: Path) -> None:
    out = _exported(tmp_path)
    header, *lines = (out / "residents.csv").read_text().splitlines()
    column = header.split(",").index("resident_code")
    codes = [line.split(",")[column] for line in lines]
    _rewrite(out, "residents.csv", lambda t: t.replace(codes[1], codes[0]))
    with pytest.raises(LoadFailed) as failed:
        import_tenant(TARGET, out)
    match = re.fullmatch(
        rf"residents\.csv:([0-9]+): resident_code {codes[0]} is also on line ([0-9]+) \(resident_code_unique\)",
        str(failed.value),
    )
    assert match, str(failed.value)
    lines = (out / "residents.csv").read_text().splitlines()
    assert (int(match[2]), int(match[1])) == (2, 3)
    assert codes[0] in lines[int(match[1]) - 1] and codes[0] in lines[int(match[2]) - 1]
    assert _registry_rows(TARGET) == {}


@BOTH
def test_a_duplicate_after_a_record_spanning_lines_gets_the_right_line(tmp_path: Path) -> None:
    out = _exported(tmp_path)

    def first_record_on_two_lines_and_its_request_id_repeated(text: str) -> str:
        header, first, second, *rest = text.split("\n")
        request_ids = [next(csv.reader([line]))[2] for line in (first, second)]
        first = first.replace(',"{""', ',"{\n""', 1)  # JSON may hold a line break between tokens
        assert "\n" in first
        second = second.replace(f",{request_ids[1]},", f",{request_ids[0]},", 1)
        return "\n".join([header, first, second, *rest])

    _rewrite(out, "procedures.csv", first_record_on_two_lines_and_its_request_id_repeated)
    assert validate(out).ok
    with pytest.raises(LoadFailed) as failed:
        import_tenant(TARGET, out)
    assert re.fullmatch(
        r"procedures\.csv:4: request_id \S+ is also on line 2 \(procedure_request_unique\)", str(failed.value)
    ), str(failed.value)
    assert _registry_rows(TARGET) == {}


def _database_url() -> str:
    owner = connections["owner"].settings_dict
    name = connections["default"].settings_dict["NAME"]
    return f"postgres://{owner['USER']}@{owner['HOST'] or '127.0.0.1'}:{owner['PORT'] or 5432}/{name}"


def _kiban(*args: str, pause: str = "") -> subprocess.Popen[str]:
    env = {**os.environ, "DATABASE_URL": _database_url(), "KIBAN_EXCHANGE_TEST_PAUSE": pause}
    return subprocess.Popen(
        [sys.executable, "-m", "django", *args, "--settings", "kiban.settings"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


@pytest.mark.parametrize("killed_at", ["households", "residents:copy", "resident_history:copy", "audit_entries"])
def test_kill_9_during_the_import_then_a_rerun_gives_one_clean_import(
    committed_db: None, tmp_path: Path, killed_at: str
) -> None:
    from kiban.platform.tenants.services import provision

    provision(SOURCE)
    provision(TARGET)
    _population(SOURCE, [("ヤマダ", 3, True, False), ("スズキ", 1, True, True), ("タナカ", 2, False, False)])
    original = tmp_path / "original"
    export_tenant(SOURCE, original)
    connections["default"].close()

    process = _kiban("import", "--tenant", TARGET, str(original), pause=killed_at)
    assert process.stdout is not None
    table, _, mid = killed_at.partition(":")
    marker = f"copying {table}" if mid else f"loaded {table}"
    for line in process.stdout:  # the process stops for a minute after printing the marker
        if line.strip() == marker:
            break
    else:
        pytest.fail(f"the import never printed {marker!r}: {process.stderr.read() if process.stderr else ''}")
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL

    rerun = _kiban("import", "--tenant", TARGET, str(original))
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    assert "references between the files checked set-based" in out  # the import role's connection, triggers off
    assert "copied straight into the tables: households, procedures," in out and "staged: resident_history" in out
    again = _kiban("import", "--tenant", TARGET, str(original))
    _, err = again.communicate(timeout=120)
    assert again.returncode != 0 and "already has data" in err

    result = tmp_path / "result"
    export_tenant(TARGET, result)
    _same_data(original, result)


@BOTH
def test_seed_writes_the_population_as_exchange_files_and_imports_it(tmp_path: Path, capsys: Any) -> None:
    from kiban.apps.residents.models import Resident
    from kiban.platform.audit.services import verify
    from kiban.platform.tenants.context import tenant_context

    call_command("seed", "--tenant", TARGET, "--residents", "300", "--seed", "7", "--keep", str(tmp_path))
    assert "300 residents loaded" in capsys.readouterr().out
    with tenant_context(TARGET):
        assert Resident.objects.count() == 300
        foreign = Resident.objects.filter(kind="foreign").exclude(nationality="")
        assert all(len(r.nationality) == 3 and r.nationality.isdigit() for r in foreign)
        assert Resident.objects.exclude(individual_number_digest="").count() == 300
        assert verify().ok
    manifest = json.loads((tmp_path / TARGET / "manifest.json").read_text())
    assert manifest["tables"]["resident_history"]["rows"] >= 300


def test_imported_search_keys_are_the_ones_the_registry_computes() -> None:
    from kiban.apps.residents.exchange import _kana_key, _name_key
    from kiban.apps.residents.models import Resident

    row = {"family_name_kana": "オオノ", "given_name_kana": "タカコ", "family_name": "大野", "given_name": "髙子"}
    resident = Resident(**row)
    resident.refresh_search_keys()
    assert (_kana_key(row), _name_key(row)) == (resident.search_kana, resident.search_name)


@BOTH
def test_the_command_takes_the_mode_and_prints_the_lines_of_a_refusal(tmp_path: Path, capsys: Any) -> None:
    from django.core.management.base import CommandError

    out = _exported(tmp_path, households=1)
    call_command("import", "--tenant", TARGET, str(out))
    with pytest.raises(CommandError, match="does not validate"):
        call_command("import", "--tenant", TARGET, str(out), "--mode", "merge")
    assert "households.csv:2: id " in capsys.readouterr().err
    with pytest.raises(CommandError, match="--mode replace cannot empty it"):
        call_command("import", "--tenant", TARGET, str(out), "--mode", "replace")


@BOTH
def test_the_import_role_may_switch_off_triggers_but_not_row_level_security() -> None:
    """kiban_import: the application's privileges plus SET session_replication_role; the application role lacks it."""
    from django.conf import settings as django_settings

    with connections["owner"].cursor() as cursor:
        cursor.execute(
            "SELECT rolname, rolsuper, rolbypassrls, has_parameter_privilege(rolname, 'session_replication_role', "
            "'SET'), has_table_privilege(rolname, 'residents_residenthistory', 'UPDATE'), "
            "has_table_privilege(rolname, 'residents_residenthistory', 'INSERT') FROM pg_roles "
            "WHERE rolname IN (%s, %s) ORDER BY rolname <> %s",
            [django_settings.APP_DB_USER, django_settings.IMPORT_DB_USER, django_settings.IMPORT_DB_USER],
        )
        rows = cursor.fetchall()
    assert rows == [
        (django_settings.IMPORT_DB_USER, False, False, True, False, True),
        (django_settings.APP_DB_USER, False, False, False, False, True),
    ]


def test_an_import_outside_a_transaction_checks_references_set_based_and_commits_one_clean_copy(
    committed_db: None, tmp_path: Path
) -> None:
    out = _exported(tmp_path, households=2)
    result = import_tenant(TARGET, out)
    assert result.loaded and result.references == "set-based", result.report.text()
    # Straight into the tables as the import's copy role, but the history (its snapshots get the target's digest).
    assert result.copied == {name: "straight" for name in result.rows} | {"resident_history": "staged"}
    again = tmp_path / "again"
    export_tenant(TARGET, again)
    _same_data(out, again)


def _without_reference_checks(monkeypatch: Any) -> None:
    """The validator blind to references (it would report them first), so that the database's check is what stops
    the load."""
    import dataclasses

    from kiban.migration.exchange import importer

    monkeypatch.setenv(importer.INLINE_ENV, "1")
    real = importer.validate_files

    def blind(directory: Path, tables: list[Any], report: Any, held: Any) -> None:
        unreferenced = [
            dataclasses.replace(t, columns=tuple(dataclasses.replace(c, references=None) for c in t.columns))
            for t in tables
        ]
        real(directory, unreferenced, report, held)

    monkeypatch.setattr(importer, "validate_files", blind)


@pytest.mark.parametrize("in_transaction", [False, True], ids=["set-based", "row-by-row"])
def test_a_reference_to_no_row_is_refused_by_the_database_and_nothing_is_written(
    committed_db: None, tmp_path: Path, monkeypatch: Any, in_transaction: bool
) -> None:
    from kiban.migration.exchange.importer import existing_rows
    from kiban.migration.exchange.tables import exchanged_tables

    out = _exported(tmp_path, households=2)
    _without_reference_checks(monkeypatch)
    dangling = r"\1,987654,"  # the first history entry's procedure_id: no such procedure
    _rewrite(out, "resident_history.csv", lambda text: re.sub(r"^(\d+,\d+),\d+,", dangling, text, count=1, flags=re.M))
    with pytest.raises(LoadFailed) as failure:
        if in_transaction:
            with transaction.atomic():
                import_tenant(TARGET, out)
        else:
            import_tenant(TARGET, out)
    message = str(failure.value)
    assert "references between files do not hold" in message
    if not in_transaction:
        assert "resident_history.csv: procedure_id 987654 refers to no residents_procedure row" in message, message
    assert existing_rows(TARGET, [t for t in exchanged_tables() if not t.audit_chain]) == {}


@given(st.sets(st.integers(1, 400), max_size=120), st.lists(st.integers(-5, 410), max_size=50))
def test_id_runs_hold_exactly_the_ids_added_in_order(ids: set[int], probes: list[int]) -> None:
    from kiban.migration.exchange.validator import IdRuns

    runs = IdRuns.of(sorted(ids))
    assert list(runs) == sorted(ids) and len(runs) == len(ids) and bool(runs) == bool(ids)
    assert all((p in runs) == (p in ids) for p in [*probes, *ids])
    gaps = sum(1 for a, b in zip(sorted(ids), sorted(ids)[1:], strict=False) if b != a + 1)
    assert len(runs.starts) == (gaps + 1 if ids else 0)  # memory: one run per gap, not one entry per id


def test_id_runs_of_a_million_dense_ids_take_one_run() -> None:
    from kiban.migration.exchange.validator import IdRuns

    runs = IdRuns.of(range(1, 1_000_001))
    assert len(runs.starts) == 1 and 1 in runs and 1_000_000 in runs and 1_000_001 not in runs and 0 not in runs
    runs.add(1_000_000)  # the last id again (two sorted sets merged): nothing changes
    assert len(runs.starts) == 1 and len(runs) == 1_000_000
    with pytest.raises(AssertionError, match="increasing order"):
        runs.add(5)


@given(st.sets(st.integers(1, 300), max_size=100), st.sets(st.integers(1, 300), max_size=100))
def test_the_union_of_id_runs_is_the_union_of_their_ids_in_fewest_runs(first: set[int], second: set[int]) -> None:
    from kiban.migration.exchange.validator import IdRuns

    union = IdRuns.of(sorted(first)) | IdRuns.of(sorted(second))
    assert list(union) == sorted(first | second)
    assert (len(union.starts), len(union.ends)) == 2 * (len(IdRuns.of(sorted(first | second)).starts),)


def _history_digests(directory: Path, code: str) -> list[tuple[str, str, str]]:
    """Each history entry: what the file's snapshot said, what the imported snapshot holds, and the imported
    resident's digest."""
    with (directory / "resident_history.csv").open(encoding="utf-8", newline="") as f:
        said = {int(r["id"]): json.loads(r["snapshot"]).get("individual_number_digest") for r in csv.DictReader(f)}
    from kiban.platform.tenants.context import tenant_context

    with tenant_context(code), connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT h.id, h.snapshot ->> 'individual_number_digest', r.individual_number_digest "
            "FROM residents_residenthistory h JOIN residents_resident r ON r.id = h.resident_id "
            "WHERE h.tenant_id = %s ORDER BY h.id",
            [code],
        )
        return [(said[i], held, digest) for i, held, digest in cursor.fetchall()]


@BOTH
@pytest.mark.parametrize("form", ["as exported", "compact JSON"])
def test_the_history_gets_the_target_tenants_digest_where_it_says_current(tmp_path: Path, form: str) -> None:
    """The file says "current"; the import writes the target tenant's digest of the person's number (never the
    source's), whatever the JSON's spacing."""
    out = _exported(tmp_path, households=2)
    if form == "compact JSON":
        compact = lambda t: t.replace('""individual_number_digest"": ""', '""individual_number_digest"":""')  # noqa: E731
        _rewrite(out, "resident_history.csv", compact)
    source = {digest for _, _, digest in _history_digests(out, SOURCE)}
    assert import_tenant(TARGET, out).loaded
    entries = _history_digests(out, TARGET)
    current = [(held, digest) for said, held, digest in entries if said == "current"]
    assert len(current) >= 2 and all(held == digest and len(digest) == 64 for held, digest in current), entries
    assert not {held for held, _ in current} & source
    assert all(held == said for said, held, _ in entries if said != "current")


@BOTH
@pytest.mark.parametrize(
    ("snapshot", "problem"),
    [({"individual_number_digest": "ab" * 32}, "a digest"), ({"a": {"individual_number_digest": "current"}}, "nested")],
)
def test_a_snapshot_may_only_say_whether_the_current_number_belongs_there(
    tmp_path: Path, snapshot: dict[str, Any], problem: str
) -> None:
    out = _exported(tmp_path, households=1)
    text = json.dumps(snapshot, ensure_ascii=False).replace('"', '""')
    _rewrite(out, "resident_history.csv", lambda t: re.sub(r',"\{.*\}"$', f',"{text}"', t, count=1, flags=re.M))
    report = validate(out)
    expected = 'resident_history.csv:2: snapshot: individual_number_digest must say "current", "superseded" or ""'
    assert any(e.startswith(expected) for e in report.errors), (problem, report.errors)


@BOTH
def test_the_thread_computing_the_residents_rows_passes_its_failure_to_the_load(tmp_path: Path) -> None:
    """The residents' staging rows are computed by a thread (importer._Ahead); what stops it stops the load."""
    from kiban.migration.exchange.importer import _Ahead, _Chain
    from kiban.migration.exchange.tables import by_name, exchanged_tables
    from kiban.migration.exchange.validator import validate_manifest
    from kiban.platform.tenants.context import tenant_context

    out = _exported(tmp_path, households=2)
    _rewrite(out, "residents.csv", lambda text: text.rstrip("\n") + ',"an open quote\n')
    report = validate_manifest(out, exchanged_tables())
    with tenant_context(TARGET):
        ahead = _Ahead.start(by_name(exchanged_tables())["residents"], out, report, _Chain(SOURCE, TARGET))
    try:
        with pytest.raises(ValueError, match="does not end with a complete record"):
            b"".join(ahead.chunks())
    finally:
        ahead.close()
    assert not import_tenant(TARGET, out).loaded
    assert _registry_rows(TARGET) == {}


def _issuance_records(code: str) -> tuple[int, int]:
    """A 住民票の写し issued to a third party, a 転出証明書 and its reissue, a member order: written as the
    certificates module would have (the round trip is what is tested here). Returns (original, procedure) ids."""
    from kiban.apps.residents.models import (
        AddressEntry,
        AddressNumber,
        Building,
        Certificate,
        CertificateRequesterCorrection,
        Certifier,
        CsManualLinkage,
        ExternalNoticeSent,
        HouseholdMemberOrder,
        InputPlace,
        InputTerminal,
        MoveOutCertificate,
        PersonalNoticeRegistration,
        PersonalNoticeSent,
        Procedure,
        ProvisionalEntry,
        Resident,
        ResidentHistory,
        ResidentMemo,
        ResidentRemark,
        SpecialPermanentApplication,
        SpecialPermanentCertificate,
        SpecialPermanentCertificateReturn,
    )
    from kiban.platform.tenants.context import tenant_context

    with tenant_context(code):
        head, child = Resident.objects.order_by("id")[:2]
        moved = Procedure.objects.get(request_id="out-1")
        issued = Certificate.objects.create(
            kind="resident_copy", layout="household", resident_ids=[head.id, child.id], items=["householder"],
            requester="third_party", requester_name="弁護士　甲野", purpose="訴訟手続（法12条の3）",
            issue_number="2026-000001", verification_code="K7Q2-9XWD-33PA", sha256="ab" * 32,
            issued_on=datetime.date(2026, 4, 1), issued_by="clerk1", place="本庁", terminal="本庁1番窓口", sheets=1,
        )  # fmt: skip
        # Format 5: 本人通知 — a registration withdrawn and one in force, a requester corrected, a notice printed.
        PersonalNoticeRegistration.objects.create(
            resident_id=head.id, registered_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2022, 12, 31),
            recorded_by="staff:boss", withdrawn_on=datetime.date(2021, 1, 1), withdrawn_by="staff:boss",
            withdrawal_reason="本人の申出",
        )  # fmt: skip
        PersonalNoticeRegistration.objects.create(
            resident_id=head.id, registered_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2028, 12, 31),
            applicant_name="法定代理人　山田一郎", send_to_address="千代田区九段南1丁目", recorded_by="staff:boss",
        )  # fmt: skip
        CertificateRequesterCorrection.objects.create(certificate=issued, requester="proxy", reason="委任状あり",
                                                      corrected_by="staff:boss")  # fmt: skip
        PersonalNoticeSent.objects.create(certificate=issued, resident_id=head.id, condition="registered",
                                          print_run=uuid.UUID(int=5), printed_by="staff:boss")  # fmt: skip
        original = MoveOutCertificate.objects.create(
            procedure=moved, kind="move_out", resident_ids=[child.id], content={"persons": [{"氏名": "山田　太郎1"}]},
            issue_number="2021-000007", verification_code="M0VE-0UT1-AAAA", sha256="cd" * 32,
            issued_on=datetime.date(2021, 4, 20), issued_by="clerk2",
        )  # fmt: skip
        MoveOutCertificate.objects.create(
            procedure=moved, kind="move_out", resident_ids=[child.id], content=original.content, reissue_of=original,
            issue_number="2021-000009", verification_code="M0VE-0UT1-BBBB", sha256="ef" * 32,
            issued_on=datetime.date(2021, 5, 2), issued_by="clerk2",
        )  # fmt: skip
        HouseholdMemberOrder.objects.create(household_id=head.household_id, resident_ids=[child.id, head.id],
                                            set_by="clerk3")  # fmt: skip
        Certifier.objects.create(role="deputy", title="千代田区副区長", name="代理　二郎",
                                 starts_on=datetime.date(2026, 5, 1), ends_on=datetime.date(2026, 5, 31),
                                 recorded_by="supervisor1")  # fmt: skip
        AddressEntry.objects.create(code="13101001001", postal_code="1000001", prefecture="東京都", city="千代田区",
                                    town="千代田", town_kana="チヨダ", source="staff")  # fmt: skip
        ProvisionalEntry.objects.create(procedure_kind="move-within", label="転居", request_id="prov-1",
                                        target=str(head.household_id), data={"address": "千代田1番"},
                                        summary="転居 1名", branch="本庁", resident_ids=[head.id])  # fmt: skip
        # Format 4: a memo written, corrected and deleted (three versions), another standing.
        memo, other = uuid.UUID(int=1), uuid.UUID(int=2)
        versions = ((1, "窓口で来庁予定", False), (2, "来庁予定（午後）\n電話あり", False), (3, "", True))
        for version, body, deleted in versions:
            ResidentMemo.objects.create(memo=memo, version=version, resident_id=head.id, body=body, deleted=deleted,
                                        written_by="staff:clerk1", request_id=f"memo-{version}")  # fmt: skip
        first_entry = ResidentHistory.objects.filter(resident_id=head.id).order_by("seq").first()
        # Also format 5: a 戸籍の附票記載事項通知 sent, and sent again (再送信).
        for resend in (False, True):
            ExternalNoticeSent.objects.create(
                kind="koseki_fuhyo", history_id=first_entry.id, resident_id=head.id, destination_code="131016",
                destination_name="東京都千代田区", delivery="event",
                content={"name": "山田　太郎", "reason": "国外転入等"},
                batch=uuid.UUID(int=7 + resend), resend=resend, sent_by="staff:boss",
            )  # fmt: skip
        # Also format 5 (j1090): the CS notices switched to manual linkage, and back.
        for manual, reason in ((True, "CSサーバ保守のため"), (False, "保守終了")):
            CsManualLinkage.objects.create(manual=manual, reason=reason, switched_by="staff:boss")
        ResidentRemark.objects.create(resident_id=head.id, kind="note", history_seq=first_entry.seq,
                                      text="特別養子縁組", entered_on=datetime.date(2020, 4, 1),
                                      recorded_by="staff:clerk1")  # fmt: skip
        ResidentRemark.objects.create(resident_id=child.id, kind="remark", text="事実上の世帯主　施設長　山田一郎",
                                      entered_on=datetime.date(2020, 4, 1), recorded_by="staff:clerk1",
                                      withdrawn_at=datetime.datetime(2020, 5, 1, tzinfo=datetime.UTC),
                                      withdrawn_by="staff:boss", withdrawal_reason="誤記")  # fmt: skip
        ResidentMemo.objects.create(memo=other, version=1, resident_id=child.id, body='引用符 " と, カンマ',
                                    written_by="staff:clerk2", request_id="memo-4")  # fmt: skip
        # Format 5: the 方書マスタ, a retired building included.
        # Also format 5: 入力場所・入力端末, a retired terminal included.
        honcho = InputPlace.objects.create(code="01", name="本庁", kind="main_office", recorded_by="staff:boss")
        InputTerminal.objects.create(code="T01", name="本庁1番窓口", place=honcho, recorded_by="staff:boss",
                                     retired_on=datetime.date(2026, 3, 31))  # fmt: skip
        AddressNumber.objects.create(town_code="13101001001", kind="lot", label="無番地", special=True, codes=[],
                                     recorded_by="staff:boss")  # fmt: skip
        kudan = "東京都千代田区九段南1丁目2番1号"
        Building.objects.create(address=kudan, address_key=kudan, name="九段ハイツ", name_kana="クダンハイツ",
                                retired_on=datetime.date(2026, 3, 31), recorded_by="staff:clerk1")  # fmt: skip
        # Also format 5: 特別永住者証明書 — a card held, returned on its renewal, whose application was delivered at the
        # 本庁; an application cancelled.
        renewal = SpecialPermanentApplication.objects.create(
            resident_id=head.id, kind="renewal", status="delivered", applied_on=datetime.date(2026, 4, 1), place=honcho,
            accepted_by="staff:boss", received_on=datetime.date(2026, 5, 1), card_number="AB00000002CD",
            card_issued_on=datetime.date(2026, 4, 20), received_by="staff:boss", closed_on=datetime.date(2026, 5, 2),
            closed_by="staff:boss",
        )  # fmt: skip
        SpecialPermanentApplication.objects.create(
            resident_id=head.id, kind="change", status="cancelled", applied_on=datetime.date(2026, 3, 1),
            accepted_by="staff:boss", closed_on=datetime.date(2026, 3, 1), closed_by="staff:boss",
            closing_reason="誤って受理",
        )  # fmt: skip
        first = SpecialPermanentCertificate.objects.create(
            resident_id=head.id, number="AB00000001CD", issued_on=datetime.date(2019, 8, 1),
            expires_on=datetime.date(2026, 6, 15), recorded_by="staff:boss",
        )  # fmt: skip
        SpecialPermanentCertificate.objects.create(
            resident_id=head.id, number="AB00000002CD", issued_on=datetime.date(2026, 4, 20),
            expires_on=datetime.date(2033, 6, 15), application=renewal, place=honcho, recorded_by="staff:boss",
        )  # fmt: skip
        SpecialPermanentCertificateReturn.objects.create(certificate=first, returned_on=datetime.date(2026, 5, 2),
                                                         reason="有効期間の更新", recorded_by="staff:boss")  # fmt: skip
        return original.id, moved.id


def _issuance_kept(directory: Path, code: str, ids: tuple[int, int]) -> None:
    from kiban.apps.residents.models import MoveOutCertificate
    from kiban.platform.tenants.context import tenant_context

    with tenant_context(code):
        reissue = MoveOutCertificate.objects.get(issue_number="2021-000009")
        assert (reissue.reissue_of_id, reissue.procedure_id) == ids  # the ids kept, references and all
    manifest = read_manifest(directory)
    assert manifest["format_version"] == 5 and manifest["not_exported"] == {}
    names = ("certificates", "move_out_certificates", "household_member_orders", "certifiers", "address_entries",
             "provisional_entries", "resident_memos", "resident_remarks", "buildings", "personal_notice_registrations",
             "certificate_requester_corrections", "personal_notices_sent", "input_places",
             "input_terminals", "address_numbers", "external_notices_sent", "special_permanent_applications",
             "special_permanent_certificates", "special_permanent_certificate_returns",
             "cs_manual_linkage")  # fmt: skip
    assert [manifest["tables"][n]["rows"] for n in names] == [1, 2, 1, 1, 1, 1, 4, 2, 1, 2, 1, 1, 1, 1, 1, 2, 2, 2, 1,
                                                              2]  # fmt: skip


@BOTH
def test_issuance_records_and_member_orders_make_the_round_trip(tmp_path_factory: Any) -> None:
    """Format version 3: 住民票の写し等 and 転出証明書 issued (with a reissue referring to its first issue) and a member
    order set for 世帯連記式 copies are exported, imported with their ids and exported again byte for byte."""
    from kiban.platform.tenants.services import provision

    first, second = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    try:
        with transaction.atomic():
            provision(SOURCE)
            provision(TARGET)
            _population(SOURCE, [("ヤマダ", 2, True, False), ("スズキ", 1, False, True)])
            ids = _issuance_records(SOURCE)
            export_tenant(SOURCE, first)
            result = import_tenant(TARGET, first)
            assert result.loaded, result.report.text()
            export_tenant(TARGET, second)
            _issuance_kept(first, TARGET, ids)
            raise _Rollback
    except _Rollback:
        pass
    _same_data(first, second)


def test_issuance_records_go_straight_into_their_tables_outside_a_transaction(
    committed_db: None, tmp_path: Path
) -> None:
    """The production path (the import's own connection, the copy role, references checked set-based)."""
    from kiban.platform.tenants.services import provision

    provision(SOURCE)
    provision(TARGET)
    _population(SOURCE, [("ヤマダ", 2, True, False)])
    ids = _issuance_records(SOURCE)
    out, again = tmp_path / "export", tmp_path / "again"
    export_tenant(SOURCE, out)
    result = import_tenant(TARGET, out)
    assert result.loaded and result.references == "set-based", result.report.text()
    assert result.copied["certificates"] == result.copied["move_out_certificates"] == "straight"
    export_tenant(TARGET, again)
    _issuance_kept(out, TARGET, ids)
    _same_data(out, again)


def _business_records(code: str) -> None:
    """A row in each table of child allowance, benefits and the portal (format 3), as their services would leave
    them: a recognition with its revision and a payment in a run whose 全銀 file is kept as bytes, a benefit with an
    application, its receipt and its run, a portal submission with a step."""
    import uuid

    from kiban.apps.benefits import models as b
    from kiban.apps.child_allowance import models as ca
    from kiban.apps.residents.models import Resident
    from kiban.platform.tenants.context import tenant_context
    from kiban.portal import models as portal

    account = {"bank_code": "0001", "branch_code": "001", "account_type": "1", "account_number": "1234567"}
    d = datetime.date
    with tenant_context(code):
        head = Resident.objects.order_by("id").first()
        assert head is not None
        prompt = ca.Prompt.objects.create(event_id=uuid.UUID("12345678-1234-5678-9abc-def012345678"),
                                          household_id=head.household_id, householder_id=head.id, child_id=head.id,
                                          event_on=d(2024, 10, 1), status="applied")  # fmt: skip
        recognition = ca.Recognition.objects.create(
            recipient_id=head.id, household_id=head.household_id, applied_on=d(2024, 10, 3), event_on=d(2024, 10, 1),
            recognized_on=d(2024, 10, 10), first_month=d(2024, 11, 1), prompt=prompt,
            account_holder_kana="ﾔﾏﾀﾞ ﾀﾛｳ", **account,
        )  # fmt: skip
        ca.Revision.objects.create(recognition=recognition, seq=1, kind="認定", effective_month=d(2024, 11, 1),
                                   reason="出生", children=[{"id": head.id, "birth_date": "2024-10-01"}],
                                   monthly_total=15000)  # fmt: skip
        ca.PayerAccount.objects.create(requester_code="1234567890", requester_name_kana="ﾁﾖﾀﾞｸ", **account)
        run = ca.PaymentRun.objects.create(payment_month=d(2024, 12, 1), transfer_date=d(2024, 12, 10),
                                           months=["2024-10", "2024-11"], count=1, total=30000,
                                           file=b"1\x00\xff\x8d\x82 \xb1\xa6\r\n9")  # fmt: skip
        ca.Payment.objects.create(recognition=recognition, run=run, payment_month=d(2024, 12, 1), amount=30000,
                                  breakdown={"2024-11": 15000}, account_holder_kana="ﾔﾏﾀﾞ ﾀﾛｳ", **account)  # fmt: skip
        benefit = b.Benefit.objects.create(code="ex-2026", name="臨時特別給付金", reference="令和8年度",
                                           base_date=d(2026, 1, 1), per="household", amount=100000,
                                           application_opens=d(2026, 2, 1), application_closes=d(2026, 5, 31),
                                           requester_code="1234567890", requester_name_kana="ﾁﾖﾀﾞｸ",
                                           **account)  # fmt: skip
        benefit_run = b.PaymentRun.objects.create(benefit=benefit, transfer_date=d(2026, 3, 1), count=1,
                                                  total=100000, file=b"")  # fmt: skip
        application = b.Application.objects.create(benefit=benefit, household_id=head.household_id, payee_id=head.id,
                                                   eligible_count=2, amount=100000, status="paid",
                                                   applied_on=d(2026, 2, 3), run=benefit_run)  # fmt: skip
        b.Receipt.objects.create(application=application, applied_on=d(2026, 2, 3), account_holder_kana="ﾔﾏﾀﾞ ﾀﾛｳ",
                                 **account)  # fmt: skip
        submission = portal.Submission.objects.create(procedure="move_within", resident_id=head.id, subject="転居届",
                                                      status="approved", data={"address": "千代田1番"},
                                                      request_id="portal-1")  # fmt: skip
        portal.SubmissionStep.objects.create(submission=submission, status="approved", actor="supervisor1",
                                             note="承認")  # fmt: skip


def test_child_allowance_benefits_and_portal_records_make_the_round_trip(committed_db: None, tmp_path: Path) -> None:
    """Format 3: every table of the business apps and the portal, through the production path, byte for byte —
    the 全銀 file's bytes (not text: a NUL, 0xFF, half-width kana in Shift_JIS, CR LF) included."""
    from kiban.apps.child_allowance.models import PaymentRun
    from kiban.platform.tenants.context import tenant_context
    from kiban.platform.tenants.services import provision

    provision(SOURCE)
    provision(TARGET)
    _population(SOURCE, [("ヤマダ", 2, True, False)])
    _business_records(SOURCE)
    out, again = tmp_path / "export", tmp_path / "again"
    export_tenant(SOURCE, out)
    manifest = read_manifest(out)
    assert manifest["not_exported"] == {}
    assert all(manifest["tables"][name]["rows"] == 1 for name in (
        "child_allowance_prompts", "child_allowance_recognitions", "child_allowance_revisions",
        "child_allowance_payer_accounts", "child_allowance_payment_runs", "child_allowance_payments", "benefits",
        "benefit_payment_runs", "benefit_applications", "benefit_receipts", "portal_submissions",
        "portal_submission_steps"))  # fmt: skip
    result = import_tenant(TARGET, out)
    assert result.loaded, result.report.text()
    with tenant_context(TARGET):
        assert bytes(PaymentRun.objects.get().file) == b"1\x00\xff\x8d\x82 \xb1\xa6\r\n9"
    export_tenant(TARGET, again)
    _same_data(out, again)


def test_a_bad_uuid_or_bytes_value_is_reported_on_its_line(committed_db: None, tmp_path: Path) -> None:
    _exported(tmp_path, households=1)  # both tenants provisioned, a household in the source
    _business_records(SOURCE)
    out = tmp_path / "with-business"
    export_tenant(SOURCE, out)
    _rewrite(out, "child_allowance_prompts.csv", lambda text: text.replace("12345678-1234", "12345678-XXXX"))
    _rewrite(out, "child_allowance_payment_runs.csv", lambda text: text.replace("\\x31", "\\xZ1"))
    # A recognition whose recipient is nobody in the residents file (a plain number in the model, checked all the same)
    nobody = r"\1,999999,"
    _rewrite(out, "child_allowance_recognitions.csv", lambda text: re.sub(r"(?m)^([0-9]+),[0-9]+,", nobody, text))
    report = validate(out)
    assert any(e.startswith("child_allowance_prompts.csv:2: event_id") and "not a UUID" in e for e in report.errors)
    assert any(e.startswith("child_allowance_payment_runs.csv:2: file") for e in report.errors), report.errors
    assert "child_allowance_recognitions.csv:2: recipient_id 999999 refers to no row of residents" in report.errors


@given(
    st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=6), min_size=3, max_size=8),
    st.integers(min_value=0, max_value=7),
)
def test_a_record_read_as_far_as_asked_gives_what_csv_gives(fields: list[str], asked: int) -> None:
    """The importer's partial reading of a record (``importer._Row``: split at the commas while no quote stands
    before the column asked for) gives each column exactly as Python's ``csv`` reads the whole record, whatever the
    fields hold (commas, quotes, line breaks, empty strings: PostgreSQL's CSV quoting)."""
    import csv

    from kiban.migration.exchange.importer import _Row

    def as_postgresql_writes(value: str) -> str:  # quoted for a delimiter, quote, line break, or the empty string
        return f'"{value.replace(chr(34), chr(34) * 2)}"' if not value or any(c in value for c in ',"\r\n') else value

    record = ",".join(as_postgresql_writes(f) for f in fields).encode()  # as _encrypting passes it: no line break
    header = [f"c{i}" for i in range(len(fields))]
    row = _Row(record, header, {name: i for i, name in enumerate(header)})
    wanted = header[min(asked, len(fields) - 1)]
    assert row[wanted] == next(csv.reader([record.decode()]))[header.index(wanted)]
    assert dict(row) == dict(zip(header, next(csv.reader([record.decode()])), strict=True))
