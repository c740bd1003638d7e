"""認証者 (住民記録システム標準仕様書 1.3.9, j310): the mayor and the acting deputy with title and name, deputy
periods switching the certifier by themselves, ward certifiers of a designated city, no certifier without a name."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from kiban.apps.residents import certificates
from kiban.apps.residents.certificates import CertifierData
from kiban.apps.residents.models import Certifier
from kiban.apps.residents.permissions import CLERK, SUPERVISOR
from kiban.apps.residents.validation import ProcedureError
from kiban.platform.audit.models import AuditEntry
from kiban.platform.tenants.context import tenant_context
from tests.conftest import sign_in

D = datetime.date


@pytest.fixture(autouse=True)
def _start_without_certifiers(request: pytest.FixtureRequest) -> None:
    """These tests start from a municipality without certifiers, whatever a shared fixture registered."""
    if "tenant_a" in request.fixturenames:
        from tests.apps.residents.test_certificates import no_certifier

        no_certifier(request.getfixturevalue("tenant_a"))


MAYOR = CertifierData("mayor", "千代田区長", "樋口　高顕", D(2021, 2, 1))
DEPUTY = CertifierData("deputy", "千代田区長職務代理者　千代田区副区長", "副区　長子", D(2024, 8, 1), D(2024, 8, 31))


def test_the_deputy_certifies_within_the_period_registered_in_advance(tenant_a: Any) -> None:
    with tenant_context(tenant_a.code):
        mayor = certificates.register_certifier(MAYOR)
        deputy = certificates.register_certifier(DEPUTY)
        assert certificates.certifier_on(D(2024, 7, 31)).name == "樋口　高顕"  # type: ignore[union-attr]
        assert certificates.certifier_on(D(2024, 8, 1)).name == "副区　長子"  # type: ignore[union-attr]
        assert certificates.certifier_on(D(2024, 8, 31)).name == "副区　長子"  # type: ignore[union-attr]
        assert certificates.certifier_on(D(2024, 9, 1)).name == "樋口　高顕"  # type: ignore[union-attr]
        assert certificates.certifier_on(D(2021, 1, 31)) is None  # before anyone was registered
        registered = AuditEntry.objects.filter(action="residents.certifier.registered")
        assert {str(mayor.id), str(deputy.id)} <= set(registered.values_list("object_id", flat=True))


def test_a_new_mayor_takes_over_from_the_start_of_the_term(tenant_a: Any) -> None:
    with tenant_context(tenant_a.code):
        certificates.register_certifier(MAYOR)
        certificates.register_certifier(CertifierData("mayor", "千代田区長", "新任　区長", D(2025, 2, 1)))
        assert certificates.certifier_on(D(2025, 1, 31)).name == "樋口　高顕"  # type: ignore[union-attr]
        assert certificates.certifier_on(D(2025, 2, 1)).name == "新任　区長"  # type: ignore[union-attr]


@pytest.mark.parametrize("name", ["", "   ", "　　"])
def test_a_certifier_without_a_name_is_refused(tenant_a: Any, name: str) -> None:
    # j310 実装しない機能: 「○○長 公印」のように氏名空欄とできること
    with tenant_context(tenant_a.code):
        with pytest.raises(ProcedureError) as err:
            certificates.register_certifier(CertifierData("mayor", "千代田区長", name, D(2024, 1, 1)))
        assert [(e.field, e.code) for e in err.value.errors] == [("name", "required")]
        assert "氏名を空欄とすることはできません" in err.value.errors[0].message
        assert not Certifier.objects.filter(withdrawn_at__isnull=True).exists()


def test_the_database_refuses_a_certifier_without_a_name_or_title(tenant_a: Any) -> None:
    with tenant_context(tenant_a.code):
        for title, name in (("千代田区長", ""), ("千代田区長", "  "), ("", "樋口　高顕")):
            with pytest.raises(IntegrityError), transaction.atomic():
                Certifier(role="mayor", title=title, name=name, starts_on=D(2024, 1, 1), recorded_by="t").save()
        with pytest.raises(IntegrityError), transaction.atomic():  # a deputy always has a period
            Certifier(
                role="deputy", title="職務代理者", name="副区　長子", starts_on=D(2024, 1, 1), recorded_by="t"
            ).save()


def test_a_deputy_needs_a_period_in_order_that_does_not_overlap_another(tenant_a: Any) -> None:
    with tenant_context(tenant_a.code):
        with pytest.raises(ProcedureError) as err:
            certificates.register_certifier(CertifierData("deputy", "職務代理者", "副区　長子", D(2024, 8, 1)))
        assert {e.code for e in err.value.errors} == {"required"}
        with pytest.raises(ProcedureError) as err:
            certificates.register_certifier(
                CertifierData("deputy", "職務代理者", "副区　長子", D(2024, 8, 1), D(2024, 7, 1))
            )
        assert {e.code for e in err.value.errors} == {"before_start"}
        certificates.register_certifier(DEPUTY)
        with pytest.raises(ProcedureError) as err:
            certificates.register_certifier(
                CertifierData("deputy", "職務代理者", "別人　代理", D(2024, 8, 31), D(2024, 9, 10))
            )
        assert {e.code for e in err.value.errors} == {"overlap"}


def test_a_withdrawn_registration_no_longer_certifies_but_is_kept(tenant_a: Any) -> None:
    with tenant_context(tenant_a.code):
        certificates.register_certifier(MAYOR)
        deputy = certificates.register_certifier(DEPUTY)
        certificates.withdraw_certifier(deputy.id)
        assert certificates.certifier_on(D(2024, 8, 15)).name == "樋口　高顕"  # type: ignore[union-attr]
        assert Certifier.objects.get(id=deputy.id).withdrawn_at is not None
        with pytest.raises(ProcedureError):
            certificates.withdraw_certifier(deputy.id)


def test_a_ward_of_a_designated_city_has_its_own_certifier(db: None) -> None:
    from kiban.platform.tenants.services import provision

    yokohama = provision("141003")  # 横浜市 (指定都市); 141011 is its 鶴見区
    with tenant_context(yokohama.code):
        certificates.register_certifier(CertifierData("mayor", "横浜市長", "市長　太郎", D(2021, 8, 30)))
        certificates.register_certifier(
            CertifierData("mayor", "横浜市鶴見区長", "区長　花子", D(2023, 4, 1), ward_code="141011")
        )
        certificates.register_certifier(
            CertifierData("deputy", "横浜市鶴見区長職務代理者", "代理　次郎", D(2024, 8, 1), D(2024, 8, 31), "141011")
        )
        assert certificates.certifier_on(D(2024, 7, 1), "141011").name == "区長　花子"  # type: ignore[union-attr]
        assert certificates.certifier_on(D(2024, 8, 2), "141011").name == "代理　次郎"  # type: ignore[union-attr]
        assert certificates.certifier_on(D(2024, 8, 2)).name == "市長　太郎"  # type: ignore[union-attr]
        with pytest.raises(ProcedureError) as err:
            certificates.register_certifier(
                CertifierData("mayor", "区長", "誤り　太郎", D(2024, 1, 1), ward_code="141012")
            )
        assert {e.code for e in err.value.errors} == {"invalid"}  # check digit


def test_a_ward_certifier_only_for_a_designated_city(tenant_a: Any) -> None:
    with tenant_context(tenant_a.code):  # 千代田区 is a special ward of Tokyo, not a designated city's ward
        with pytest.raises(ProcedureError) as err:
            certificates.register_certifier(
                CertifierData("mayor", "区長", "区長　一郎", D(2024, 1, 1), ward_code="131041")
            )
        assert {e.code for e in err.value.errors} == {"not_a_ward"}


# --- the counter page (supervisors only) --------------------------------------------------------------------------


def test_a_supervisor_registers_and_withdraws_certifiers_at_the_counter(tenant_a: Any, make_staff: Any) -> None:
    client = sign_in(make_staff(tenant_a, "boss", [SUPERVISOR.code]))
    page = client.get("/staff/residents/certifiers/", secure=True)
    assert page.status_code == 200 and "未登録のため証明書を交付できません" in page.content.decode()
    posted = {"action": "register", "role": "mayor", "title": "千代田区長", "name": "樋口　高顕", "starts_on": "R3.2.1"}
    assert client.post("/staff/residents/certifiers/", posted, secure=True).status_code == 302
    page = client.get("/staff/residents/certifiers/", secure=True).content.decode()
    assert "千代田区長　樋口　高顕" in page
    refused = client.post("/staff/residents/certifiers/", {**posted, "name": "　", "starts_on": "R6.1.1"}, secure=True)
    assert refused.status_code == 400 and "入力してください" in refused.content.decode()
    with tenant_context(tenant_a.code):
        certifier = Certifier.objects.get(name="樋口　高顕")
    withdrawn = {"action": "withdraw", "certifier_id": str(certifier.id)}
    assert client.post("/staff/residents/certifiers/", withdrawn, secure=True).status_code == 302
    with tenant_context(tenant_a.code):
        assert certificates.certifier_on(D(2024, 1, 1)) is None


def test_a_clerk_may_not_manage_certifiers(tenant_a: Any, make_staff: Any) -> None:
    client: Client = sign_in(make_staff(tenant_a, "clerk", [CLERK.code]))
    assert client.get("/staff/residents/certifiers/", secure=True).status_code == 403
