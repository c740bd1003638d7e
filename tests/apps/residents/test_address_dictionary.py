"""住所辞書管理 (住民記録システム標準仕様書 1.3.3, j250): the national address book, the municipality's dictionary
with 11-digit codes, staff corrections, and entry assistance by postal code and kana initials."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from kiban.apps.residents import address_dictionary
from kiban.apps.residents.models import AddressEntry
from kiban.apps.residents.validation import ProcedureError
from kiban.platform.tenants.context import tenant_context
from kiban.standard import address_book


def test_the_national_book_answers_postal_codes_kana_initials_and_levels() -> None:
    (kudan,) = address_book.by_postal_code("１０２-００７４")  # full-width digits and a hyphen
    assert (kudan.address, kudan.jisx0402, kudan.town_kana) == ("東京都千代田区九段南", "13101", "クダンミナミ")
    # the standard's own example: 「ト ヒ シ」 finds 東京都日野市神明
    assert "東京都日野市神明" in {n.address for n in address_book.by_kana_initials("ト ヒ シ")}
    assert "東京都日野市神明" in {n.address for n in address_book.by_kana_initials("と ひの しん")}
    assert address_book.by_kana_initials("") == [] and address_book.by_kana_initials("ア イ ウ エ") == []
    assert address_book.prefectures()[0] == "北海道" and len(address_book.prefectures()) == 47
    assert ("13101", "千代田区") in address_book.municipalities("東京都")
    assert all("（" not in n.town for n in address_book.towns(["13101"]))


@pytest.mark.django_db
def test_the_dictionary_is_filled_kept_and_corrected(tenant_a: Any) -> None:
    with tenant_context(tenant_a.code):
        first = address_dictionary.refresh(datetime.date(2026, 1, 1))
        assert first.added > 50 and first.abolished == 0
        kudan = AddressEntry.objects.get(town="九段南")
        assert len(kudan.code) == 11 and kudan.code.startswith("13101") and kudan.code.endswith("000")
        assert kudan.postal_code == "1020074" and kudan.town_kana == "クダンミナミ"
        # an old town name (kept for 本籍) disappears from the national data: abolished, never deleted or recoded
        old = AddressEntry.objects.create(code="13101999000", prefecture="東京都", city="千代田区", town="旧町",
                                          town_kana="キュウマチ")  # fmt: skip
        again = address_dictionary.refresh(datetime.date(2026, 2, 1))
        assert (again.added, again.abolished, again.kept) == (0, 1, first.added)
        old.refresh_from_db()
        assert old.abolished_on == datetime.date(2026, 2, 1)
        assert AddressEntry.objects.get(town="九段南").code == kudan.code
        # staff add a 小字 under a town, correct a name; bad input writes nothing
        koaza = address_dictionary.save(
            town="九段南", town_kana="クダンミナミ", koaza="北耕地", koaza_kana="キタコウチ"
        )
        assert koaza.code[:8] == kudan.code[:8] and koaza.code[8:] == "001" and koaza.source == "staff"
        fixed = address_dictionary.save(
            code=kudan.code, town="九段南", town_kana="クダンミナミ", postal_code="102-0074"
        )
        assert fixed.code == kudan.code and fixed.source == "staff"
        count = AddressEntry.objects.count()
        for kwargs, expected in [
            ({"town": "", "town_kana": "ア"}, {"required"}),
            ({"town": "新町", "town_kana": "Shinmachi"}, {"not_katakana"}),
            ({"town": "新町", "town_kana": "シンマチ", "postal_code": "12345"}, {"invalid"}),
            ({"code": "13101888000", "town": "x", "town_kana": "エックス"}, {"not_found"}),
            ({"town": "新町", "town_kana": "シンマチ", "city": "港区"}, {"invalid"}),
        ]:
            with pytest.raises(ProcedureError) as err:
                address_dictionary.save(**kwargs)
            assert {e.code for e in err.value.errors} == expected, kwargs
        assert AddressEntry.objects.count() == count
        # a staff correction survives the next refresh
        address_dictionary.refresh(datetime.date(2026, 3, 1))
        assert AddressEntry.objects.get(code=koaza.code).koaza == "北耕地"


def test_entry_assistance_through_the_api(tenant_a: Any, client_token: Any) -> None:
    token = client_token(tenant_a, businesses=["residents"], scopes="residents:read residents:write")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    base = f"/api/v1/tenants/{tenant_a.code}/addresses"
    assert client.post(f"{base}/refresh").json()["added"] > 50
    own = client.get(base, {"postal_code": "1020074"}).json()
    assert own[0]["address"] == "東京都千代田区九段南" and own[0]["code"].startswith("13101")
    elsewhere = client.get(base, {"kana": "ト ヒ シ"}).json()
    assert "東京都日野市神明" in {s["address"] for s in elsewhere} and all(s["code"] == "" for s in elsewhere)
    by_town = client.get(base, {"kana": "クダン"}).json()  # one part: the municipality's own towns
    assert {s["address"] for s in by_town} >= {"東京都千代田区九段南", "東京都千代田区九段北"}
    assert client.get(base).json() == []
    added = client.post(base, {"town": "新町", "town_kana": "シンマチ"}, content_type="application/json")
    assert added.status_code == 200 and added.json()["source"] == "staff"
    bad = client.post(base, {"town": "新町", "town_kana": "shin"}, content_type="application/json")
    assert bad.status_code == 422


def test_the_counter_looks_addresses_up_for_staff_only(tenant_a: Any, make_staff: Any) -> None:
    from tests.conftest import sign_in

    with tenant_context(tenant_a.code):
        address_dictionary.refresh(datetime.date(2026, 1, 1))
    clerk = sign_in(make_staff(tenant_a, "addr.clerk", ["residents.clerk"]))
    found = clerk.get("/staff/residents/addresses/lookup/", {"postal_code": "102-0074"}).json()["addresses"]
    assert found[0]["address"] == "東京都千代田区九段南" and found[0]["code"].startswith("13101")
    assert clerk.get("/staff/residents/addresses/lookup/").json() == {"addresses": []}
    page = clerk.get("/staff/residents/procedures/move-in/").content.decode()
    assert 'data-address-lookup="/staff/residents/addresses/lookup/"' in page
    assert Client().get("/staff/residents/addresses/lookup/", {"postal_code": "1020074"}).status_code in (302, 403)
