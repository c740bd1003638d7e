"""Every endpoint and view that takes an object id, called by tenant A with an id of tenant B, answers 404 and
writes nothing. The cases are generated from the URL conf, so a new endpoint is covered as soon as it exists; an
id parameter with no factory below fails the suite until one is added."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from kiban.platform.audit.services import record
from kiban.platform.tenants.context import tenant_context
from kiban.platform.tenants.models import TenantOwned
from tests.conftest import sign_in

# Operators' admin site and the OAuth token endpoints take no tenant object ids from staff; both are tested
# in test_operators.py and test_auth.py.
EXCLUDED_PREFIXES = ("admin/", "o/")
_PARAM = re.compile(r"<(?:(?P<conv>[^:>]+):)?(?P<name>[^>]+)>")


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            yield route


def routes_with_ids() -> list[str]:
    found = []
    for route in _walk(get_resolver().url_patterns):
        if route.startswith(EXCLUDED_PREFIXES) or route.startswith("^"):
            continue
        names = [m["name"] for m in _PARAM.finditer(route)]
        if any(n not in ("code", *NOT_IDS) for n in names):
            found.append(route)
    return sorted(set(found))


# Path parameters that are not object ids (a procedure's name, a button's action): a fixed valid value each.
NOT_IDS = {"slug": "move-within", "action": "draft", "job_name": "residents.population_statistics"}


def _moved_in(tenant: Any) -> Any:
    import datetime

    from kiban.apps.residents import services
    from kiban.apps.residents.validation import PersonData

    with tenant_context(tenant.code):
        return services.move_in(
            services.Notification(f"cross-{tenant.code}", datetime.date(2020, 1, 1), datetime.date(2020, 1, 1)),
            address=services.AddressData("東京都新宿区西新宿1番"), origin="abroad",
            persons=[PersonData(family_name="別", given_name="人", family_name_kana="ベツ", given_name_kana="ヒト",
                                birth_date=datetime.date(1990, 1, 1), sex="1", relationship="世帯主")],
        )  # fmt: skip


def _resident_in(tenant: Any) -> str:
    return str(_moved_in(tenant).resident_ids[0])


def _household_in(tenant: Any) -> str:
    return str(_moved_in(tenant).household_ids[0])


def _move_out_in(tenant: Any) -> int:
    import datetime

    from kiban.apps.residents import services

    resident_id = int(_resident_in(tenant))
    with tenant_context(tenant.code):
        return services.move_out(
            services.Notification(f"cross-out-{tenant.code}", datetime.date(2021, 1, 1), datetime.date(2021, 1, 1)),
            resident_ids=[resident_id], destination_address="大阪府大阪市北区1番",
        ).procedure_id  # fmt: skip


def _procedure_in(tenant: Any) -> str:
    return str(_move_out_in(tenant))


def _move_out_certificate_in(tenant: Any) -> str:
    from kiban.apps.residents import certificates
    from tests.conftest import register_test_certifier

    procedure_id = _move_out_in(tenant)
    register_test_certifier(tenant.code)
    with tenant_context(tenant.code):
        return str(certificates.issue_move_out_certificate(procedure_id).certificate.id)


def _measure_in(tenant: Any) -> str:
    from kiban.apps.residents import support

    resident_id = _moved_in(tenant).resident_ids[0]
    with tenant_context(tenant.code):
        return str(support.apply(resident_id, requested_by="本人").id)


def _request_id_in(tenant: Any) -> str:
    _moved_in(tenant)
    return f"cross-{tenant.code}"


def _submission_in(tenant: Any) -> str:
    from kiban.portal import services as portal_services
    from kiban.portal.procedures import PROCEDURES

    resident_id = _moved_in(tenant).resident_ids[0]
    with tenant_context(tenant.code):
        return str(portal_services.start(PROCEDURES["move-within"], resident_id, "sub").id)


def _recognition_and_revision_in(tenant: Any) -> tuple[str, str]:
    import datetime

    from kiban.apps.child_allowance.models import Recognition, Revision

    day = datetime.date(2024, 11, 1)
    with tenant_context(tenant.code):
        recognition = Recognition.objects.create(
            recipient_id=1, household_id=1, applied_on=day, recognized_on=day, first_month=day, status="ended",
            bank_code="0001",
            branch_code="001", account_type="1", account_number="0000001", account_holder_kana="ﾍﾞﾂ ﾋﾄ",
        )  # fmt: skip
        revision = Revision.objects.create(recognition=recognition, seq=1, kind="認定", effective_month=day, reason="x")
        return str(recognition.id), str(revision.id)


def _recognition_in(tenant: Any) -> str:
    return _recognition_and_revision_in(tenant)[0]


def _revision_in(tenant: Any) -> str:
    return _recognition_and_revision_in(tenant)[1]


def _payment_run_in(tenant: Any) -> str:
    import datetime

    from kiban.apps.child_allowance.models import PaymentRun

    with tenant_context(tenant.code):
        run = PaymentRun.objects.create(
            payment_month=datetime.date(2024, 12, 1), transfer_date=datetime.date(2024, 12, 10),
            months=[], count=0, total=0, file=b"",
        )  # fmt: skip
        return str(run.id)


def _benefit_in(tenant: Any) -> str:
    from kiban.apps.benefits import services as benefits

    with tenant_context(tenant.code):
        payer = benefits.Payer("1310410001", "ｼﾝｼﾞﾕｸｸ", "0001", "001", "1", "1")
        return benefits.define(benefits.shipped("special_fixed_sum_2020"), payer).code


def _audit_seq_in(tenant: Any) -> str:
    with tenant_context(tenant.code):
        for _ in range(3):
            record("test.marker")
        return "3"  # B has entry 3; A (fresh) has none


def _subscription_in(tenant: Any) -> str:
    from kiban.platform.events.models import Subscription

    with tenant_context(tenant.code):
        subscription = Subscription.objects.create(
            event_type="residents.resident.changed", kind="webhook", target="https://vendor.example/hook",
            business="residents",
        )  # fmt: skip
        return str(subscription.id)


def _schedule_in(tenant: Any) -> str:
    import datetime

    from kiban.platform.batch import services as batch

    with tenant_context(tenant.code):
        return str(batch.save_schedule("residents.population_statistics", kind="daily", at_time=datetime.time(2),
                                       parameters={}).id)  # fmt: skip


ID_FACTORIES: dict[str, Callable[[Any], str]] = {
    "resident_id": _resident_in,
    "household_id": _household_in,
    "measure_id": _measure_in,
    "seq": _audit_seq_in,
    "subscription_id": _subscription_in,
    "submission_id": _submission_in,
    "request_id": _request_id_in,
    "recognition_id": _recognition_in,
    "revision_id": _revision_in,
    "run_id": _payment_run_in,  # child allowance runs; a benefit's run is reached through its benefit_code (404 first)
    "benefit_code": _benefit_in,
    "procedure_id": _procedure_in,
    "certificate_id": _move_out_certificate_in,
    "schedule_id": _schedule_in,
}
# Query parameters every generated call carries, so that a 404 is about the id and not a missing parameter.
COMMON_PARAMS = {"purpose": "test", "business": "residents"}


def _call(client: Client, url: str) -> Any:
    """GET the URL; if the route takes other methods only, call each of those instead (last response wins)."""
    response = client.get(url, COMMON_PARAMS)
    if response.status_code == 405:
        query = "&".join(f"{k}={v}" for k, v in COMMON_PARAMS.items())
        for method in [m.strip() for m in response["Allow"].split(",") if m.strip() not in ("GET", "HEAD")]:
            response = getattr(client, method.lower())(f"{url}?{query}", data={}, content_type="application/json")
            assert response.status_code == 404, (method, url, response.status_code, response.content[:300])
    return response


def test_every_id_parameter_has_a_factory() -> None:
    missing = {
        m["name"]
        for route in routes_with_ids()
        for m in _PARAM.finditer(route)
        if m["name"] not in {"code", *ID_FACTORIES, *NOT_IDS}
    }
    assert missing == set(), f"add a factory for {missing} to ID_FACTORIES"


def test_routes_were_found() -> None:
    routes = routes_with_ids()
    assert any("resident_id" in r for r in routes) and any(r.startswith("api/") for r in routes)


def _snapshot(*tenants: Any) -> dict[tuple[str, str], int]:
    counts = {}
    for tenant in tenants:
        with tenant_context(tenant.code):
            for model in apps.get_models():
                if issubclass(model, TenantOwned):
                    counts[(tenant.code, model._meta.label)] = model.objects.count()
    return counts


def _url(route: str, values: dict[str, str]) -> str:
    return "/" + _PARAM.sub(lambda m: values[m["name"]], route)


@pytest.fixture
def a_user_with_every_role(tenant_a: Any, make_staff: Any) -> Any:
    from kiban.platform.accounts import roles

    return make_staff(tenant_a, "a.everything", [r.code for r in roles.all_roles() if not r.platform])


def _values(route: str, tenant_a: Any, tenant_b: Any) -> dict[str, str]:
    values = {"code": tenant_a.code}
    for m in _PARAM.finditer(route):
        if m["name"] in NOT_IDS:
            values[m["name"]] = NOT_IDS[m["name"]]
        elif m["name"] != "code":
            values[m["name"]] = ID_FACTORIES[m["name"]](tenant_b)
    return values


@pytest.mark.parametrize("route", [r for r in routes_with_ids() if not r.startswith("portal/")])
def test_tenant_a_staff_get_404_for_tenant_b_ids_and_nothing_is_written(
    route: str, tenant_a: Any, tenant_b: Any, a_user_with_every_role: Any
) -> None:
    client = sign_in(a_user_with_every_role)
    values = _values(route, tenant_a, tenant_b)
    before = _snapshot(tenant_a, tenant_b)
    url = _url(route, values)
    response = _call(client, url)
    assert response.status_code == 404, (url, response.status_code, response.content[:300])
    # And with tenant B's code in the path: still 404, not 403, so tenants cannot be probed.
    if "code" in values:
        response = _call(client, _url(route, values | {"code": tenant_b.code}))
        assert response.status_code == 404
    assert _snapshot(tenant_a, tenant_b) == before


@pytest.mark.parametrize("route", [r for r in routes_with_ids() if r.startswith("api/")])
def test_a_machine_client_of_tenant_a_gets_404_for_tenant_b_ids(
    route: str, tenant_a: Any, tenant_b: Any, client_token: Callable[..., str]
) -> None:
    scopes = "residents:read residents:write audit:read events:read events:subscribe"
    token = client_token(tenant_a, businesses=["residents", "audit"], scopes=scopes)
    values = _values(route, tenant_a, tenant_b)
    before = _snapshot(tenant_a, tenant_b)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    for code in (tenant_a.code, tenant_b.code):
        response = _call(client, _url(route, values | {"code": code}))
        assert response.status_code == 404, (route, code, response.content[:300])
        assert response["Content-Type"] == "application/problem+json"
    assert _snapshot(tenant_a, tenant_b) == before


@pytest.mark.parametrize("route", [r for r in routes_with_ids() if r.startswith("portal/")])
def test_a_resident_of_tenant_a_gets_404_for_tenant_b_ids(route: str, tenant_a: Any, tenant_b: Any) -> None:
    resident_id = _moved_in(tenant_a).resident_ids[0]
    client = Client()
    session = client.session
    session["portal"] = {"tenant": tenant_a.code, "resident_id": resident_id, "sub": "a", "signed_in_at": 0}
    session.save()
    values = _values(route, tenant_a, tenant_b)
    before = _snapshot(tenant_a, tenant_b)
    response = _call(client, _url(route, values))
    assert response.status_code == 404, (route, response.status_code, response.content[:300])
    # With B's code the resident is not signed in there: sent to B's sign-in, shown nothing.
    assert _call(client, _url(route, values | {"code": tenant_b.code})).status_code == 302
    assert _snapshot(tenant_a, tenant_b) == before
