"""The resident registry's batch jobs (住民記録システム標準仕様書 9.1 バッチ処理, j1280), declared to the platform's
batch registry from ``ResidentsConfig.ready()``: supervisors schedule and start them on the platform's batch pages.

- ``residents.population_statistics``: the population table of 6.1 統計 (j1080, ``statistics.population_csv``) as
  of a base date, written as a CSV or XLSX file (9.1: 統計についてバッチの実行結果から一連の作業で最終的な提出物を
  作成する場合等には、自動実行する仕組みを用意すること). Counts only.
- ``residents.support_measure_expiry``: the support measures (支援措置) ending within a month and those whose period
  ended without extension (the supervisor's list of 4.x 支援措置, ``support.expiring`` and
  ``support.ended_without_extension``), written as a CSV file of measure and record ids and dates (no names or
  addresses: the file lies in a folder; the counter shows the person to those allowed).

Each summary carries counts and the file's name only (no personal data).
"""

from __future__ import annotations

import csv
import io

from kiban.platform.audit.services import record
from kiban.platform.batch.registry import Job, Param, RunContext, register

from . import statistics, support
from .permissions import BUSINESS, SUPERVISOR_ROLES


def population_statistics(ctx: RunContext) -> str:
    as_of = ctx.values["as_of"]
    rows = list(csv.reader(io.StringIO(statistics.population_csv(as_of))))
    path = ctx.write_table(ctx.values["directory"], f"population-{ctx.tenant_id}-{as_of.isoformat()}", rows,
                           ctx.values["format"])  # fmt: skip
    record("residents.statistics.population_written", "batch-run", str(ctx.run_id), purpose=as_of.isoformat())
    return f"{path.name}: {len(rows) - 2}行 (rows), 総数 {rows[-1][-1]}人 (total)"


def support_measure_expiry(ctx: RunContext) -> str:
    day = ctx.values["on"]
    expiring, ended = support.expiring(day), support.ended_without_extension(day)
    rows: list[list[object]] = [["基準日", "状態", "支援措置ID", "住民ID", "開始日", "終了予定日"]]
    for state, measures in (("終了間近", expiring), ("期間経過（延長・解除なし）", ended)):
        for m in measures:
            rows.append([day.isoformat(), state, m.id, m.resident_id, m.starts_on.isoformat(), m.ends_on])
    path = ctx.write_table(ctx.values["directory"], f"support-expiry-{ctx.tenant_id}-{day.isoformat()}", rows, "csv")
    record("residents.support_measure.listed", "batch-run", str(ctx.run_id), purpose="支援措置の終了間近一覧")
    return f"{path.name}: 終了間近 {len(expiring)}件, 期間経過 {len(ended)}件 (expiring, ended without extension)"


POPULATION_STATISTICS = Job(
    "residents.population_statistics", "住民基本台帳人口（町字・年齢階級別）", "Population by district and age",
    BUSINESS, SUPERVISOR_ROLES, population_statistics,
    params=(
        Param("as_of", "基準日", "Base date", "date", "previous_month_end",
              help="日付または today / yesterday / month_end / previous_month_end"),
        Param("directory", "出力フォルダ", "Output folder", "directory", "statistics"),
        Param("format", "出力形式", "File format", "choice", "csv", choices=("csv", "xlsx")),
    ),
    description="標準仕様書 6.1 統計: 基準日の住民基本台帳人口をCSVまたはXLSXに出力します (counts only).",
)  # fmt: skip
SUPPORT_MEASURE_EXPIRY = Job(
    "residents.support_measure_expiry", "支援措置 終了間近一覧", "Support measures ending soon",
    BUSINESS, SUPERVISOR_ROLES, support_measure_expiry,
    params=(
        Param("on", "基準日", "Base date", "date", "today", help="日付または today / yesterday"),
        Param("directory", "出力フォルダ", "Output folder", "directory", "support"),
    ),
    description="1か月以内に終了する支援措置と、延長・解除なく期間が経過した支援措置をCSVに出力します.",
)  # fmt: skip


def register_jobs() -> None:
    register(POPULATION_STATISTICS, SUPPORT_MEASURE_EXPIRY)
