"""他業務照会 (住民記録システム標準仕様書 7.2.2, j1180): the registry's screen shows what the child allowance holds on a
person — recipient or child counted — through the standard contract, never the amounts or the account; each read
audited by both; the businesses the deployment cannot ask are named."""

import datetime
from typing import Any

from django.test import Client

from kiban.apps.child_allowance import services
from kiban.apps.residents import other_businesses
from kiban.platform.audit.models import AuditEntry
from kiban.platform.tenants.context import tenant_context
from tests.conftest import sign_in

from .conftest import VALID_BANK

D = datetime.date


def test_the_recipient_and_the_child_as_the_registry_sees_them(tenant_a: Any, family: Any, make_staff: Any) -> None:
    parent, child, other = family(D(2020, 1, 15), D(2022, 3, 1))
    with tenant_context(tenant_a.code):
        bank = services.BankAccount(**VALID_BANK)
        recognition = services.recognize(recipient_id=parent, children=[services.ChildClaim(child)],
                                         applied_on=D(2024, 10, 1), bank=bank)  # fmt: skip
        as_parent = other_businesses.inquire(parent, "窓口での確認")
        as_child = other_businesses.inquire(child, "窓口での確認")
        nobody = other_businesses.inquire(other, "窓口での確認")
        assert AuditEntry.objects.filter(action="child_allowance.inquired", object_id=str(parent)).count() == 1
        assert AuditEntry.objects.filter(action="residents.other_businesses.inquired").count() == 3
    ((title, items),) = [(b.title, dict(b.items)) for b in as_parent.answered]
    assert title == "児童手当" and items["受給者"].startswith("認定中") and "対象児童 1人" in items["受給者"]
    assert recognition.number in items["受給者"] and "円" not in items["受給者"] and "1234567" not in items["受給者"]
    assert dict(as_child.answered[0].items) == {"対象児童": f"認定番号 {recognition.number} の対象児童"}
    assert nobody.answered == [] and nobody.nothing == ["児童手当"]
    assert "選挙" in nobody.not_connected and "児童手当" not in nobody.not_connected

    clerk = sign_in(make_staff(tenant_a, "clerk-other", ["residents.clerk"]))
    url = f"/staff/residents/{parent}/other-businesses/"
    assert "利用目的" in clerk.get(url).content.decode()  # the purpose first
    page = clerk.get(url, {"purpose": "窓口での確認"}).content.decode()
    assert "児童手当" in page and "認定中" in page and 'id="not-connected"' in page
    assert clerk.get("/staff/residents/999999/other-businesses/", {"purpose": "確認"}).status_code == 404
    assert Client().get(url, {"purpose": "確認"}).status_code in (302, 403)
