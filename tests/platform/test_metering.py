"""Metering per municipality and month, and the cost allocation report."""

import json
from datetime import date
from fractions import Fraction
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from kiban.platform.metering.models import Usage
from kiban.platform.metering.services import Rule, add, allocate, snapshot_storage
from tests.conftest import sign_in

RULE = Rule(Fraction("0.3"), Fraction("0.5"), Fraction("0.2"), {"api_calls": Fraction(1)})


def test_api_calls_are_counted_per_tenant_and_month(tenant_a: Any, tenant_b: Any, client_token: Any) -> None:
    token = client_token(tenant_a, businesses=["residents"], scopes="residents:read")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    for _ in range(3):
        client.get(f"/api/v1/tenants/{tenant_a.code}/residents", {"kana": "ア", "purpose": "x"})
    client.get(f"/api/v1/tenants/{tenant_b.code}/residents", {"kana": "ア", "purpose": "x"})  # refused: not counted
    (usage,) = Usage.objects.filter(metric="api_calls")
    assert (usage.tenant_id, usage.value, usage.month.day) == (tenant_a.code, 3, 1)


def test_storage_snapshot_counts_only_the_tenants_rows(tenant_a: Any, tenant_b: Any, make_resident: Any) -> None:
    make_resident(tenant_a)
    make_resident(tenant_a, "サトウ")
    rows_a, _ = snapshot_storage(tenant_a.code, date(2026, 11, 1))
    assert snapshot_storage(tenant_b.code, date(2026, 11, 1))[0] == 0
    make_resident(tenant_b)
    rows_b, _ = snapshot_storage(tenant_b.code, date(2026, 11, 1))
    assert 0 < rows_b < rows_a  # B's rows are counted for B only: one resident's rows against two
    assert snapshot_storage(tenant_a.code, date(2026, 11, 1))[0] == rows_a


def test_allocation_adds_up_to_the_yen_and_follows_the_rule(tenant_a: Any, tenant_b: Any) -> None:
    month = date(2026, 11, 1)
    add(tenant_a.code, "api_calls", 300, day=month)
    add(tenant_b.code, "api_calls", 100, day=month)
    result = {a.tenant_id: a for a in allocate(1_000_001, month, RULE)}
    assert sum(a.amount_yen for a in result.values()) == 1_000_001
    pop_a, pop_b = result[tenant_a.code].residents, result[tenant_b.code].residents
    expected_a = 1_000_001 * (
        Fraction(3, 10) / 2 + Fraction(1, 2) * Fraction(pop_a, pop_a + pop_b) + Fraction(2, 10) * Fraction(3, 4)
    )
    assert abs(result[tenant_a.code].amount_yen - expected_a) < 1


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"fixed_share": "0.5", "per_resident_share": "0.5", "usage_share": "0.5", "usage_weights": {}}, "must be 1"),
        (
            {
                "fixed_share": "0.5",
                "per_resident_share": "0.3",
                "usage_share": "0.2",
                "usage_weights": {"api_calls": "0.5"},
            },
            "add up to 1",
        ),
        (
            {
                "fixed_share": "0.5",
                "per_resident_share": "0.3",
                "usage_share": "0.2",
                "usage_weights": {"page_views": "1"},
            },
            "unknown metrics",
        ),
    ],
)
def test_bad_rules_are_refused(tenant_a: Any, tmp_path: Any, rule: dict[str, Any], message: str) -> None:
    path = tmp_path / "rule.json"
    path.write_text(json.dumps(rule))
    with pytest.raises(CommandError, match=message):
        call_command("metering", "allocate", "--month", "2026-11", "--cost", "100", "--rule", str(path))


def test_operators_see_the_report_with_its_formula_and_staff_do_not(
    tenant_a: Any, make_operator: Any, make_staff: Any
) -> None:
    operator = sign_in(make_operator())
    page = operator.get("/ops/cost-allocation/", {"month": "2026-11", "cost": "5000000"})
    assert page.status_code == 200
    assert "cost_t = C ×" in page.content.decode()
    csv = operator.get("/ops/cost-allocation/", {"month": "2026-11", "cost": "5000000", "format": "csv"})
    assert csv.content.decode().splitlines()[-1].endswith(",5000000")
    bad = operator.get("/ops/cost-allocation/", {"month": "2026/11", "cost": "-5"})
    assert bad.status_code == 400 and "YYYY-MM" in bad.content.decode()
    staff = sign_in(make_staff(tenant_a, "admin", ["platform.tenant_admin"]))
    assert staff.get("/ops/cost-allocation/").status_code == 403
