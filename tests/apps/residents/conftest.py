"""Fixtures shared by the counter (窓口) tests: a signed-in clerk and supervisor of ``tenant_a``, and residents."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kiban.apps.residents.models import Resident
from kiban.apps.residents.permissions import CLERK, SUPERVISOR
from tests.conftest import sign_in


@pytest.fixture
def clerk(tenant_a: Any, make_staff: Any) -> Client:
    return sign_in(make_staff(tenant_a, "clerk", [CLERK.code]))


@pytest.fixture
def supervisor(tenant_a: Any, make_staff: Any) -> Client:
    return sign_in(make_staff(tenant_a, "boss", [SUPERVISOR.code]))


@pytest.fixture
def person(tenant_a: Any, make_resident: Any) -> Resident:
    return make_resident(tenant_a, "ヤマダ")


@pytest.fixture
def foreigner(tenant_a: Any, make_resident: Any) -> Resident:
    return make_resident(tenant_a, "スミス", family_name="SMITH", given_name="JOHN", given_name_kana="ジョン",
                         kind="foreign", nationality="840", residence_status="留学",
                         residence_card_number="AB12345678CD", domicile="")  # fmt: skip
