"""The registry behind the standard contract other businesses use (kiban.standard.contracts)."""

import datetime
from typing import Any

from kiban.apps.residents import services
from kiban.platform.tenants.context import tenant_context
from kiban.standard.contracts import registry

D = datetime.date


def test_population_and_households_as_of_a_base_date(tenant_a: Any, make_resident: Any) -> None:
    a = make_resident(tenant_a, became_resident_on=D(2019, 1, 1))
    b = make_resident(tenant_a, "サトウ", became_resident_on=D(2020, 5, 1))
    c = make_resident(tenant_a, "スズキ", became_resident_on=D(2019, 1, 1))
    with tenant_context(tenant_a.code):
        services.move_out(services.Notification("o", D(2020, 4, 28), D(2020, 4, 20)), resident_ids=[c.id],
                          destination_address="大阪市")  # fmt: skip
        base = D(2020, 4, 27)  # 特別定額給付金の基準日
        people = list(registry().population_as_of(base, "特別定額給付金"))
        assert {p.resident_id for p in people} == {a.id, c.id}
        assert {p.resident_id for p in registry().population_as_of(D(2020, 5, 1), "x")} == {a.id, b.id}
        assert registry().resident_as_of(b.id, base, "x") is None
        (member,) = registry().household_as_of(a.household_id, base, "x")
        assert (member.resident_id, member.relationship, member.birth_date) == (a.id, "世帯主", D(1980, 4, 2))
