"""Backups: a base backup plus archived WAL restores to a point in time (issue 8, "Two centres").

Runs ``deploy/ha/pitr-drill.sh`` (documented in docs/operations/two-centres.md) on a throwaway PostgreSQL 15 of
its own under /tmp, on two free loopback ports, so it needs neither the HA formation nor Kiban's database: a row
written before the target time must be in the restored copy, and a row written after it must not.
"""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

PGBIN = Path(os.environ.get("KIBAN_HA_PGBIN", "/usr/lib/postgresql/15/bin"))
SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "ha" / "pitr-drill.sh"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(not (PGBIN / "initdb").exists(), reason=f"needs PostgreSQL 15 server binaries in {PGBIN}"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_point_in_time_restore(capsys: pytest.CaptureFixture[str]) -> None:
    env = {**os.environ, "PITR_PORT": str(_free_port()), "PITR_RESTORE_PORT": str(_free_port()), "PITR_KEEP": "0"}
    result = subprocess.run([str(SCRIPT)], capture_output=True, text=True, timeout=180, env=env, check=False)
    with capsys.disabled():
        print("\n" + result.stdout.strip())
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("PITR OK"), result.stdout + result.stderr
