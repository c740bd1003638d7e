"""bench/isolation: what PostgreSQL row-level security costs a tenant-scoped read endpoint.

One run, one database (``kiban_bench``, dropped and recreated), several tenants with many residents each, so the
resident table holds rows of many tenants. The resident API is driven in-process (django.test.Client, bearer
token of a machine client granted every tenant), sequentially, under three conditions that are interleaved in
rotating order over many short rounds (the same requests in every condition of a round) to cancel drift:

- ``RLS ON``: as shipped (ENABLE + FORCE ROW LEVEL SECURITY, policy ``tenant_isolation``).
- ``RLS OFF`` (the baseline): the owner runs NO FORCE + DISABLE ROW LEVEL SECURITY on every table with the
  policy; the application code is unchanged (``tenant_context`` still sends its ``set_config``), so ON/OFF is
  the cost of evaluating the policies.
- ``no RLS``: RLS OFF and, in addition, ``tenant_context`` does not send ``set_config`` (patched in this
  process only), i.e. an application without row-level security at all; ON/no-RLS is the whole cost.

Also measured: the same single-row SELECT by (tenant_id, id) and the search SELECT through raw psycopg as the
application role (database cost without Django), connection set-up as the application role, and the wall
clock of provisioning a tenant (service call, and the ``kiban tenants provision`` command as a new process).
RLS is restored to ON at the end whatever happens, and checked.

    .venv/bin/python bench/isolation/run.py [--tenants 20] [--residents-per-tenant 20000]
                                            [--requests 10] [--rounds 40] [--raw 150] [--loader copy|orm]
"""

from __future__ import annotations

import argparse
import base64
import datetime
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kiban_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiban.settings")

import django

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402

from kiban.apps.residents.sample import _FAMILY, _GIVEN, create_sample_residents  # noqa: E402
from kiban.platform.accounts.models import ClientGrant  # noqa: E402
from kiban.platform.audit.actor import Actor, acting_as  # noqa: E402
from kiban.platform.tenants import context as tenant_ctx  # noqa: E402
from kiban.platform.tenants.catalog import municipalities  # noqa: E402
from kiban.platform.tenants.isolation import POLICY_NAME  # noqa: E402
from kiban.platform.tenants.models import Tenant  # noqa: E402
from kiban.platform.tenants.services import provision  # noqa: E402

PROJECT = Path(__file__).resolve().parents[2]
KANA = "サ"
PURPOSE = "bench"
ON, OFF, BARE = "RLS ON", "RLS OFF", "no RLS"
CONDITIONS = (ON, OFF, BARE)
BASELINE = OFF
TARGET = 0.10  # "RLS costs under 10%"
BLOCK_WARMUP = 1
TOKEN_REFRESH_S = 300  # access tokens live 600 s
RESIDENT_COLUMNS = (
    "id, tenant_id, family_name, given_name, family_name_kana, given_name_kana, birth_date, sex, address, removed"
)
RAW_DETAIL = f"SELECT {RESIDENT_COLUMNS} FROM residents_resident WHERE tenant_id = %s AND id = %s ORDER BY id LIMIT 1"
RAW_SEARCH = (
    f"SELECT {RESIDENT_COLUMNS} FROM residents_resident WHERE tenant_id = %s AND family_name_kana LIKE %s "
    "ORDER BY family_name_kana, given_name_kana, id LIMIT 50"
)


# --- Database plumbing -------------------------------------------------------------------------------------


def _conninfo(alias: str, dbname: str | None = None) -> dict[str, Any]:
    db = settings.DATABASES[alias]
    info = {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "dbname": dbname or db["NAME"],
    }
    if db.get("PASSWORD"):
        info["password"] = db["PASSWORD"]
    return info


def owner_connect(dbname: str | None = None) -> psycopg.Connection:
    return psycopg.connect(**_conninfo("owner", dbname), autocommit=True)


def app_connect() -> psycopg.Connection:
    # Like Django's default: client-side binding, no server-side prepared statements.
    return psycopg.connect(**_conninfo("default"), autocommit=True, prepare_threshold=None)


def reset_database() -> None:
    name = settings.DATABASES["owner"]["NAME"]
    if "bench" not in name:  # DATABASE_URL may be inherited from a shell set up for real work
        raise SystemExit(
            f"refusing to drop database {name!r}: this benchmark drops and recreates its database; "
            "point DATABASE_URL at one whose name contains 'bench' (default kiban_bench)"
        )
    for c in connections.all():
        c.close()
    with owner_connect("postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{settings.DATABASES["owner"]["NAME"]}" WITH (FORCE)')
    call_command("setup", verbosity=0)


def isolated_tables() -> list[str]:
    with owner_connect() as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_policies WHERE schemaname = 'public' AND policyname = %s ORDER BY 1",
            [POLICY_NAME],
        ).fetchall()
    return [r[0] for r in rows]


def rls_state(tables: list[str]) -> dict[str, tuple[bool, bool]]:
    with owner_connect() as conn:
        rows = conn.execute(
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
            "WHERE relname = ANY(%s) AND relnamespace = 'public'::regnamespace",
            [tables],
        ).fetchall()
    return {name: (enabled, forced) for name, enabled, forced in rows}


def set_rls(tables: list[str], on: bool) -> None:
    """As the owner: ENABLE + FORCE, or NO FORCE + DISABLE, row-level security on every isolated table.

    The application's connection stays open (as under a server with persistent connections): between requests
    it is in autocommit and holds no lock, and PostgreSQL invalidates its cached relations at the next statement.
    """
    assert not connection.in_atomic_block
    with owner_connect() as conn, conn.transaction():
        conn.execute("SET LOCAL lock_timeout = '5s'")
        for table in tables:
            t = '"' + table.replace('"', '""') + '"'
            if on:
                conn.execute(f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY")
                conn.execute(f"ALTER TABLE {t} FORCE ROW LEVEL SECURITY")
            else:
                conn.execute(f"ALTER TABLE {t} NO FORCE ROW LEVEL SECURITY")
                conn.execute(f"ALTER TABLE {t} DISABLE ROW LEVEL SECURITY")
    state = rls_state(tables)
    assert all(state[t] == (on, on) for t in tables), state


_real_set_db_setting = tenant_ctx._set_db_setting
tenant_context = tenant_ctx.tenant_context


@contextmanager
def condition(tables: list[str], name: str) -> Iterator[None]:
    set_rls(tables, on=(name == ON))
    if name == BARE:
        tenant_ctx._set_db_setting = lambda alias, value: None  # type: ignore[assignment]
    try:
        yield
    finally:
        tenant_ctx._set_db_setting = _real_set_db_setting


# --- Set-up ----------------------------------------------------------------------------------------------


def provision_tenants(codes: list[str]) -> dict[str, Any]:
    """Provision all but the last code by the service call (timed each), the last by the CLI in a new process."""
    service_ms = []
    for code in codes[:-1] if len(codes) > 1 else codes:
        started = time.perf_counter()
        provision(code)
        service_ms.append((time.perf_counter() - started) * 1000)
    cli: dict[str, Any] = {}
    if len(codes) > 1:
        code = codes[-1]
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-m", "kiban.cli", "tenants", "provision", code],
            cwd=PROJECT,
            env=os.environ.copy(),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        wall = time.perf_counter() - started
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "kiban.cli", "tenants", "list"],
            cwd=PROJECT,
            env=os.environ.copy(),
            capture_output=True,
            check=True,
        )
        cli = {
            "code": code,
            "wall_s": wall,
            "printed": out.strip().splitlines()[-1],
            "list_s": time.perf_counter() - started,
        }
    return {"service_ms": service_ms, "cli": cli}


def load_residents(codes: list[str], per_tenant: int, loader: str) -> float:
    started = time.perf_counter()
    tenants = {t.code: t for t in Tenant.objects.filter(code__in=codes)}
    if loader == "orm":
        with acting_as(Actor("system", "bench")):
            for i, code in enumerate(codes):
                t = tenants[code]
                with tenant_context(code):
                    create_sample_residents(per_tenant, f"{t.prefecture}{t.name}", seed=i + 1)
    else:
        # Same distribution as kiban.apps.residents.sample, written by the owner with COPY (superuser: no RLS).
        cols = (
            "tenant_id, family_name, given_name, family_name_kana, given_name_kana, birth_date, sex, address, removed"
        )
        with owner_connect() as conn, conn.cursor() as cur:
            with cur.copy(f"COPY residents_resident ({cols}) FROM STDIN") as copy:
                for i, code in enumerate(codes):
                    rng = random.Random(i + 1)
                    prefix = f"{tenants[code].prefecture}{tenants[code].name}"
                    for n in range(per_tenant):
                        family, family_kana = rng.choice(_FAMILY)
                        given, given_kana, sex = rng.choice(_GIVEN)
                        birth = datetime.date(1930, 1, 1) + datetime.timedelta(days=rng.randrange(0, 94 * 365))
                        address = f"{prefix}{rng.randint(1, 9)}丁目{rng.randint(1, 30)}番{n % 20 + 1}号"
                        copy.write_row((code, family, given, family_kana, given_kana, birth, sex, address, False))
    with owner_connect() as conn:
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def make_client(codes: list[str]) -> tuple[str, str]:
    client_id, secret = "bench-vendor", "bench-secret-0123456789abcdef"
    app = Application.objects.create(
        name="bench vendor",
        client_id=client_id,
        client_secret=secret,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
    )
    ClientGrant.objects.bulk_create([ClientGrant(application=app, tenant_id=c, business="residents") for c in codes])
    return client_id, secret


def fetch_token(client_id: str, secret: str) -> str:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    response = Client().post(
        "/o/token/",
        {"grant_type": "client_credentials", "scope": "residents:read"},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def resident_ids(codes: list[str]) -> dict[str, list[int]]:
    with owner_connect() as conn:
        rows = conn.execute(
            "SELECT tenant_id, array_agg(id ORDER BY id) FROM residents_resident WHERE tenant_id = ANY(%s) GROUP BY 1",
            [codes],
        ).fetchall()
    return dict(rows)


# --- Measurement -----------------------------------------------------------------------------------------


def detail_path(code: str, rid: int) -> str:
    return f"/api/v1/tenants/{code}/residents/{rid}?purpose={PURPOSE}"


def search_path(code: str) -> str:
    return f"/api/v1/tenants/{code}/residents?kana={KANA}&purpose={PURPOSE}"


def drive(client: Client, token: str, paths: list[str], check: Callable[[Any], None] | None = None) -> list[float]:
    """Sequential GETs; per-request latency in ms (Django handler, in-process)."""
    headers = {"Authorization": f"Bearer {token}"}
    out = []
    for path in paths:
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        out.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} -> {response.status_code}: {response.content[:300]!r}")
        if check is not None:
            check(response)
    return out


def raw_block(plan: list[tuple[str, Any]], sql: str, set_tenant: bool) -> tuple[list[float], list[float]]:
    """One transaction per item: [set_config], SELECT, COMMIT. Returns (whole transaction ms, SELECT-only ms)."""
    whole, select_only = [], []
    with app_connect() as conn:
        for code, arg in plan:
            t0 = time.perf_counter()
            with conn.transaction():
                if set_tenant:
                    conn.execute("SELECT set_config('kiban.tenant_id', %s, true)", [code])
                t1 = time.perf_counter()
                rows = conn.execute(sql, [code, arg]).fetchall()
                t2 = time.perf_counter()
            t3 = time.perf_counter()
            if not rows:
                raise SystemExit(f"raw SELECT found nothing for {code} {arg!r}")
            whole.append((t3 - t0) * 1000)
            select_only.append((t2 - t1) * 1000)
    return whole, select_only


def explain(code: str, sql: str, arg: Any) -> str:
    with app_connect() as conn, conn.transaction():
        conn.execute("SELECT set_config('kiban.tenant_id', %s, true)", [code])
        lines = conn.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, [code, arg]).fetchall()
    return "\n".join("      " + r[0] for r in lines)


def visible_rows(code: str | None) -> int:
    with app_connect() as conn, conn.transaction():
        if code is not None:
            conn.execute("SELECT set_config('kiban.tenant_id', %s, true)", [code])
        return conn.execute("SELECT count(*) FROM residents_resident").fetchone()[0]


def connect_ms(n: int) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        conn = app_connect()
        conn.execute("SELECT 1")
        out.append((time.perf_counter() - started) * 1000)
        conn.close()
    return out


# --- Reporting -------------------------------------------------------------------------------------------


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def p90(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=10)[-1] if len(xs) >= 10 else max(xs)


def rps(xs: list[float]) -> float:
    return len(xs) / (sum(xs) / 1000)


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine() -> str:
    model = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        "?",
    )
    with owner_connect() as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
        sb = conn.execute("SHOW shared_buffers").fetchone()[0]
    python = sys.version.split()[0]
    return f"{os.cpu_count()} CPUs ({model}); PostgreSQL {pg} (shared_buffers {sb}) on loopback; Python {python}"


def boot_ci(on_rounds: list[list[float]], base_rounds: list[list[float]], n: int = 1000) -> tuple[float, float]:
    """95% interval of the pooled median ratio, resampling whole rounds (so drift between rounds counts)."""
    rng = random.Random(1)
    k = len(on_rounds)
    ratios = []
    for _ in range(n):
        idx = [rng.randrange(k) for _ in range(k)]
        ratios.append(median([x for i in idx for x in on_rounds[i]]) / median([x for i in idx for x in base_rounds[i]]))
    ratios.sort()
    return ratios[int(0.025 * n)], ratios[int(0.975 * n) - 1]


def report_table(title: str, per_round: dict[str, list[list[float]]]) -> dict[str, tuple[float, float, float]]:
    """Print one table; returns, per comparison condition, (pooled median ratio ON/that, 95% low, 95% high)."""
    samples = {name: [x for block in per_round[name] for x in block] for name in CONDITIONS}
    print(f"  {title}")
    print(f"    {'condition':<10} {'n':>6} {'median ms':>10} {'p90 ms':>8} {'req/s':>8}")
    for name in CONDITIONS:
        xs = samples[name]
        print(f"    {name:<10} {len(xs):>6} {median(xs):>10.3f} {p90(xs):>8.3f} {rps(xs):>8.1f}")
    out = {}
    for name, label in ((BASELINE, "baseline: policies disabled, same code"), (BARE, "no RLS, no set_config")):
        lat = median(samples[ON]) / median(samples[name])
        thr = rps(samples[ON]) / rps(samples[name])
        lo, hi = boot_ci(per_round[ON], per_round[name])
        out[name] = (lat, lo, hi)
        print(
            f"    RLS ON / {name} ({label}): median latency x{lat:.3f} ({(lat - 1) * 100:+.1f}%, "
            f"95% interval {(lo - 1) * 100:+.1f}%..{(hi - 1) * 100:+.1f}%), req/s x{thr:.3f}"
        )
    return out


def plan_for_round(items: list[Any], r: int, n: int) -> list[Any]:
    return [items[(r * n + i) % len(items)] for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenants", type=int, default=20, help="tenants (first N codes of the catalog)")
    parser.add_argument("--residents-per-tenant", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=10, help="requests per endpoint, per condition, per round")
    parser.add_argument("--rounds", type=int, default=40, help="rounds; each runs every condition, order rotating")
    parser.add_argument("--raw", type=int, default=150, help="raw-SQL detail transactions per condition per round")
    parser.add_argument(
        "--loader",
        choices=("copy", "orm"),
        default="copy",
        help="copy: owner COPY (fast); orm: create_sample_residents in tenant_context",
    )
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    run_started = time.perf_counter()
    load_start = loadavg()

    catalog = list(municipalities())
    codes = catalog[: args.tenants]
    print(f"== bench/isolation  {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    reset_database()
    print(
        f"database {settings.DATABASES['owner']['NAME']} (dropped and recreated); app role "
        f"{settings.DATABASES['default']['USER']}"
    )
    if len(codes) < args.tenants:
        print(f"NOTE: the catalog has {len(catalog)} municipalities; using {len(codes)} tenants, not {args.tenants}")
    print(f"machine: {machine()}")
    prov = provision_tenants(codes)
    s = prov["service_ms"]
    rest = f", then median {median(s[1:]):.1f} ms, max {max(s[1:]):.1f} ms over {len(s) - 1} calls" if s[1:] else ""
    print(f"provision (service call kiban.platform.tenants.services.provision, wall clock): first {s[0]:.1f} ms{rest}")
    if prov["cli"]:
        c = prov["cli"]
        print(
            f"provision (`kiban tenants provision {c['code']}` as a new process, wall clock): {c['wall_s']:.2f} s; "
            f'the command printed "{c["printed"]}"; for comparison `kiban tenants list` (start-up, no '
            f"provisioning) took {c['list_s']:.2f} s"
        )

    load_s = load_residents(codes, args.residents_per_tenant, args.loader)
    ids = resident_ids(codes)
    total = sum(len(v) for v in ids.values())
    print(
        f"data: {len(codes)} tenants x {args.residents_per_tenant} residents = {total} rows "
        f"(loaded by {args.loader} + VACUUM ANALYZE in {load_s:.1f} s)"
    )

    client_id, secret = make_client(codes)
    started = time.perf_counter()
    token, token_at = fetch_token(client_id, secret), time.perf_counter()
    print(f"token request (POST /o/token/, client credentials): {(token_at - started) * 1000:.0f} ms")

    # Every round gets its own requests (ids drawn at random, tenants in turn); within a round every condition
    # issues exactly the same ones.
    rng = random.Random(args.seed)
    n_raw_search = max(args.raw // 6, 5)
    detail_all = [
        (codes[i % len(codes)], rng.choice(ids[codes[i % len(codes)]])) for i in range(args.requests * args.rounds)
    ]
    raw_all = [(codes[i % len(codes)], rng.choice(ids[codes[i % len(codes)]])) for i in range(args.raw * args.rounds)]
    detail_paths = [detail_path(c, r) for c, r in detail_all]
    search_paths = [search_path(codes[i % len(codes)]) for i in range(args.requests * args.rounds)]
    raw_search_all = [(codes[i % len(codes)], KANA + "%") for i in range(n_raw_search * args.rounds)]

    def check_search(response: Any) -> None:
        body = response.json()
        assert len(body) == 50 and all(r["family_name_kana"].startswith(KANA) for r in body), body[:2]

    tables = isolated_tables()
    print(f"tables toggled ({POLICY_NAME} policy): {', '.join(tables)}")
    client = Client()

    with CaptureQueriesContext(connection) as q:
        drive(client, token, detail_paths[:1])
    n_detail_q = len(q.captured_queries)
    with CaptureQueriesContext(connection) as q:
        drive(client, token, search_paths[:1])
    n_search_q = len(q.captured_queries)
    print(f"SQL statements per request (RLS ON): detail {n_detail_q}, search {n_search_q}")

    endpoints = ("detail", "search", "raw detail", "raw search")
    per_round: dict[str, dict[str, list[list[float]]]] = {e: {c: [] for c in CONDITIONS} for e in endpoints}
    raw_select: dict[str, dict[str, list[float]]] = {e: {c: [] for c in CONDITIONS} for e in endpoints[2:]}
    plans: dict[str, str] = {}
    visible: dict[str, tuple[int, int]] = {}
    toggle_ms: list[float] = []
    some = codes[0]
    try:
        # Warm-up (not recorded): every condition once, so no condition pays first-touch costs; checks.
        for name in CONDITIONS:
            with condition(tables, name):
                visible[name] = (visible_rows(None), visible_rows(some))
                drive(client, token, detail_paths[-20:])
                drive(client, token, search_paths[-20:], check_search)
                raw_block(raw_all[-200:], RAW_DETAIL, name != BARE)
                raw_block(raw_search_all[-20:], RAW_SEARCH, name != BARE)
                if name != BARE:
                    plans[f"detail, {name}"] = explain(some, RAW_DETAIL, ids[some][len(ids[some]) // 2])
                    plans[f"search, {name}"] = explain(some, RAW_SEARCH, KANA + "%")
        print(
            "check: rows of residents_resident the app role sees (no tenant setting / setting "
            f"{some}): " + "; ".join(f"{n}: {a} / {b}" for n, (a, b) in visible.items())
        )
        assert visible[ON] == (0, len(ids[some])) and visible[OFF] == (total, total), visible

        t0 = time.perf_counter()
        for r in range(args.rounds):
            if time.perf_counter() - token_at > TOKEN_REFRESH_S:
                token, token_at = fetch_token(client_id, secret), time.perf_counter()
            order = CONDITIONS[r % 3 :] + CONDITIONS[: r % 3]
            d_paths = plan_for_round(detail_paths, r, args.requests)
            s_paths = plan_for_round(search_paths, r, args.requests)
            raw_d = plan_for_round(raw_all, r, args.raw)
            raw_s = plan_for_round(raw_search_all, r, n_raw_search)
            for name in order:
                started = time.perf_counter()
                with condition(tables, name):
                    toggle_ms.append((time.perf_counter() - started) * 1000)
                    drive(client, token, d_paths[:BLOCK_WARMUP])  # the first statements after a toggle
                    drive(client, token, s_paths[:BLOCK_WARMUP])
                    per_round["detail"][name].append(drive(client, token, d_paths))
                    per_round["search"][name].append(drive(client, token, s_paths))
                    whole, select_only = raw_block(raw_d, RAW_DETAIL, name != BARE)
                    per_round["raw detail"][name].append(whole)
                    raw_select["raw detail"][name] += select_only
                    whole, select_only = raw_block(raw_s, RAW_SEARCH, name != BARE)
                    per_round["raw search"][name].append(whole)
                    raw_select["raw search"][name] += select_only
            if (r + 1) % 10 == 0 or r + 1 == args.rounds:
                print(f"rounds {r + 1}/{args.rounds} done, {time.perf_counter() - t0:.0f} s")
    finally:
        tenant_ctx._set_db_setting = _real_set_db_setting
        set_rls(tables, on=True)
        state = rls_state(tables)
        restored = all(v == (True, True) for v in state.values())
        print(f"RLS restored to ENABLE + FORCE on all {len(state)} tables: {restored}")

    conn_ms = connect_ms(50)

    print()
    print(f"RESULTS  (baseline = {BASELINE}: row-level security disabled on the tenant tables, same application code)")
    print(
        f"  {args.rounds} rounds x {args.requests} requests per endpoint per condition (conditions in rotating "
        "order), sequential, in-process django.test.Client with a bearer token, tenants in turn; latency = the "
        "handler's wall clock; req/s = n / sum of latencies; 95% interval: bootstrap over rounds"
    )
    verdicts = {
        "detail": report_table(
            "GET /api/v1/tenants/{code}/residents/{id}?purpose=bench  (detail, 1 audit entry)", per_round["detail"]
        ),
        "search": report_table(
            f"GET /api/v1/tenants/{{code}}/residents?kana={KANA}&purpose=bench  (search, 50 listed, 50 audit entries)",
            per_round["search"],
        ),
    }
    print(
        f"  raw SQL, psycopg as {settings.DATABASES['default']['USER']}, one transaction each "
        f"(set_config except for '{BARE}', SELECT, COMMIT):"
    )
    report_table("SELECT ... WHERE tenant_id = %s AND id = %s  (whole transaction)", per_round["raw detail"])
    report_table(
        f"SELECT ... WHERE tenant_id = %s AND family_name_kana LIKE '{KANA}%' ... LIMIT 50  (whole transaction)",
        per_round["raw search"],
    )
    for e in ("raw detail", "raw search"):
        sel = raw_select[e]
        print(
            f"  {e}, the SELECT statement alone: median ms "
            + ", ".join(f"{n} {median(sel[n]):.3f}" for n in CONDITIONS)
            + f"; RLS ON / {BASELINE} x{median(sel[ON]) / median(sel[OFF]):.3f}"
        )
    print(
        f"  connection set-up as the app role (psycopg connect + SELECT 1, 50x): median {median(conn_ms):.2f} ms "
        "(CONN_MAX_AGE=0 in settings: a real server pays this per request; the in-process client does not)"
    )
    print(
        f"  RLS toggle (ALTER TABLE x{2 * len(tables)} as owner; outside the timed requests): "
        f"median {median(toggle_ms):.0f} ms"
    )
    print()
    print(f"TARGET: RLS costs under {TARGET:.0%}  (median latency, RLS ON / {BASELINE}; 95% interval)")
    for e, comparisons in verdicts.items():
        lat, lo, hi = comparisons[OFF]
        whole, wlo, whi = comparisons[BARE]
        verdict = "met" if hi - 1 < TARGET else ("NOT met" if lo - 1 >= TARGET else "not decided at this noise")
        print(
            f"  {e:<7} {(lat - 1) * 100:+.1f}% ({(lo - 1) * 100:+.1f}%..{(hi - 1) * 100:+.1f}%) -> {verdict}"
            f"   [vs {BARE}: {(whole - 1) * 100:+.1f}% ({(wlo - 1) * 100:+.1f}%..{(whi - 1) * 100:+.1f}%)]"
        )
    print()
    print("query plans (EXPLAIN ANALYZE as the app role with the tenant setting; one sample, after warm-up):")
    for key, text in plans.items():
        print(f"  -- {key}\n{text}")
    print(
        f"\ntotal run time {time.perf_counter() - run_started:.0f} s; load average at start {load_start}, "
        f"at end {loadavg()} (anything else running on the 2 cores shows up as noise)"
    )


if __name__ == "__main__":
    main()
