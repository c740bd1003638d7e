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


def test_the_annual_report_counts_population_households_and_movements_of_the_period(
    tenant_a: Any, make_resident: Any, client_token: Any
) -> None:
    """住民基本台帳関係年報 (標準仕様書 6.1, j1080): 転入 incl. from abroad, 出生, 死亡, 転出; undone procedures never count."""
    d = datetime.date
    old = make_resident(tenant_a, "サトウ", sex="1", became_resident_on=d(2015, 1, 1))
    make_resident(tenant_a, "スズキ", sex="2", became_resident_on=d(2024, 3, 1))  # 転入 (from abroad) in 2024
    make_resident(
        tenant_a,
        "グエン",
        sex="1",
        kind="foreign",
        domicile="",
        nationality="704",
        residence_status="永住者",
        became_resident_on=d(2024, 5, 1),
    )
    leaving = make_resident(tenant_a, "タナカ", sex="2", became_resident_on=d(2015, 1, 1))
    moving = make_resident(tenant_a, "イトウ", sex="2", became_resident_on=d(2015, 1, 1))
    with tenant_context(tenant_a.code):
        from kiban.apps.residents.validation import PersonData

        services.birth(
            services.Notification("b", d(2024, 6, 1), d(2024, 6, 5)),
            household_id=old.household_id,
            person=PersonData(
                family_name="佐藤",
                given_name="一",
                family_name_kana="サトウ",
                given_name_kana="ハジメ",
                birth_date=d(2024, 6, 1),
                sex="1",
                relationship="子",
            ),
        )
        services.death(services.Notification("d", d(2024, 7, 1), d(2024, 7, 2)), resident_id=leaving.id)
        services.move_out(
            services.Notification("o", d(2024, 8, 1), d(2024, 7, 25)),
            resident_ids=[moving.id],
            destination_address="大阪府大阪市北区",
        )
        mistaken = services.move_in(
            services.Notification("m", d(2024, 9, 1), d(2024, 9, 1)),
            address=services.AddressData("千代田区9番"),
            origin="abroad",
            persons=[
                PersonData(
                    family_name="誤",
                    given_name="入力",
                    family_name_kana="ゴ",
                    given_name_kana="ニュウリョク",
                    birth_date=d(1990, 1, 1),
                    sex="1",
                    relationship="世帯主",
                    domicile="東京都",
                )
            ],
        )
        services.cancel(
            services.Notification("c", d(2024, 9, 2), d(2024, 9, 2)),
            procedure_id=mistaken.procedure_id,
            reason="二重入力",
        )
    token = client_token(tenant_a, businesses=["residents"], scopes="residents:read")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/v1/tenants/{tenant_a.code}/statistics/annual.csv"
    response = client.get(url, {"start": "2024-01-01", "end": "2024-12-31"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "期間開始",
        "期間終了",
        "区分",
        "男",
        "女",
        "計",
        "世帯数",
        "転入",
        "出生",
        "その他記載",
        "転出",
        "死亡",
        "その他消除",
    ]
    figures = {r[2]: [int(v) for v in r[3:]] for r in rows[1:]}
    #                        男 女 計 世帯 転入 出生 他記 転出 死亡 他消
    assert figures["日本人"] == [2, 1, 3, 2, 1, 1, 0, 1, 1, 0]
    assert figures["外国人"] == [1, 0, 1, 1, 1, 0, 0, 0, 0, 0]
    assert figures["計"] == [3, 1, 4, 3, 2, 1, 0, 1, 1, 0]
    assert client.get(url, {"start": "2024-12-31", "end": "2024-01-01"}).status_code == 422
