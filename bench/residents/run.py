"""bench/residents: move-in procedures per second and person lookups per second through the HTTP API.

One run, one fresh database (``kiban_bench_residents``, dropped and recreated, migrated by ``kiban setup`` as the
owner). Tenant 131016 is provisioned, a machine client is granted the business "residents" and gets a bearer
token (client credentials, scopes ``residents:read residents:write``) from the server itself. Kiban runs as a real
HTTP server in its own process (``kiban runserver --noreload``, threaded, as the application role); the load comes
from this process, C client threads, each with its own keep-alive ``httpx.Client``.

1. ``POST /api/v1/tenants/131016/procedures/move-in``: N one-person households moving in from abroad (a
   転入届, origin ``abroad``; 世帯主; katakana names; past dates), each with its own ``request_id``.
2. ``GET /api/v1/tenants/131016/residents/{id}?purpose=bench``: lookups of random residents created in step 1.
3. Baseline in the same run: ``pgbench`` TPC-B-like (``pgbench -i -s 10`` into its own database, then
   ``pgbench -c 4 -j 2 -T 20``); the ratio move-ins/s / pgbench tps.

Also printed: the SQL statements one move-in and one lookup send (in-process, same code, same token).
The server is stopped whatever happens.

    .venv/bin/python bench/residents/run.py [--n 2000] [--concurrency 4] [--lookups N] [--pgbench-seconds 20]
"""

from __future__ import annotations

import argparse
import atexit
import base64
import datetime
import math
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kiban_bench_residents")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiban.settings")

import django

django.setup()

import httpx  # noqa: E402
import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402

from kiban.platform.accounts.models import ClientGrant  # noqa: E402
from kiban.platform.tenants.services import provision  # noqa: E402

PROJECT = Path(__file__).resolve().parents[2]
# Django's runserver (wsgiref) writes the response head and body in separate send() calls on a socket with Nagle's
# algorithm on; on a keep-alive connection the client's delayed ACK then stalls every response by about 40 ms.
# ``--server nodelay`` runs the same threaded server class over kiban.wsgi with TCP_NODELAY on each connection.
NODELAY_SERVER = """
import os, socket, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiban.settings")
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from kiban.wsgi import application

class Handler(WSGIRequestHandler):
    def setup(self):
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().setup()

print("Quit the server with CONTROL-C.", flush=True)
httpd = ThreadedWSGIServer(("127.0.0.1", int(sys.argv[1])), Handler)
httpd.daemon_threads = True
httpd.set_app(application)
httpd.serve_forever()
"""
TENANT = "131016"  # 千代田区
PURPOSE = "bench"
SCOPES = "residents:read residents:write"
CLIENT_ID, CLIENT_SECRET = "bench-residents", "bench-residents-secret-0123456789abcdef"
EFFECTIVE_ON = datetime.date.today() - datetime.timedelta(days=10)
NOTIFIED_ON = datetime.date.today() - datetime.timedelta(days=3)
FAMILY = [("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"), ("伊藤", "イトウ"),
          ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"), ("小林", "コバヤシ"),
          ("加藤", "カトウ")]  # fmt: skip
GIVEN = [("太郎", "タロウ", "1"), ("翔", "ショウ", "1"), ("健一", "ケンイチ", "1"), ("花子", "ハナコ", "2"),
         ("陽菜", "ヒナ", "2"), ("美咲", "ミサキ", "2")]  # fmt: skip


# --- Database ----------------------------------------------------------------------------------------------


def _conninfo(alias: str, dbname: str | None = None) -> dict[str, Any]:
    db = settings.DATABASES[alias]
    info = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"],
            "dbname": dbname or db["NAME"]}  # fmt: skip
    if db.get("PASSWORD"):
        info["password"] = db["PASSWORD"]
    return info


def owner_connect(dbname: str | None = None) -> psycopg.Connection:
    return psycopg.connect(**_conninfo("owner", dbname), autocommit=True)


def reset_database() -> None:
    if "owner" not in settings.DATABASES:
        raise SystemExit("DATABASE_URL must point at PostgreSQL (postgres://...)")
    name = settings.DATABASES["owner"]["NAME"]
    if "bench" not in name:  # DATABASE_URL may be inherited from a shell set up for real work
        raise SystemExit(f"refusing to drop database {name!r}: point DATABASE_URL at one whose name contains 'bench'")
    for c in connections.all():
        c.close()
    with owner_connect("postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    call_command("setup", verbosity=0)


def make_client() -> None:
    app = Application.objects.create(
        name="bench residents", client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
        client_type=Application.CLIENT_CONFIDENTIAL, authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
    )  # fmt: skip
    ClientGrant.objects.create(application=app, tenant_id=TENANT, business="residents")


def machine() -> str:
    model = next(
        (ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
         if ln.startswith("model name")),
        "?",
    )  # fmt: skip
    with owner_connect() as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
        sb = conn.execute("SHOW shared_buffers").fetchone()[0]
        sc = conn.execute("SHOW synchronous_commit").fetchone()[0]
    return (
        f"{os.cpu_count()} CPUs ({model}); PostgreSQL {pg} (shared_buffers {sb}, synchronous_commit {sc}) "
        f"on loopback; Python {sys.version.split()[0]}; Django {django.__version__}"
    )


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- The server --------------------------------------------------------------------------------------------


class Server:
    """``kiban runserver --noreload`` on a free loopback port, as its own process group; stopped on exit."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(tempfile.mkdtemp(prefix="kiban-bench-residents-")) / "server.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = os.environ.copy()
        env["KIBAN_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
        log = self.log_path.open("wb")
        if self.mode == "nodelay":
            command = [sys.executable, "-c", NODELAY_SERVER, str(self.port)]
        elif self.mode == "gunicorn":
            # The production form: gunicorn's threaded workers, one per core, persistent DB connections per worker.
            env["KIBAN_CONN_MAX_AGE"] = "60"
            command = [
                str(Path(sys.executable).with_name("gunicorn")), "kiban.wsgi:application",
                "--bind", f"127.0.0.1:{self.port}", "--workers", str(os.cpu_count() or 2),
                "--worker-class", "gthread", "--threads", "4",
            ]  # fmt: skip
        else:
            command = [
                sys.executable,
                "-m",
                "kiban.cli",
                "runserver",
                "--noreload",
                "--skip-checks",
                f"127.0.0.1:{self.port}",
            ]
        self.proc = subprocess.Popen(
            command,
            cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        log.close()
        atexit.register(self.stop)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"server not ready after 60 s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def server_errors(self) -> list[str]:
        """Lines of the server log that are not the per-request access lines of 2xx answers."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        text = text.split("Quit the server with CONTROL-C.", 1)[-1]  # the start-up banner
        lines = [ln for ln in text.splitlines() if ln.strip() and not re.search(r'" 2\d\d \d+$', ln)]
        banner = ("WARNING: This is a development server", "For more information")
        return [ln for ln in lines if not ln.startswith(banner) and "[INFO]" not in ln]


SERVER_LABEL = {
    "runserver": "`kiban runserver --noreload` (one process, a thread per connection)",
    "nodelay": "runserver's server class over kiban.wsgi with TCP_NODELAY (one process, a thread per connection)",
    "gunicorn": "gunicorn gthread, one worker per core x 4 threads, CONN_MAX_AGE=60 (the production form)",
}


def fetch_token(base: str) -> str:
    response = httpx.post(
        f"{base}/o/token/", data={"grant_type": "client_credentials", "scope": SCOPES},
        auth=(CLIENT_ID, CLIENT_SECRET), timeout=30,
    )  # fmt: skip
    if response.status_code != 200:
        raise SystemExit(f"token request -> {response.status_code}: {response.text[:500]}")
    return response.json()["access_token"]


# --- Load --------------------------------------------------------------------------------------------------


def move_in_body(i: int, run_tag: str) -> dict[str, Any]:
    rng = random.Random(i)
    family, family_kana = rng.choice(FAMILY)
    given, given_kana, sex = rng.choice(GIVEN)
    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(0, 50 * 365))
    return {
        "request_id": f"bench-{run_tag}-{i:07d}",
        "effective_on": EFFECTIVE_ON.isoformat(),
        "notified_on": NOTIFIED_ON.isoformat(),
        "origin": "abroad",
        "previous_address": "アメリカ合衆国",
        "address": {"address": f"東京都千代田区千代田{rng.randint(1, 9)}番{i % 50 + 1}号", "postal_code": "1000001"},
        "persons": [
            {
                "family_name": family, "given_name": given, "family_name_kana": family_kana,
                "given_name_kana": given_kana, "birth_date": birth.isoformat(), "sex": sex, "relationship": "世帯主",
                "domicile": "東京都千代田区千代田1番", "domicile_head": f"{family}{given}",
            }
        ],
    }  # fmt: skip


class Result:
    def __init__(self) -> None:
        self.latencies_ms: list[float] = []
        self.failures: list[str] = []
        self.bodies: list[Any] = []
        self.elapsed_s = 0.0


def drive(
    base: str, token: str, requests: list[tuple[str, str, Any]], concurrency: int,
    check: Callable[[httpx.Response], str | None],
) -> Result:  # fmt: skip
    """Send ``requests`` (method, path, json) from ``concurrency`` threads, each with one keep-alive client."""
    result = Result()
    lock = threading.Lock()
    next_index = iter(range(len(requests)))
    headers = {"Authorization": f"Bearer {token}"}

    def worker() -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            while True:
                with lock:
                    i = next(next_index, None)
                if i is None:
                    return
                method, path, body = requests[i]
                started = time.perf_counter()
                try:
                    response = client.request(method, path, json=body)
                    ms = (time.perf_counter() - started) * 1000
                    problem = check(response)
                except httpx.HTTPError as exc:
                    ms, problem, response = (time.perf_counter() - started) * 1000, f"{type(exc).__name__}: {exc}", None
                with lock:
                    result.latencies_ms.append(ms)
                    if problem is not None:
                        result.failures.append(f"{method} {path} -> {problem}")
                    elif response is not None:
                        result.bodies.append(response.json())

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.elapsed_s = time.perf_counter() - started
    return result


def check_move_in(response: httpx.Response) -> str | None:
    if response.status_code != 200:
        return f"{response.status_code}: {response.text[:400]}"
    body = response.json()
    if body.get("replayed") or len(body.get("resident_ids", [])) != 1:
        return f"unexpected body {body}"
    return None


def check_detail(response: httpx.Response) -> str | None:
    if response.status_code != 200:
        return f"{response.status_code}: {response.text[:400]}"
    return None


def pct(xs: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    s = sorted(xs)
    return s[max(0, min(len(s) - 1, math.ceil(p / 100 * len(s)) - 1))]


# --- Baseline ----------------------------------------------------------------------------------------------


def find_pgbench() -> str:
    found = shutil.which("pgbench")
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin/pgbench"), reverse=True):
        return str(candidate)
    raise SystemExit("pgbench not found (apt-get install postgresql-contrib / postgresql-client)")


def pgbench(seconds: int, scale: int) -> tuple[float, str, str]:
    """TPC-B-like pgbench in its own database; returns (tps, the tps line, the pgbench version)."""
    exe = find_pgbench()
    owner = _conninfo("owner")
    dbname = settings.DATABASES["owner"]["NAME"] + "_pgbench"
    with owner_connect("postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{dbname}"')
    env = os.environ.copy()
    env.update({"PGHOST": str(owner["host"]), "PGPORT": str(owner["port"]), "PGUSER": owner["user"]})
    if "password" in owner:
        env["PGPASSWORD"] = owner["password"]
    try:
        subprocess.run([exe, "-i", "-q", "-s", str(scale), dbname], env=env, check=True, capture_output=True)
        out = subprocess.run(
            [exe, "-c", "4", "-j", "2", "-T", str(seconds), dbname], env=env, check=True, capture_output=True, text=True
        ).stdout
    finally:
        with owner_connect("postgres") as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
    line = next(ln for ln in out.splitlines() if ln.startswith("tps ="))
    version = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout.strip()
    return float(line.split()[2]), line.strip(), version


# --- Statements per request ----------------------------------------------------------------------------------


def statements_per_request(token: str, resident_id: int, run_tag: str) -> tuple[int, int]:
    """SQL statements one move-in and one lookup send (in-process django.test.Client, same code and token)."""
    client = Client()
    auth = {"Authorization": f"Bearer {token}"}
    with CaptureQueriesContext(connection) as q:
        response = client.post(
            f"/api/v1/tenants/{TENANT}/procedures/move-in", move_in_body(10**6, run_tag + "-q"),
            content_type="application/json", headers=auth,
        )  # fmt: skip
    assert response.status_code == 200, response.content[:400]
    n_move_in = len(q.captured_queries)
    with CaptureQueriesContext(connection) as q:
        response = client.get(f"/api/v1/tenants/{TENANT}/residents/{resident_id}?purpose={PURPOSE}", headers=auth)
    assert response.status_code == 200, response.content[:400]
    return n_move_in, len(q.captured_queries)


# --- Main --------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="move-in procedures (timed)")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads")
    parser.add_argument("--lookups", type=int, default=0, help="resident lookups (timed); default: same as --n")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests of each kind first")
    parser.add_argument("--pgbench-seconds", type=int, default=20)
    parser.add_argument("--pgbench-scale", type=int, default=10)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--server",
        choices=("runserver", "nodelay", "gunicorn"),
        default="runserver",
        help="runserver: `kiban runserver --noreload`; nodelay: the same server class with TCP_NODELAY; "
        "gunicorn: the production server",
    )
    args = parser.parse_args()
    lookups = args.lookups or args.n
    run_started = time.perf_counter()
    load_start = loadavg()
    run_tag = f"{int(time.time())}"
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so atexit / finally stop the server

    print(f"== bench/residents  {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    reset_database()
    print(
        f"database {settings.DATABASES['owner']['NAME']} (dropped and recreated, migrated as owner "
        f"{settings.DATABASES['owner']['USER']}); server connects as app role {settings.DATABASES['default']['USER']}"
    )
    print(f"machine: {machine()}")
    provision(TENANT)
    make_client()
    connections.close_all()

    server = Server(args.server)
    try:
        server.start()
        print(f"server: {SERVER_LABEL[args.server]} at {server.base}; log {server.log_path}")
        started = time.perf_counter()
        token = fetch_token(server.base)
        token_ms = (time.perf_counter() - started) * 1000
        print(f"token (POST /o/token/, client credentials, scopes '{SCOPES}'): {token_ms:.0f} ms")

        # 1. Move-ins.
        mpath = f"/api/v1/tenants/{TENANT}/procedures/move-in"
        warm = [("POST", mpath, move_in_body(i, run_tag + "-w")) for i in range(args.warmup)]
        w = drive(server.base, token, warm, args.concurrency, check_move_in)
        if w.failures:
            raise SystemExit("warm-up move-ins failed:\n  " + "\n  ".join(w.failures[:10]))
        plan = [("POST", mpath, move_in_body(i, run_tag)) for i in range(args.n)]
        moves = drive(server.base, token, plan, args.concurrency, check_move_in)
        print(f"move-ins: {len(moves.latencies_ms)} sent in {moves.elapsed_s:.1f} s, {len(moves.failures)} failed")
        ids = [b["resident_ids"][0] for b in moves.bodies]

        # 2. Lookups (fresh token: access tokens live 600 s).
        token = fetch_token(server.base)
        rng = random.Random(args.seed)
        if not ids:
            raise SystemExit("no move-in succeeded; nothing to look up:\n  " + "\n  ".join(moves.failures[:10]))
        dpath = f"/api/v1/tenants/{TENANT}/residents/{{}}?purpose={PURPOSE}"
        warm = [("GET", dpath.format(rng.choice(ids)), None) for _ in range(args.warmup)]
        drive(server.base, token, warm, args.concurrency, check_detail)
        plan = [("GET", dpath.format(rng.choice(ids)), None) for _ in range(lookups)]
        reads = drive(server.base, token, plan, args.concurrency, check_detail)
        print(f"lookups: {len(reads.latencies_ms)} sent in {reads.elapsed_s:.1f} s, {len(reads.failures)} failed")
        server_problems = server.server_errors()
    finally:
        server.stop()
    load_mid = loadavg()

    with owner_connect() as conn:
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM residents_resident WHERE tenant_id = %s), "
            "(SELECT count(*) FROM residents_procedure WHERE tenant_id = %s), "
            "(SELECT count(*) FROM audit_auditentry WHERE tenant_id = %s), "
            "(SELECT count(*) FROM events_event WHERE tenant_id = %s)",
            [TENANT] * 4,
        ).fetchone()
    n_move_sql, n_read_sql = statements_per_request(fetch_token_in_process(), ids[0], run_tag)

    # 3. Baseline, with the server stopped so nothing else of ours runs.
    tps, tps_line, pgb_version = pgbench(args.pgbench_seconds, args.pgbench_scale)

    m_rate = len(moves.bodies) / moves.elapsed_s
    r_rate = len(reads.bodies) / reads.elapsed_s
    print()
    print("RESULTS")
    print(
        f"  load: {args.concurrency} client threads in this process, one keep-alive httpx.Client each, against "
        f"{SERVER_LABEL[args.server]}{'' if args.server == 'gunicorn' else ' (CONN_MAX_AGE=0)'} on loopback; "
        f"tenant {TENANT}; latency = client wall clock per request; rate = successful requests / wall clock"
    )
    print(
        f"  POST {mpath}  (転入届 from abroad, 1-person household, 世帯主)\n"
        f"    n {len(moves.latencies_ms)}, errors {len(moves.failures)}, {m_rate:8.1f} move-ins/s, "
        f"p50 {pct(moves.latencies_ms, 50):7.1f} ms, p99 {pct(moves.latencies_ms, 99):7.1f} ms, "
        f"max {max(moves.latencies_ms):7.1f} ms"
    )
    print(
        f"  GET /api/v1/tenants/{TENANT}/residents/{{id}}?purpose={PURPOSE}  (random ids created above)\n"
        f"    n {len(reads.latencies_ms)}, errors {len(reads.failures)}, {r_rate:8.1f} lookups/s, "
        f"p50 {pct(reads.latencies_ms, 50):7.1f} ms, p99 {pct(reads.latencies_ms, 99):7.1f} ms, "
        f"max {max(reads.latencies_ms):7.1f} ms"
    )
    print(f"  SQL statements per request (in-process, same code): move-in {n_move_sql}, lookup {n_read_sql}")
    print(
        f"  rows after the run (tenant {TENANT}): residents {counts[0]}, procedures {counts[1]}, audit entries "
        f"{counts[2]}, events {counts[3]}"
    )
    print(
        f"  baseline: {pgb_version}, TPC-B-like, scale {args.pgbench_scale}, -c 4 -j 2 -T {args.pgbench_seconds}, "
        f"as {settings.DATABASES['owner']['USER']} over TCP loopback, server of the benchmark stopped:\n    {tps_line}"
    )
    print(f"  ratio move-ins/s / pgbench tps: {m_rate / tps:.4f}   (lookups/s / pgbench tps: {r_rate / tps:.4f})")
    for name, res in (("move-in", moves), ("lookup", reads)):
        for f in res.failures[:20]:
            print(f"  FAILED {name}: {f}")
    if server_problems:
        print(f"  server log: {len(server_problems)} lines other than 2xx access lines, first 10:")
        for ln in server_problems[:10]:
            print(f"    {ln[:300]}")
    print(
        f"\ntotal run time {time.perf_counter() - run_started:.0f} s; load average at start {load_start}, after the "
        f"HTTP phases {load_mid}, at end {loadavg()}"
    )
    if moves.failures or reads.failures:
        sys.exit(1)


def fetch_token_in_process() -> str:
    response = Client().post(
        "/o/token/", {"grant_type": "client_credentials", "scope": SCOPES},
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode(),
    )  # fmt: skip
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


if __name__ == "__main__":
    main()
