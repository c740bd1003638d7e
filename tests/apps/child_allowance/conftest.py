"""Families recorded through the registry's own procedures (tests may import the registry app; the child allowance
app may not), and the child allowance subscribed to the registry's events."""

import datetime
import itertools
from collections.abc import Callable
from typing import Any

import pytest

from kiban.apps.residents import services as registry_services
from kiban.apps.residents.validation import PersonData
from kiban.platform.events.dispatcher import Dispatcher
from kiban.platform.tenants.context import tenant_context

D = datetime.date
_ids = itertools.count(1)
VALID_BANK = {"bank_code": "0001", "branch_code": "001", "account_type": "1", "account_number": "1234567",
              "holder_kana": "タナカ　タロウ"}  # fmt: skip  # みずほ銀行 東京営業部 (zengin-code list)


def person(given: str, born: datetime.date, relationship: str, sex: str = "1", kana: str = "タロウ") -> PersonData:
    return PersonData(
        family_name="田中", given_name=given, family_name_kana="タナカ", given_name_kana=kana, birth_date=born, sex=sex,
        relationship=relationship, domicile="東京都千代田区千代田1番",
    )  # fmt: skip


@pytest.fixture
def family(tenant_a: Any) -> Callable[..., list[int]]:
    """A household moved in from abroad on ``moved_in`` (default: 2015-04-01 or the last birth): a householder
    born 1985 and children with these birth dates; returns [householder id, child ids...]."""

    def make(*children: datetime.date, moved_in: datetime.date | None = None) -> list[int]:
        moved_in = moved_in or max([D(2015, 4, 1), *children])
        persons = [person("太郎", D(1985, 5, 1), "世帯主")]
        persons += [person(f"子{i}", born, "子", kana="コ") for i, born in enumerate(children, start=1)]
        with tenant_context(tenant_a.code):
            result = registry_services.move_in(
                registry_services.Notification(f"family-{next(_ids)}", moved_in, moved_in),
                address=registry_services.AddressData("東京都千代田区千代田1番1号"), persons=persons, origin="abroad",
            )  # fmt: skip
        return list(result.resident_ids)

    return make


def birth(tenant: Any, household_id: int, born: datetime.date, given: str = "次郎") -> int:
    with tenant_context(tenant.code):
        result = registry_services.birth(
            registry_services.Notification(f"birth-{next(_ids)}", born, born + datetime.timedelta(days=3)),
            household_id=household_id, person=person(given, born, "子", kana="ジロウ"),
        )  # fmt: skip
    return int(result.resident_ids[0])


def move_out(tenant: Any, resident_ids: list[int], on: datetime.date) -> None:
    with tenant_context(tenant.code):
        registry_services.move_out(
            registry_services.Notification(f"out-{next(_ids)}", on, on), resident_ids=resident_ids,
            destination_address="大阪府大阪市北区梅田1丁目1番1号",
        )  # fmt: skip


def deliver() -> int:
    return Dispatcher().run_once()


@pytest.fixture
def subscribed(tenant_a: Any) -> Any:
    from kiban.apps.child_allowance import services

    with tenant_context(tenant_a.code):
        services.subscribe_to_registry()
        services.set_payer_account(requester_code="1310160001", requester_name_kana="チヨダク", bank_code="0001",
                                   branch_code="001", account_type="1", account_number="7654321")  # fmt: skip
    return tenant_a
