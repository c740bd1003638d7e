"""The cost allocation report as CSV (for the ledger) and as rows for the operators' HTML page."""

from __future__ import annotations

import csv
import io
from datetime import date

from .models import METRICS
from .services import Allocation, Rule


def to_csv(allocations: list[Allocation], month: date, total_yen: int, rule: Rule) -> str:
    out = io.StringIO()
    out.write(f"# Kiban cost allocation for {month:%Y-%m}; total {total_yen} yen\n# {rule.formula()}\n")
    writer = csv.writer(out, lineterminator="\n")
    metrics = sorted(METRICS)
    writer.writerow(["tenant", "name", "residents", *metrics, "amount_yen"])
    for a in allocations:
        writer.writerow([a.tenant_id, a.name, a.residents, *(a.usage.get(m, 0) for m in metrics), a.amount_yen])
    return out.getvalue()
