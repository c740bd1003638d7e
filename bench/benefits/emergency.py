"""bench/benefits/emergency: the 2020 special fixed-sum benefit (特別定額給付金) for N synthetic residents, from the
definition to the Zengin payment file, on PostgreSQL.

One run, one database (``kiban_bench_benefits``, dropped and recreated). The population comes from the synthetic
generator (kiban.migration.synthetic: age pyramid, census household types, names) as of the base date, loaded
through the registry's bulk loader (kiban.apps.residents.bulk.load) with ``--loader orm``, or by default with the
same rows written by PostgreSQL COPY as the owner (about 20 times faster; not timed as part of the benefit). Then, timed
phase by phase, as a municipality would run it:

1. define   — the shipped definition (apps/benefits/definitions/special_fixed_sum_2020.yaml) with the payer account;
2. prepare  — eligible households from ``registry().population_as_of(2020-04-27)`` grouped by household, one
              prefilled application per household (what the portal shows);
3. apply    — every household's application received with a bank account (``apply_many`` in batches: the mailed
              forms of a day, read in bulk);
4. pay      — the payment run: every applied household in one Zengin 総合振込 file;
5. progress — the supervisor's totals.

    .venv/bin/python bench/benefits/emergency.py [--residents 1000000] [--apply-batch 50000] [--loader copy|orm]
                                                 [--keep]

``--keep`` reuses a loaded population (skips the reset and load when the tenant already holds N residents).
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import os
import sys
import time
from collections.abc import Iterator
from typing import Any

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kiban_bench_benefits")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiban.settings")

import django

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

from kiban.apps.benefits import services  # noqa: E402
from kiban.apps.benefits.models import Application, Benefit, PaymentRun, Receipt  # noqa: E402
from kiban.apps.residents.bulk import LoadHousehold, LoadPerson, load  # noqa: E402
from kiban.apps.residents.models import Household, Procedure, Resident, ResidentHistory  # noqa: E402
from kiban.apps.residents.validation import PersonData  # noqa: E402
from kiban.migration.synthetic import SyntheticHousehold, generate  # noqa: E402
from kiban.platform.audit.actor import Actor, acting_as  # noqa: E402
from kiban.platform.payments import zengin  # noqa: E402
from kiban.platform.tenants.context import tenant_context  # noqa: E402
from kiban.platform.tenants.models import Tenant  # noqa: E402
from kiban.platform.tenants.services import provision  # noqa: E402
from kiban.standard.codes import ChangeReason  # noqa: E402
from kiban.standard.text import normalize_kana_input, search_key  # noqa: E402

CODE = "141003"  # 横浜市
BASE = datetime.date(2020, 4, 27)
SEED = 20200427
PAYER = services.Payer("1410030001", "ﾖｺﾊﾏｼ ﾄｸﾍﾞﾂﾃｲｶﾞｸｷﾕｳﾌｷﾝ", "0001", "001", "1", "1234567")
LOAD_CHUNK = 20_000  # households per bulk load (one procedure each)


def reset_database() -> None:
    owner: dict[str, Any] = dict(settings.DATABASES["owner"])
    name = str(owner["NAME"])
    if "bench" not in name:
        raise SystemExit(f"refusing to drop database {name!r}: point DATABASE_URL at one whose name contains 'bench'")
    for c in connections.all():
        c.close()
    with psycopg.connect(host=owner["HOST"], port=owner["PORT"], user=owner["USER"], dbname="postgres",
                         autocommit=True) as conn:  # fmt: skip
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    call_command("setup", verbosity=0)


def _load_household(h: SyntheticHousehold) -> LoadHousehold:
    members = []
    for p in h.members:
        person = PersonData(
            family_name=p.family_name, given_name=p.given_name, family_name_kana=p.family_name_kana,
            given_name_kana=p.given_name_kana, birth_date=p.birth_date, sex=p.sex, relationship=p.relationship,
            kind="foreign" if p.foreign else "japanese", domicile=p.domicile or "", domicile_head=p.domicile_head or "",
            nationality=p.nationality or "", residence_status=p.residence_status or "",
            period_of_stay_until=p.period_of_stay_until, residence_card_number=p.residence_card_number or "",
            alias=p.alias or "", resident_code=p.resident_code,
        )  # fmt: skip
        members.append(LoadPerson(person, p.became_resident_on, p.moved_in_on, p.previous_address or ""))
    return LoadHousehold(h.address, members, h.postal_code, h.district, h.building or "")


def _owner() -> psycopg.Connection:
    o: dict[str, Any] = dict(settings.DATABASES["owner"])
    return psycopg.connect(host=o["HOST"], port=o["PORT"], user=o["USER"], dbname=o["NAME"], password=o["PASSWORD"])


def _reserve(cur: psycopg.Cursor, model: Any, n: int) -> list[int]:
    table = model._meta.db_table
    cur.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [n])
    return [r[0] for r in cur.fetchall()]


def _copy(cur: psycopg.Cursor, model: Any, objs: list[Any]) -> None:
    fields = model._meta.concrete_fields
    conn = connections["owner"]
    columns = ", ".join(f'"{f.column}"' for f in fields)
    with cur.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copy:
        for obj in objs:
            copy.write_row([f.get_db_prep_save(f.pre_save(obj, add=True), conn) for f in fields])


def copy_load(households: list[LoadHousehold], request_id: str) -> int:
    """What kiban.apps.residents.bulk.load writes (one procedure, households, residents, first history entries),
    written with COPY as the owner in one transaction (the owner bypasses RLS; rows carry the tenant)."""
    today = datetime.date.today()
    with _owner() as conn, conn.cursor() as cur:
        (pid,) = _reserve(cur, Procedure, 1)
        procedure = Procedure(id=pid, tenant_id=CODE, kind=ChangeReason.ENTRY_EX_OFFICIO, request_id=request_id,
                              effective_on=today, notified_on=today, flags=["bulk_load"], actor="system:bench",
                              payload={"note": "bench/benefits synthetic population"})  # fmt: skip
        rows = []
        for hid, h in zip(_reserve(cur, Household, len(households)), households, strict=True):
            rows.append(Household(id=hid, tenant_id=CODE, address=h.address, postal_code=h.postal_code,
                                  district=h.district, building=h.building,
                                  established_on=min(m.moved_in_on for m in h.members)))  # fmt: skip
        people = [(row, m) for row, h in zip(rows, households, strict=True) for m in h.members]
        residents = []
        for rid, (household, m) in zip(_reserve(cur, Resident, len(people)), people, strict=True):
            p = m.person
            r = Resident(
                id=rid, tenant_id=CODE, household_id=household.id, relationship=p.relationship, kind=p.kind,
                family_name=p.family_name, given_name=p.given_name,
                family_name_kana=normalize_kana_input(p.family_name_kana),
                given_name_kana=normalize_kana_input(p.given_name_kana), birth_date=p.birth_date, sex=p.sex,
                domicile=p.domicile, domicile_head=p.domicile_head, nationality=p.nationality,
                residence_status=p.residence_status, period_of_stay_until=p.period_of_stay_until,
                residence_card_number=p.residence_card_number, alias=p.alias, alias_kana=p.alias_kana,
                resident_code=p.resident_code, became_resident_on=m.became_resident_on, moved_in_on=m.moved_in_on,
                previous_address=m.previous_address, version=1,
            )  # fmt: skip
            r.search_kana = search_key(r.family_name_kana + r.given_name_kana)
            r.search_name = search_key(r.family_name + r.given_name)
            residents.append(r)
        by_id = {h.id: h for h in rows}
        history = [
            ResidentHistory(
                id=hid,
                tenant_id=CODE,
                resident_id=r.id,
                procedure_id=pid,
                seq=1,
                kind=ChangeReason.ENTRY_EX_OFFICIO,
                effective_on=r.moved_in_on or today,
                notified_on=today,
                address=by_id[r.household_id].address,
                building=by_id[r.household_id].building,
                snapshot=r.snapshot(),
            )
            for hid, r in zip(_reserve(cur, ResidentHistory, len(residents)), residents, strict=True)
        ]
        _copy(cur, Procedure, [procedure])
        _copy(cur, Household, rows)
        _copy(cur, Resident, residents)
        _copy(cur, ResidentHistory, history)
    return len(residents)


def load_population(n: int, loader: str) -> tuple[int, float]:
    started = time.perf_counter()
    households = generate(CODE, n, SEED, base_date=BASE)
    loaded = 0
    for i in itertools.count():
        chunk = [_load_household(h) for h in itertools.islice(households, LOAD_CHUNK)]
        if not chunk:
            break
        if loader == "copy":
            loaded += copy_load(chunk, f"bench-load-{i}")
            continue
        with tenant_context(CODE):
            loaded += load(chunk, request_id=f"bench-load-{i}", note="bench/benefits synthetic population",
                           validate=False)  # fmt: skip
        print(f"  loaded {loaded:,} residents ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
    return loaded, time.perf_counter() - started


def received(benefit: Benefit, batch: int) -> Iterator[list[services.Received]]:
    """Every prefilled household's application with a synthetic bank account, in batches."""
    with tenant_context(CODE):
        ids = list(Application.objects.filter(benefit=benefit).order_by("id").values_list("household_id", flat=True))
    holders = ["ﾔﾏﾀﾞ ﾀﾛｳ", "ｽｽﾞｷ ﾊﾅｺ", "ｻﾄｳ ｲﾁﾛｳ", "ﾀｶﾊｼ ﾖｳｺ"]
    for start in range(0, len(ids), batch):
        yield [
            services.Received(hh, datetime.date(2020, 5, 20),
                              services.BankAccount("0001", "001", "1", f"{hh % 10_000_000:07d}", holders[hh % 4]))
            for hh in ids[start : start + batch]
        ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--apply-batch", type=int, default=50_000)
    parser.add_argument("--loader", choices=["copy", "orm"], default="copy")
    parser.add_argument("--keep", action="store_true", help="reuse the loaded population if it is there")
    args = parser.parse_args()

    figures: dict[str, Any] = {}
    with acting_as(Actor("system", "bench")):
        reuse = False
        if args.keep:
            try:
                with tenant_context(CODE):
                    reuse = Resident.objects.count() == args.residents
            except Exception:  # no database yet
                reuse = False
        if not reuse:
            reset_database()
            provision(CODE)
            loaded, seconds = load_population(args.residents, args.loader)
            with _owner() as conn:
                conn.autocommit = True
                conn.execute("VACUUM ANALYZE")
            figures["load (not part of the benefit)"] = (
                f"{loaded:,} residents in {seconds:.1f} s (generator + {args.loader} loader)"
            )
        else:
            with tenant_context(CODE):  # start the benefit again on the same population
                Receipt.objects.all().delete()
                Application.objects.all().delete()
                PaymentRun.objects.all().delete()
                Benefit.objects.all().delete()

        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        with tenant_context(CODE):
            benefit = services.define(services.shipped("special_fixed_sum_2020"), PAYER)
        timings["define"] = time.perf_counter() - t0

        t = time.perf_counter()
        with tenant_context(CODE):
            prepared = services.prepare(benefit)
        timings["prepare (population as of 2020-04-27, grouped, prefilled)"] = time.perf_counter() - t

        t = time.perf_counter()
        applied = 0
        for batch in received(benefit, args.apply_batch):
            with tenant_context(CODE):
                applied += services.apply_many(benefit, batch)
        timings[f"apply ({applied:,} applications in batches of {args.apply_batch:,})"] = time.perf_counter() - t

        t = time.perf_counter()
        with tenant_context(CODE):
            run = services.pay(benefit, transfer_date=datetime.date(2020, 5, 29))
        timings["pay (Zengin file)"] = time.perf_counter() - t
        assert run is not None

        t = time.perf_counter()
        with tenant_context(CODE):
            totals = services.progress(benefit)
        timings["progress"] = time.perf_counter() - t
        total = time.perf_counter() - t0

    content = bytes(run.file)
    records = zengin.read(content)
    assert records[-2]["合計件数"] == f"{run.count:06d}" and int(records[-2]["合計金額"]) == run.total
    tenant = Tenant.objects.get(code=CODE)
    print(f"\n特別定額給付金 for {tenant.name} ({CODE}), {args.residents:,} synthetic residents, PostgreSQL")
    for k, v in figures.items():
        print(f"  {k}: {v}")
    print(f"  eligible: {prepared.households:,} households, {prepared.persons:,} persons, {prepared.amount:,} yen")
    for k, v in timings.items():
        print(f"  {k:<70} {v:8.2f} s")
    print(f"  {'total, definition to payment file':<70} {total:8.2f} s")
    print(f"  payment file: {run.count:,} transfers, {run.total:,} yen, {len(content):,} bytes")
    print(f"  progress: {totals}")


if __name__ == "__main__":
    main()
