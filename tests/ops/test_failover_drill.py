"""The east/west failover drill (issue 8, "Two centres"): kill the primary, lose nothing acknowledged.

Needs the pg_auto_failover formation of ``deploy/ha/start.sh`` (monitor 5440, east 5441, west 5442) and runs
only when ``KIBAN_HA_DSN`` is set to its multi-host URL; ``DATABASE_URL`` must be the same URL, so that Kiban's
own settings (aliases ``owner`` and ``default``) point at the formation::

    deploy/ha/start.sh
    export KIBAN_HA_DSN='postgres://postgres@127.0.0.1:5441,127.0.0.1:5442/kiban?target_session_attrs=read-write'
    DATABASE_URL="$KIBAN_HA_DSN" .venv/bin/pytest -m slow tests/ops/test_failover_drill.py

A writer thread runs procedures continuously, each with its own request id: ``tenant_context`` +
``publish(..., event_id=uuid5(request id))`` through :func:`kiban.platform.ha.run_in_transaction`, and counts a
request as acknowledged only once the commit has returned. After a few seconds the current primary ("east" on
a fresh formation) is killed with SIGKILL, in two ways (one test each):

- ``postmaster``: only the postmaster (pid from postmaster.pid). Its pg_autoctl keeper survives, reports that
  Postgres is down, and the monitor fails over at once (the keeper confirms the demotion).
- ``centre``: the whole east centre, i.e. the postmaster and its pg_autoctl keeper (the process group that
  start.sh started with setsid). Nobody confirms the demotion: the monitor must first find the node unhealthy,
  then wait out primary_demote_timeout (see deploy/ha/common.sh) before promoting the standby.

RTO is the time from the kill to the first commit on another server; RPO is checked on the new primary: every
acknowledged request id must be there. Afterwards ``deploy/ha/start.sh`` (idempotent) restarts what was killed
and waits until the old primary has rejoined as the standby, so the formation is left usable (primary +
secondary); ``deploy/ha/stop.sh --purge`` tears it down.
"""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, connection, connections, transaction

HA_DSN = os.environ.get("KIBAN_HA_DSN", "")
HA_DIR = Path(os.environ.get("KIBAN_HA_DIR", "/var/tmp/kiban-ha"))
START_SH = Path(__file__).resolve().parents[2] / "deploy" / "ha" / "start.sh"

TENANT = "131016"  # 千代田区
EVENT_TYPE = "platform.drill.recorded"
NAMESPACE = uuid.UUID("6d1f0f2e-8a43-4c55-9a7e-2b1c5b7f0a01")
WARM_UP_S = 3.0
AFTER_S = 3.0
RTO_TARGET_S = 30.0

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(
        not HA_DSN,
        reason="needs the HA formation: run deploy/ha/start.sh and set KIBAN_HA_DSN (and DATABASE_URL) to its URL",
    ),
]


@dataclass
class Ack:
    request_id: uuid.UUID
    at: float  # time.monotonic() when the commit returned
    server: tuple[int, str]  # (port, postmaster start time) of the server that committed it


@dataclass
class Writer:
    run: str
    acks: list[Ack] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    attempts: dict[uuid.UUID, int] = field(default_factory=dict)
    already_done: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def procedure(self, request_id: uuid.UUID) -> tuple[int, str]:
        """One idempotent procedure: its event id is derived from its request id."""
        from kiban.platform.events.services import publish
        from kiban.platform.tenants.context import tenant_context

        self.attempts[request_id] = self.attempts.get(request_id, 0) + 1
        with tenant_context(TENANT):
            with connection.cursor() as cursor:
                cursor.execute("SELECT inet_server_port(), pg_postmaster_start_time()::text")
                port, started = cursor.fetchone()
            try:
                with transaction.atomic():
                    publish(
                        EVENT_TYPE, f"drill-{self.run}", {"request_id": str(request_id)},
                        event_id=uuid.uuid5(NAMESPACE, str(request_id)),
                    )  # fmt: skip
            except IntegrityError as exc:
                # An earlier attempt committed but its acknowledgement was lost in the failover: already done.
                if getattr(getattr(exc.__cause__, "diag", None), "constraint_name", "") != "event_id_unique_per_tenant":
                    raise
                self.already_done += 1
        return int(port), str(started)

    def loop(self) -> None:
        from kiban.platform.ha import run_in_transaction

        try:
            while not self.stop.is_set():
                request_id = uuid.uuid4()
                server = run_in_transaction(functools.partial(self.procedure, request_id), deadline=60.0)
                self.acks.append(Ack(request_id, time.monotonic(), server))  # acknowledged: the commit returned
                time.sleep(0.005)
        except BaseException as exc:  # reported by the test
            self.errors.append(exc)
        finally:
            connections.close_all()


def _node_serving(port: int) -> Path:
    """The data directory (under KIBAN_HA_DIR) whose running postmaster listens on ``port``."""
    for node in ("east", "west"):
        pidfile = HA_DIR / node / "postmaster.pid"
        if pidfile.exists():
            lines = pidfile.read_text().splitlines()
            if len(lines) > 3 and lines[3].strip() == str(port):
                return HA_DIR / node
    raise AssertionError(f"no node under {HA_DIR} serves port {port}")


def _kill(node_dir: Path, mode: str) -> str:
    postmaster = int((node_dir / "postmaster.pid").read_text().splitlines()[0])
    done = []
    keeper_file = HA_DIR / "run" / f"{node_dir.name}.keeper.pid"
    if mode == "centre" and keeper_file.exists():
        keeper = int(keeper_file.read_text().strip())
        # the supervisor runs in its own session (start.sh uses setsid): its group is the whole centre
        os.killpg(keeper, signal.SIGKILL)
        done.append(f"pg_autoctl group {keeper}")
    try:
        os.kill(postmaster, signal.SIGKILL)
    except ProcessLookupError:
        pass  # already gone with its supervisor's process group
    done.append(f"postmaster {postmaster}")
    return ", ".join(done)


@pytest.fixture
def ha_database(django_db_blocker: Any) -> Iterator[None]:
    owner = settings.DATABASES.get("owner", {})
    conninfo = psycopg.conninfo.conninfo_to_dict(HA_DSN)
    if str(owner.get("HOST")) != conninfo.get("host") or str(owner.get("PORT")) != conninfo.get("port"):
        pytest.fail(f"DATABASE_URL must be the HA formation's URL too: DATABASE_URL={HA_DSN!r}")
    from kiban.platform.events import types

    types.register(types.EventType(EVENT_TYPE, frozenset(), "failover drill (tests/ops)"))
    with django_db_blocker.unblock():
        call_command("setup", verbosity=0)  # migrate as the owner on the current primary; grants kiban_app
        from kiban.platform.tenants.services import AlreadyProvisioned, provision

        try:
            provision(TENANT)
        except AlreadyProvisioned:
            pass
        connections.close_all()
        yield
        connections.close_all()


def _rejoin() -> subprocess.CompletedProcess[str]:
    """Start the killed node again: its pg_autoctl finds it demoted and makes it the new standby."""
    env = {**os.environ, "KIBAN_HA_DIR": str(HA_DIR)}
    return subprocess.run([str(START_SH)], capture_output=True, text=True, timeout=240, env=env, check=False)


@pytest.mark.parametrize("kill", ["postmaster", "centre"])
def test_failover_drill(ha_database: None, kill: str, capsys: pytest.CaptureFixture[str]) -> None:
    writer = Writer(run=uuid.uuid4().hex[:12])
    thread = threading.Thread(target=writer.loop, name="drill-writer", daemon=True)
    thread.start()
    killed: Path | None = None
    restart: subprocess.CompletedProcess[str] | None = None
    try:
        warm_until, give_up = time.monotonic() + WARM_UP_S, time.monotonic() + 60
        while (len(writer.acks) < 20 or time.monotonic() < warm_until) and time.monotonic() < give_up:
            assert not writer.errors, writer.errors
            time.sleep(0.1)
        assert writer.acks, "no procedure committed before the kill"
        old_server = writer.acks[-1].server
        killed = _node_serving(old_server[0])
        what = _kill(killed, kill)
        killed_at = time.monotonic()

        def first_after() -> Ack | None:
            return next((a for a in list(writer.acks) if a.at > killed_at and a.server != old_server), None)

        while first_after() is None and time.monotonic() < killed_at + 90 and not writer.errors:
            time.sleep(0.05)
        assert not writer.errors, f"the writer gave up: {writer.errors!r}"
        recovered = first_after()
        assert recovered is not None, "no commit on a new primary within 90 s of the kill"
        rto = recovered.at - killed_at
        time.sleep(AFTER_S)
        writer.stop.set()
        thread.join(timeout=90)
        assert not thread.is_alive(), "the writer did not stop"
        assert not writer.errors, f"the writer failed: {writer.errors!r}"

        acknowledged = {uuid.uuid5(NAMESPACE, str(a.request_id)) for a in writer.acks}
        with psycopg.connect(HA_DSN, connect_timeout=10) as conn:  # target_session_attrs=read-write: new primary
            row = conn.execute("SELECT inet_server_port()").fetchone()
            assert row is not None
            port = int(row[0])
            present = {
                r[0]
                for r in conn.execute(
                    "SELECT event_id FROM events_event WHERE tenant_id = %s AND subject = %s",
                    [TENANT, f"drill-{writer.run}"],
                )
            }
        new_node = _node_serving(port).name
    finally:
        writer.stop.set()
        thread.join(timeout=90)
        if killed is not None:
            restart = _rejoin()

    missing = acknowledged - present
    in_doubt = len(present - acknowledged)  # committed but never acknowledged (the client was cut off): allowed
    retried = sum(1 for n in writer.attempts.values() if n > 1)
    with capsys.disabled():
        print(
            f"\nfailover drill ({kill}): killed {killed.name} ({what}); new primary {new_node} (port {port}); "
            f"{retried} procedures retried, {writer.already_done} found already done, "
            f"{in_doubt} committed but unacknowledged\n"
            f"RTO {rto:.1f} s, RPO {len(missing)} ({len(acknowledged)} acknowledged, "
            f"{len(acknowledged & present)} present)"
        )
    assert not missing, f"acknowledged procedures lost in the failover: {sorted(missing)[:10]}"
    assert rto < RTO_TARGET_S, f"RTO {rto:.1f} s is over {RTO_TARGET_S:.0f} s"
    if kill == "centre":
        assert new_node != killed.name, "the primary did not move to the other centre"
    assert restart is not None, "the killed node was not restarted"
    assert restart.returncode == 0, f"the formation did not recover (primary + secondary):\n{restart.stderr[-3000:]}"
