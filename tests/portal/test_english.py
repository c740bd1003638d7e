"""English as a second language (Django i18n): the resident's ``lang`` preference renders the portal in English
alone; Japanese mode keeps the English beside the Japanese."""

from __future__ import annotations

from typing import Any

from django.test import Client


def _client(tenant: Any, resident_id: int, lang: str) -> Client:
    client = Client()
    session = client.session
    session["portal"] = {"tenant": tenant.code, "resident_id": resident_id, "sub": "sub", "signed_in_at": 0}
    session["portal_prefs"] = {"lang": lang}
    session.save()
    return client


def test_english_mode_renders_pages_forms_and_errors_in_english(tenant_a: Any, make_resident: Any) -> None:
    resident = make_resident(tenant_a)
    browser = _client(tenant_a, resident.id, "en")
    page = browser.get(f"/portal/{tenant_a.code}/procedures/").content.decode()
    assert '<html lang="en">' in page
    assert "<h1>Procedures</h1>" in page and "Moving within the municipality" in page
    assert "これまでの申請" not in page and "転居届" not in page and "日本語" in page  # the switch back, in Japanese

    url = browser.post(f"/portal/{tenant_a.code}/procedures/move-within/start/")["Location"]
    errors = browser.post(url, {"address": "", "moved_on": "R8.13.1", "submit": "1"})
    text = errors.content.decode()
    assert errors.status_code == 400
    assert "New address is required." in text and "を入力してください" not in text
    assert "The date is not valid" in text and "Choose at least one person who moves." in text
    assert 'aria-describedby="id_address-error address-easy"' in text and 'id="id_address-error"' in text

    certificate = browser.get(f"/portal/{tenant_a.code}/certificate/").content.decode()
    assert "Copy of your resident record" in certificate and "Purpose" in certificate and "使いみち" not in certificate


def test_japanese_mode_keeps_the_english_beside_it(tenant_a: Any, make_resident: Any) -> None:
    resident = make_resident(tenant_a)
    browser = _client(tenant_a, resident.id, "ja")
    url = browser.post(f"/portal/{tenant_a.code}/procedures/move-within/start/")["Location"]
    text = browser.post(url, {"address": "", "moved_on": "2026-04-01", "submit": "1"}).content.decode()
    assert '<html lang="ja">' in text
    assert "新しい住所を入力してください。 (New address is required.)" in text
    assert '下書き保存 <span lang="en">(Save draft)</span>' in text


def test_the_refusal_page_is_in_the_chosen_language(db: None, settings: Any) -> None:
    from kiban.platform.tenants.services import provision

    settings.KIBAN_PORTAL_OIDC = {**settings.KIBAN_PORTAL_OIDC, "metadata_url": "http://127.0.0.1:9/nothing-here"}
    provision("131016")
    browser = Client()
    browser.get("/portal/preferences/", {"lang": "en", "next": "/portal/"})
    response = browser.get("/portal/131016/login/")
    text = response.content.decode()
    assert response.status_code == 503 and "cannot be reached" in text and "つながりません" not in text
