"""A job for the batch tests: ``tests.echo`` does what its ``mode`` parameter says (succeed, fail, …)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from kiban.platform.batch.registry import Job, Param, RunContext, register

CALLS: list[dict[str, Any]] = []


def echo(ctx: RunContext) -> str:
    CALLS.append(dict(ctx.values))
    mode = ctx.values["mode"]
    if mode == "fail":
        raise RuntimeError("the job failed on purpose")
    if mode == "oserror":
        raise PermissionError(13, "Permission denied", "/nowhere")
    if mode == "sql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(3)")  # longer than the job's statement timeout
    if mode == "slow":
        time.sleep(0.3)
    name = f"echo-{ctx.values['on'].isoformat()}.txt"
    path = ctx.write_text(ctx.values["directory"], name, "x" * ctx.values["count"])
    return f"{path.name}: {ctx.values['count']}"


ECHO = Job(
    "tests.echo", "テスト用ジョブ", "Test job", "tests", ("residents.supervisor",), echo,
    params=(
        Param("count", "件数", "Count", "int", "3", minimum=1, maximum=100),
        Param("on", "基準日", "Base date", "date", "today"),
        Param("directory", "出力フォルダ", "Output folder", "directory", "out"),
        Param("mode", "動作", "Mode", "choice", "ok", choices=("ok", "fail", "oserror", "sql", "slow")),
        Param("note", "備考", "Note", "str", "", required=False),
    ),
    timeout_seconds=1,
)  # fmt: skip


@pytest.fixture(autouse=True)
def echo_job(settings: Any, tmp_path: Path) -> Job:
    settings.KIBAN_BATCH_DIR = tmp_path / "batch"
    register(ECHO)
    CALLS.clear()
    return ECHO
