"""Benchmark of the standard exchange import and export (kiban.migration.exchange).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kiban_bench_migration .venv/bin/python bench/migration/run.py \
        --residents 1000000

For each size: synthetic files written by the seed path (not timed), then each phase in its own process (so that
its peak memory, ru_maxrss, is its own) and each load into a fresh database (dropped, created, migrated; not timed):

- import: ``import_tenant`` (validate + COPY into staging + INSERT under row-level security + re-encryption +
  audit chain) into an empty tenant, as the import role (``kiban_import``: row-level security applies; foreign
  keys checked set-based before the commit, triggers off for its transaction); the files are validated in a
  second (forked) process while the first loads, and its peak is reported separately (``import_validator``;
  ru_maxrss of a forked child counts the pages it shares with its parent);
- raw COPY: the same files, ``COPY table FROM STDIN`` straight into the same tables for another tenant, as the
  owner (superuser: row-level security off), in one transaction, no validation or transformation (the file's
  plaintext 個人番号 goes into the digest column; tenant_id and the derived columns get a column default set for
  the run, in this throwaway database only), the deferred foreign keys checked row by row at the commit;
- raw COPY without foreign keys: the same for a third tenant with the triggers off (``session_replication_role =
  replica``) and no reference checked at all: the floor under any import into these tables;
- export: ``export_tenant`` of the imported tenant.

The import and both raw COPYs also report their CPU seconds: the phase process (threads included), its children
(the validating process) and the database's processes (``_database_cpu``); ``bound`` is that sum divided by the
cores, the least wall-clock time any schedule of the same work can take on this machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
IMPORTED, RAW, RAW_PARALLEL, RAW_NO_FK = "131016", "131041", "131024", "131032"


def _django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiban.settings")
    import django

    django.setup()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _children_peak_mb() -> float:
    """The largest child's peak (the import's validating process)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def phase_write(url: str, residents: int, out: Path, audit_entries: int = 0) -> dict[str, Any]:
    _django(url)
    from kiban.migration.exchange.seed import write_population
    from kiban.migration.synthetic import generate

    started = time.perf_counter()
    files = write_population(IMPORTED, generate(IMPORTED, residents, 1), out, 1)
    rows = dict(files.rows)
    if audit_entries:
        rows["audit_entries"] = _append_audit(out, audit_entries, residents)
    return {"seconds": time.perf_counter() - started, "rows": rows, "peak_mb": _peak_mb()}


def _append_audit(out: Path, entries: int, residents: int) -> int:
    """An audit trail of ``entries`` reads (a seeded population has none; a real export carries the tenant's whole
    trail, which the import chains again under the target's key). The manifest's rows and hash follow; its chain
    head does not (the import then reports the trail re-anchored, as for another platform's export)."""
    from kiban.migration.exchange.files import read_manifest, sha256_of, write_manifest

    path = out / "audit_entries.csv"
    with path.open("a", encoding="utf-8", newline="") as f:
        for seq in range(1, entries + 1):
            at = f"2025-04-01T09:{seq // 60000 % 60:02d}:{seq // 1000 % 60:02d}.{seq % 1000:03d}000+00:00"
            f.write(f'{seq},{seq},{at},staff,clerk{seq % 40},"",resident.read,resident,{seq % residents + 1},'
                    f'"[""family_name"", ""given_name"", ""birth_date""]",窓口での本人確認,req-{seq}\n')  # fmt: skip
    manifest = read_manifest(out)
    manifest["tables"]["audit_entries"].update(rows=entries, sha256=sha256_of(path))
    write_manifest(out, manifest)
    return entries


def _cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _database_cpu(database: str) -> float:
    """CPU seconds used so far by the PostgreSQL processes working for ``database`` (its backends and autovacuum
    workers, named so in their process titles) and by the server's shared writers (WAL writer, checkpointer,
    background writer: every database's, so other work on the server counts too). A backend's time is read while it
    still runs: read again before the phase's connections close."""
    shared = ("walwriter", "checkpointer", "background writer")
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:  # gone meanwhile
            continue
        if not title.startswith("postgres:") or not (f" {database} " in title or any(s in title for s in shared)):
            continue
        fields = stat.rpartition(")")[2].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return total / tick


def _cpu_report(url: str, before: float, own: float) -> dict[str, float]:
    """The phase's CPU: its own process (threads included), its children (the import's validating process) and
    the database's processes; ``bound`` is what two cores need at least for that work, whatever the schedule."""
    database = url.rpartition("/")[2]
    cpu = {
        "process": _cpu_seconds(resource.RUSAGE_SELF) - own, "children": _cpu_seconds(resource.RUSAGE_CHILDREN),
        "database": _database_cpu(database) - before,
    }  # fmt: skip
    cpu["bound"] = sum(cpu.values()) / (os.cpu_count() or 1)
    return {k: round(v, 1) for k, v in cpu.items()}


def phase_import(url: str, directory: Path) -> dict[str, Any]:
    _django(url)
    from kiban.migration.exchange import import_tenant

    database, own = _database_cpu(url.rpartition("/")[2]), _cpu_seconds(resource.RUSAGE_SELF)
    started = time.perf_counter()
    result = import_tenant(IMPORTED, directory)
    seconds = time.perf_counter() - started
    assert result.loaded, result.report.text()
    return {
        "seconds": seconds, "rows": sum(result.rows.values()), "peak_mb": _peak_mb(),
        "validator_peak_mb": _children_peak_mb(), "cpu": _cpu_report(url, database, own),
    }  # fmt: skip


def phase_export(url: str, out: Path) -> dict[str, Any]:
    _django(url)
    from kiban.migration.exchange import export_tenant

    started = time.perf_counter()
    result = export_tenant(IMPORTED, out)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": sum(result.rows.values()), "bytes": result.bytes, "peak_mb": _peak_mb()}


def phase_raw(url: str, directory: Path, foreign_keys: bool = True) -> dict[str, Any]:
    """The raw COPY; without ``foreign_keys`` with the triggers off (``session_replication_role = replica``) and no
    reference checked at all: the floor under any import into these tables."""
    _django(url)
    import psycopg

    from kiban.migration.exchange.tables import exchanged_tables

    # A connection of its own, not autocommit: one transaction, as the import (Django's owner connection commits
    # every statement, which until 2026-11-29 made this baseline a COPY per table, each checked and committed).
    raw = psycopg.connect(url)
    tables = exchanged_tables()
    _raw_defaults(raw, tables, RAW if foreign_keys else RAW_NO_FK)
    database, own = _database_cpu(url.rpartition("/")[2]), _cpu_seconds(resource.RUSAGE_SELF)
    started = time.perf_counter()
    rows = 0
    with raw.cursor() as cursor:
        if not foreign_keys:
            cursor.execute("SET LOCAL session_replication_role = replica")
        for t in tables:
            rows += _raw_copy(cursor, t, directory)
    raw.commit()
    seconds = time.perf_counter() - started
    cpu = _cpu_report(url, database, own)
    raw.close()
    return {"seconds": seconds, "rows": rows, "peak_mb": _peak_mb(), "cpu": cpu}


def _raw_defaults(raw: Any, tables: list[Any], tenant: str) -> None:
    """Column defaults for this throwaway database (the raw COPY's tenant, empty derived columns), untimed."""
    with raw.cursor() as cursor:
        for t in tables:
            cursor.execute(f"ALTER TABLE \"{t.db_table}\" ALTER COLUMN tenant_id SET DEFAULT '{tenant}'")
            for name in (*t.derived, *(("prev_hash", "hash") if t.audit_chain else ())):
                cursor.execute(f'ALTER TABLE "{t.db_table}" ALTER COLUMN "{name}" SET DEFAULT \'\'')
    raw.commit()


def _raw_copy(cursor: Any, t: Any, directory: Path) -> int:
    cols = ", ".join(f'"{c.encrypted.digest_field if c.encrypted else c.name}"' for c in t.columns)
    with cursor.copy(f'COPY "{t.db_table}" ({cols}) FROM STDIN WITH (FORMAT csv, HEADER)') as copy:
        with (directory / t.file).open("rb") as f:
            while block := f.read(1 << 20):
                copy.write(block)
    return int(cursor.rowcount)


def phase_raw_parallel(url: str, directory: Path) -> dict[str, Any]:
    """The raw COPY on two connections at once (two cores): the households and residents on one, the procedures
    and history on the other, which commits once the first has (its deferred foreign keys need the residents). An
    upper bound for what loading on two connections could gain; not what the importer does (two transactions)."""
    _django(url)
    import threading

    import psycopg

    from kiban.migration.exchange.tables import exchanged_tables

    tables = exchanged_tables()
    conns = [psycopg.connect(url), psycopg.connect(url)]
    _raw_defaults(conns[0], tables, RAW_PARALLEL)
    later = {"procedures", "resident_history"}
    parts = [[t for t in tables if t.name not in later], [t for t in tables if t.name in later]]
    first_committed = threading.Event()
    rows, failures = [0, 0], []

    def load(i: int) -> None:
        try:
            with conns[i].cursor() as cursor:
                for t in parts[i]:
                    rows[i] += _raw_copy(cursor, t, directory)
            if i == 1:
                first_committed.wait()
            conns[i].commit()
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            if i == 0:
                first_committed.set()

    started = time.perf_counter()
    threads = [threading.Thread(target=load, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if failures:
        raise failures[0]
    return {"seconds": seconds, "rows": sum(rows), "peak_mb": _peak_mb()}


def _fresh_database(url: str, drop_indexes: list[str]) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, "-m", "django", "setup", "--settings", "kiban.settings"], env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    code = (
        "import django; django.setup(); from kiban.platform.tenants.services import provision; "
        f"provision('{IMPORTED}'); provision('{RAW}'); provision('{RAW_PARALLEL}'); provision('{RAW_NO_FK}')"
    )
    subprocess.run([sys.executable, "-c", code], env={**env, "DJANGO_SETTINGS_MODULE": "kiban.settings"}, check=True)
    if drop_indexes:  # an experiment on this throwaway database only (e.g. a duplicate index): never on a shared one
        with psycopg.connect(url, autocommit=True) as conn:
            for index in drop_indexes:
                conn.execute(f'DROP INDEX "{index}"')


def _run(phase: str, url: str, *args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, str(HERE), "--phase", phase, "--url", url, *args], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench(
    url: str, residents: int, drop_indexes: list[str], raw_parallel: bool = False, audit_entries: int = 0
) -> dict[str, Any]:
    """Each load into a fresh database of the same schema (a load into tables already holding the previous phase's
    million rows was measurably slower: the order of the phases would decide the ratios); the export of the
    imported tenant follows the import."""
    _fresh_database(url, drop_indexes)
    with tempfile.TemporaryDirectory(prefix="kiban-bench-migration-") as tmp:
        files, exported = Path(tmp) / "files", Path(tmp) / "export"
        written = _run("write", url, str(files), "--residents", str(residents), "--audit-entries", str(audit_entries))
        imported = _run("import", url, str(files))
        export = _run("export", url, str(exported))
        _fresh_database(url, drop_indexes)
        raw = _run("raw", url, str(files))
        _fresh_database(url, drop_indexes)
        raw_no_fk = _run("raw-no-fk", url, str(files))
        parallel = None
        if raw_parallel:
            _fresh_database(url, drop_indexes)
            parallel = _run("raw-parallel", url, str(files))
    rows = imported["rows"]
    return {
        "residents": residents, "rows": written["rows"], "write_seconds": round(written["seconds"], 1),
        "import_seconds": round(imported["seconds"], 1), "import_rows_per_s": round(rows / imported["seconds"]),
        "raw_copy_seconds": round(raw["seconds"], 1), "raw_rows_per_s": round(raw["rows"] / raw["seconds"]),
        "import_vs_raw": round(raw["seconds"] / imported["seconds"], 2),
        "raw_copy_no_fk_seconds": round(raw_no_fk["seconds"], 1),
        "import_vs_raw_no_fk": round(raw_no_fk["seconds"] / imported["seconds"], 2),
        "export_seconds": round(export["seconds"], 1), "export_rows_per_s": round(export["rows"] / export["seconds"]),
        "export_mb_per_s": round(export["bytes"] / 1e6 / export["seconds"], 1),
        **({"raw_parallel_copy_seconds": round(parallel["seconds"], 1)} if parallel else {}),
        "cpu_seconds": {"import": imported["cpu"], "raw_copy": raw["cpu"], "raw_copy_no_fk": raw_no_fk["cpu"]},
        "peak_mb": {"import": round(imported["peak_mb"]), "import_validator": round(imported["validator_peak_mb"]),
                    "export": round(export["peak_mb"]),
                    "raw_copy": round(raw["peak_mb"]), "write": round(written["peak_mb"])},
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--phase", choices=["write", "import", "raw", "raw-no-fk", "raw-parallel", "export"])
    parser.add_argument(
        "--raw-parallel", action="store_true", help="also time the raw COPY split over two connections (upper bound)"
    )
    parser.add_argument(
        "--drop-index", action="append", default=[], metavar="NAME",
        help="drop this index in the (throwaway) benchmark database before the runs, to measure what it costs",
    )  # fmt: skip
    parser.add_argument(
        "--audit-entries", type=int, default=0, metavar="N",
        help="add an audit trail of N entries to the files (a seeded population has none)",
    )  # fmt: skip
    parser.add_argument("path", nargs="?", type=Path)
    args = parser.parse_args()
    if not args.url.startswith("postgres"):
        parser.error("set DATABASE_URL (or --url) to a PostgreSQL database the benchmark may drop and create")
    if args.phase:
        phases: dict[str, Any] = {
            "import": phase_import, "raw": phase_raw, "raw-parallel": phase_raw_parallel, "export": phase_export,
            "raw-no-fk": lambda url, path: phase_raw(url, path, foreign_keys=False),
        }  # fmt: skip
        if args.phase == "write":
            result = phase_write(args.url, args.residents[0], args.path, args.audit_entries)
        else:
            result = phases[args.phase](args.url, args.path)
        print(json.dumps(result))
        return
    for n in args.residents:
        result = bench(args.url, n, args.drop_index, args.raw_parallel, args.audit_entries)
        if args.drop_index:
            result["dropped_indexes"] = args.drop_index
        print(json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
