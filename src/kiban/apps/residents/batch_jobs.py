"""The resident registry's batch jobs (住民記録システム標準仕様書 9.1 バッチ処理, j1280), declared to the platform's
batch registry from ``ResidentsConfig.ready()``: supervisors schedule and start them on the platform's batch pages.

- ``residents.population_statistics``: the population table of 6.1 統計 (j1080, ``statistics.population_csv``) as
  of a base date, written as a CSV or XLSX file (9.1: 統計についてバッチの実行結果から一連の作業で最終的な提出物を
  作成する場合等には、自動実行する仕組みを用意すること). Counts only.
- ``residents.support_measure_expiry``: the support measures (支援措置) ending within a month and those whose period
  ended without extension (the supervisor's list of 4.x 支援措置, ``support.expiring`` and
  ``support.ended_without_extension``), written as a CSV file of measure and record ids and dates (no names or
  addresses: the file lies in a folder; the counter shows the person to those allowed).
- ``residents.special_permanent_expiry``: 特別永住者証明書 切替異動者リスト (標準仕様書 8.2.1, j1250: 切替年月日を
  経過した特別永住者について（自動的に）定期的に切替案内が作成されること): the certificates in force ending within
  ``months`` of the base day, and those whose end has passed without a new one, as a CSV file of record ids, certificate
  numbers and dates (no names or addresses, like the support measures' list); the letters are printed from the
  page (``special_permanent.guidance_letters_pdf``).
- ``residents.cs_send``: CSへの自動送信 (標準仕様書 7.1.1.1, j1090): the pending 本人確認情報 and 転入通知, oldest
  first (``external_notices.send_automatically``), scheduled as often as the municipality wants them to go; while
  switched to manual linkage it sends nothing and says so.

Each summary carries counts and the file's name only (no personal data).
"""

from __future__ import annotations

import csv
import io

from kiban.platform.audit.services import record
from kiban.platform.batch.registry import Job, Param, RunContext, register

from . import external_notices, special_permanent, statistics, support
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


def special_permanent_expiry(ctx: RunContext) -> str:
    day, months = ctx.values["on"], ctx.values["months"]
    end = special_permanent.months_after(day, months)
    ending = special_permanent.expiring(day, end)
    passed = special_permanent.passed(day)
    rows: list[list[object]] = [
        ["基準日", "状態", "住民ID", "特別永住者証明書の番号", "有効期間の満了の日", "更新申請期間の始期"]
    ]
    for state, due in (("満了予定", ending), ("満了（更新なし）", passed)):
        for d in due:
            c = d.certificate
            rows.append([day.isoformat(), state, d.person.id, c.number, c.expires_on.isoformat(),
                         d.renewal_opens.isoformat()])  # fmt: skip
    path = ctx.write_table(ctx.values["directory"], f"special-permanent-{ctx.tenant_id}-{day.isoformat()}", rows, "csv")
    listed = [d.person.id for d in (*ending, *passed)]
    special_permanent.audit_listed("residents.special_permanent.listed", listed, "切替異動者リスト（バッチ）")
    return f"{path.name}: 満了予定 {len(ending)}件, 満了 {len(passed)}件 (ending, ended without renewal)"


def cs_send(ctx: RunContext) -> str:
    counts = external_notices.send_automatically()
    if counts is None:
        return "手動連携中のため送信していません (switched to manual linkage: nothing sent)"
    return ", ".join(f"{external_notices.KINDS[k]} {n}件" for k, n in counts.items()) + " (sent)"


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


SPECIAL_PERMANENT_EXPIRY = Job(
    "residents.special_permanent_expiry", "特別永住者証明書 切替異動者リスト", "Special permanent certificates ending",
    BUSINESS, SUPERVISOR_ROLES, special_permanent_expiry,
    params=(
        Param("on", "基準日", "Base date", "date", "today", help="日付または today / month_end"),
        Param("months", "対象期間（月数）", "Months ahead", "int", "3", minimum=1, maximum=12),
        Param("directory", "出力フォルダ", "Output folder", "directory", "special-permanent"),
    ),
    description="標準仕様書 8.2.1: 指定月数以内に満了する特別永住者証明書と、満了して更新のないものをCSVに出力します.",
)  # fmt: skip


CS_SEND = Job(
    "residents.cs_send", "CSへの自動送信（本人確認情報・転入通知）", "Automatic sending to the CS",
    BUSINESS, SUPERVISOR_ROLES, cs_send,
    description="標準仕様書 7.1.1.1: 未送信の本人確認情報の通知と転入通知を異動の順に送信します"
                "（手動連携中は送信しません）.",
)  # fmt: skip


def register_jobs() -> None:
    register(POPULATION_STATISTICS, SUPPORT_MEASURE_EXPIRY, SPECIAL_PERMANENT_EXPIRY, CS_SEND)
