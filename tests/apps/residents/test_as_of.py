"""The "as of" contract (kiban.standard.contracts): a person as registered on a base date, answered from history."""

import datetime
from typing import Any

from django.test import Client

from kiban.apps.residents import services
from kiban.platform.tenants.context import tenant_context


def test_a_resident_is_found_only_while_registered(tenant_a: Any, client_token: Any, make_resident: Any) -> None:
    moved_in = make_resident(tenant_a, became_resident_on=datetime.date(2020, 5, 1))
    removed = make_resident(tenant_a, "サトウ", became_resident_on=datetime.date(2010, 1, 1))
    with tenant_context(tenant_a.code):
        services.move_out(
            services.Notification("out-1", datetime.date(2020, 4, 28), datetime.date(2020, 4, 20)),
            resident_ids=[removed.id], destination_address="大阪府大阪市北区",
        )  # fmt: skip
    token = client_token(tenant_a, businesses=["residents"], scopes="residents:read")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def get(resident: Any, as_of: str) -> Any:
        url = f"/api/v1/tenants/{tenant_a.code}/residents/{resident.id}"
        return client.get(url, {"purpose": "特別定額給付金", "as_of": as_of})

    base_date = "2020-04-27"  # 特別定額給付金の基準日
    assert get(moved_in, base_date).status_code == 404  # moved in afterwards
    assert get(removed, base_date).status_code == 200  # removed the day after
    assert get(removed, base_date).json()["status"] == "registered"
    assert get(removed, "2020-04-28").status_code == 404  # removed on that day: a 除票
    assert get(moved_in, "2020-05-01").status_code == 200
    assert get(moved_in, "2020-13-01").status_code == 422  # not a date


def test_as_of_answers_the_address_of_that_day(tenant_a: Any, client_token: Any, make_resident: Any) -> None:
    person = make_resident(tenant_a, became_resident_on=datetime.date(2019, 1, 10), address="千代田区一番町1番")
    with tenant_context(tenant_a.code):
        services.move_within(
            services.Notification("move-1", datetime.date(2021, 6, 1), datetime.date(2021, 6, 5)),
            resident_ids=[person.id], address=services.AddressData("千代田区二番町2番"),
        )  # fmt: skip
    token = client_token(tenant_a, businesses=["residents"], scopes="residents:read")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/v1/tenants/{tenant_a.code}/residents/{person.id}"
    assert client.get(url, {"purpose": "x", "as_of": "2021-05-31"}).json()["address"] == "千代田区一番町1番"
    assert client.get(url, {"purpose": "x", "as_of": "2021-06-01"}).json()["address"] == "千代田区二番町2番"
    now = client.get(url, {"purpose": "x"}).json()
    assert now["address"] == "千代田区二番町2番" and now["previous_address"] == "千代田区一番町1番"
    history = client.get(f"{url}/history", {"purpose": "x"}).json()
    assert [(h["record"], h["kind"]) for h in history] == [(1, "国外転入等"), (1, "転居")]


def test_history_is_per_record_after_a_re_entry(tenant_a: Any, client_token: Any, make_resident: Any) -> None:
    """標準仕様書 2.2.1 (j350): the API answers the history of one 住民票; a 再転入 starts a new one (j600)."""
    from kiban.apps.residents.models import Resident
    from kiban.apps.residents.validation import PersonData

    person = make_resident(tenant_a, became_resident_on=datetime.date(2015, 4, 1))
    with tenant_context(tenant_a.code):
        services.move_out(services.Notification("away", datetime.date(2018, 3, 31), datetime.date(2018, 3, 20)),
                          resident_ids=[person.id], destination_address="大阪府大阪市北区")  # fmt: skip
        r = Resident.objects.get(id=person.id)
        back = PersonData(
            family_name=r.family_name, given_name=r.given_name, family_name_kana=r.family_name_kana,
            given_name_kana=r.given_name_kana, birth_date=r.birth_date, sex=r.sex, relationship="世帯主",
            resident_code=r.resident_code, domicile="東京都千代田区", domicile_head=r.family_name,
        )  # fmt: skip
        services.move_in(services.Notification("back", datetime.date(2023, 4, 1), datetime.date(2023, 4, 3)),
                         address=services.AddressData("千代田区三番町3番"), previous_address="大阪府大阪市北区",
                         persons=[back])  # fmt: skip
    token = client_token(tenant_a, businesses=["residents"], scopes="residents:read")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/v1/tenants/{tenant_a.code}/residents/{person.id}"
    assert client.get(f"{url}/records").json() == [
        {"number": 1, "began_on": "2015-04-01", "removed_on": "2018-03-31"},
        {"number": 2, "began_on": "2023-04-01", "removed_on": None},
    ]
    current = client.get(f"{url}/history", {"purpose": "x"}).json()
    assert [(h["record"], h["kind"]) for h in current] == [(2, "国内転入")]
    first = client.get(f"{url}/history", {"purpose": "x", "record": 1}).json()
    assert [(h["record"], h["kind"]) for h in first] == [(1, "国外転入等"), (1, "国内転出")]
    standard = client.get(f"{url}/history/standard", {"purpose": "x", "record": 1}).json()
    assert [h["history_number"] for h in standard] == [1, 2]
    assert client.get(f"{url}/history", {"purpose": "x", "record": 3}).status_code == 404
    assert client.get(f"{url}/history", {"purpose": "x", "record": 0}).status_code == 422


def test_records_and_history_in_the_standard_schemas(tenant_a: Any, client_token: Any, make_resident: Any) -> None:
    from kiban.standard.schemas import ChangeRecord, Resident

    person = make_resident(tenant_a, became_resident_on=datetime.date(2019, 1, 10), address="東京都千代田区一番町1番")
    with tenant_context(tenant_a.code):
        services.move_within(
            services.Notification("move-s", datetime.date(2021, 6, 1), datetime.date(2021, 6, 5)),
            resident_ids=[person.id], address=services.AddressData("東京都千代田区二番町2番", building="二番町ハイツ3F"),
        )  # fmt: skip
    token = client_token(tenant_a, businesses=["residents"], scopes="residents:read")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/v1/tenants/{tenant_a.code}/residents/{person.id}"
    record = Resident.model_validate(client.get(f"{url}/standard", {"purpose": "x"}).json())
    assert (record.address.prefecture, record.address.municipality, record.address.town) == (
        "東京都",
        "千代田区",
        "二番町2番",
    )
    assert record.address.building == "二番町ハイツ3F" and record.relationship == "世帯主"
    then = Resident.model_validate(client.get(f"{url}/standard", {"purpose": "x", "as_of": "2020-01-01"}).json())
    assert then.address.town == "一番町1番"
    history = [ChangeRecord.model_validate(h) for h in client.get(f"{url}/history/standard", {"purpose": "x"}).json()]
    assert [(h.history_number, h.reason, h.kind) for h in history] == [(1, "国外転入等", "記載"), (2, "転居", "修正")]
    assert history[1].notified_on == datetime.date(2021, 6, 5)
