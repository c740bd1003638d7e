"""住民基本台帳人口: counts by district, group, age class and sex on a base date."""

import csv
import datetime
import io
from typing import Any

from django.test import Client

from kiban.apps.residents import services, statistics
from kiban.platform.tenants.context import tenant_context


def test_age_is_in_completed_years_and_classes_are_five_years() -> None:
    assert statistics.age_on(datetime.date(2000, 4, 2), datetime.date(2025, 4, 1)) == 24
    assert statistics.age_on(datetime.date(2000, 4, 1), datetime.date(2025, 4, 1)) == 25
    assert statistics.age_class(4) == "0-4" and statistics.age_class(5) == "5-9" and statistics.age_class(104) == "100-"


def test_population_csv_counts_who_was_registered_on_the_base_date(
    tenant_a: Any, make_resident: Any, client_token: Any
) -> None:
    make_resident(tenant_a, birth_date=datetime.date(1980, 4, 2), sex="2", became_resident_on=datetime.date(2015, 1, 1))
    make_resident(
        tenant_a, "サトウ", birth_date=datetime.date(1982, 1, 1), sex="1", became_resident_on=datetime.date(2015, 1, 1)
    )
    later = make_resident(
        tenant_a, "スズキ", birth_date=datetime.date(2020, 1, 1), became_resident_on=datetime.date(2025, 1, 1)
    )
    gone = make_resident(
        tenant_a, "タナカ", birth_date=datetime.date(1950, 1, 1), became_resident_on=datetime.date(2015, 1, 1)
    )
    with tenant_context(tenant_a.code):
        services.death(
            services.Notification("d", datetime.date(2024, 5, 1), datetime.date(2024, 5, 2)), resident_id=gone.id
        )
    token = client_token(tenant_a, businesses=["residents"], scopes="residents:read")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get(
        f"/api/v1/tenants/{tenant_a.code}/statistics/population.csv", {"as_of": "2024-12-31"}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["基準日", "町字", "区分", "年齢階級", "男", "女", "計"]
    body = {(r[2], r[3]): r[4:] for r in rows[1:-1]}
    assert body == {("日本人", "40-44"): ["1", "1", "2"]}  # 44 and 42 on 2024-12-31; the child and the deceased are not
    assert rows[-1][1:] == ["総数", "", "", "1", "1", "2"]
    assert later.id  # moved in 2025: counted from then
    assert "山田" not in response.content.decode()
