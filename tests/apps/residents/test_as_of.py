"""The "as of" contract (kiban.standard.contracts): a person as registered on a base date."""

import datetime
from typing import Any

from django.test import Client


def test_a_resident_is_found_only_while_registered(tenant_a: Any, client_token: Any, make_resident: Any) -> None:
    moved_in = make_resident(tenant_a, became_resident_on=datetime.date(2020, 5, 1))
    removed = make_resident(
        tenant_a, became_resident_on=datetime.date(2010, 1, 1), removed_on=datetime.date(2020, 4, 28), removed=True
    )
    token = client_token(tenant_a, businesses=["residents"], scopes="residents:read")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def status(resident: Any, as_of: str) -> int:
        url = f"/api/v1/tenants/{tenant_a.code}/residents/{resident.id}"
        return client.get(url, {"purpose": "特別定額給付金", "as_of": as_of}).status_code

    base_date = "2020-04-27"  # 特別定額給付金の基準日
    assert status(moved_in, base_date) == 404  # moved in afterwards
    assert status(removed, base_date) == 200  # removed the day after
    assert status(removed, "2020-04-28") == 404  # removed on that day: a 除票
    assert status(moved_in, "2020-05-01") == 200
    assert status(moved_in, "2020-13-01") == 422  # not a date
