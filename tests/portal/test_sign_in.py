"""Signing in to the portal over real OpenID Connect (authorization code + PKCE) with the demo provider, and
linking the person to exactly one resident record."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
import requests

from kiban.apps.residents import services
from kiban.apps.residents.validation import PersonData
from kiban.idp.services import create_identity, register_portal_client
from kiban.platform.tenants.context import tenant_context
from kiban.platform.tenants.services import provision

pytestmark = pytest.mark.postgres
PIN = "card-pin-for-tests-2026"


def _resident(code: str, given: str, address: str, birth: datetime.date) -> None:
    with tenant_context(code):
        services.move_in(
            services.Notification(f"portal-{given}-{address}", datetime.date(2020, 4, 1), datetime.date(2020, 4, 1)),
            address=services.AddressData(address),
            origin="abroad",
            persons=[
                PersonData(
                    family_name="山田",
                    given_name=given,
                    family_name_kana="ヤマダ",
                    given_name_kana="ハナコ",
                    birth_date=birth,
                    sex="2",
                    relationship="世帯主",
                )
            ],
        )


def _sign_in(server: str, username: str) -> requests.Response:
    browser = requests.Session()
    page = browser.get(f"{server}/portal/131016/login/")  # → provider's sign-in page
    assert page.url.startswith(f"{server}/idp/login/"), page.url
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert csrf is not None
    nxt = re.search(r'name="next" value="([^"]+)"', page.text)
    assert nxt is not None
    form = {
        "csrfmiddlewaretoken": csrf.group(1),
        "username": username,
        "password": PIN,
        "next": nxt.group(1).replace("&amp;", "&"),
    }
    return browser.post(page.url, data=form, headers={"Referer": page.url})


def test_sign_in_links_exactly_one_resident_and_refuses_others(kiban_server: str, settings: Any) -> None:
    settings.KIBAN_PORTAL_OIDC = {
        **settings.KIBAN_PORTAL_OIDC,
        "metadata_url": f"{kiban_server}/o/.well-known/openid-configuration",
    }
    provision("131016")
    register_portal_client("kiban-portal", "kiban-portal-demo-secret", f"{kiban_server}/portal/callback/")
    born = datetime.date(1985, 6, 15)
    _resident("131016", "花子", "東京都千代田区九段南一丁目2番1号", born)
    _resident("131016", "一子", "東京都千代田区一番町1番", born)  # twins at another address …
    _resident("131016", "一子", "東京都千代田区一番町1番　", born)  # … registered twice by mistake (ambiguous)
    create_identity(
        "hanako",
        PIN,
        family_name="山田",
        given_name="花子",
        birth_date=born,
        sex="2",
        address="東京都千代田区九段南1-2-1",
    )
    create_identity(
        "kazuko",
        PIN,
        family_name="山田",
        given_name="一子",
        birth_date=born,
        sex="2",
        address="東京都千代田区一番町1番",
    )
    create_identity(
        "stranger",
        PIN,
        family_name="佐藤",
        given_name="次郎",
        birth_date=born,
        sex="1",
        address="東京都千代田区九段南1-2-1",
    )

    page = _sign_in(kiban_server, "hanako")
    assert page.status_code == 200 and page.url == f"{kiban_server}/portal/131016/", page.text[:500]
    assert "山田 花子 さん" in page.text and "東京都千代田区九段南一丁目2番1号" in page.text

    refused = _sign_in(kiban_server, "stranger")
    assert refused.status_code == 403 and "見つかりませんでした" in refused.text
    ambiguous = _sign_in(kiban_server, "kazuko")
    assert ambiguous.status_code == 403 and "特定できませんでした" in ambiguous.text

    anonymous = requests.get(f"{kiban_server}/portal/131016/", allow_redirects=False)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].endswith("/portal/131016/login/")


def test_a_wrong_pin_is_refused_at_the_provider(kiban_server: str, settings: Any) -> None:
    settings.KIBAN_PORTAL_OIDC = {
        **settings.KIBAN_PORTAL_OIDC,
        "metadata_url": f"{kiban_server}/o/.well-known/openid-configuration",
    }
    provision("131016")
    register_portal_client("kiban-portal", "kiban-portal-demo-secret", f"{kiban_server}/portal/callback/")
    create_identity(
        "hanako",
        "another-pin-entirely",
        family_name="山田",
        given_name="花子",
        birth_date=datetime.date(1985, 6, 15),
        sex="2",
        address="x",
    )
    page = _sign_in(kiban_server, "hanako")
    assert page.status_code == 400 and "暗証番号が違います" in page.text


def test_an_unreachable_provider_is_a_clear_503_not_a_crash(db: None, settings: Any) -> None:
    from django.test import Client

    settings.KIBAN_PORTAL_OIDC = {**settings.KIBAN_PORTAL_OIDC, "metadata_url": "http://127.0.0.1:9/nothing-here"}
    provision("131016")
    response = Client().get("/portal/131016/login/")
    assert response.status_code == 503 and "つながりません" in response.content.decode()
