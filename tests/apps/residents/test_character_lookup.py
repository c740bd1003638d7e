"""文字コード照会 (住民記録システム標準仕様書 2.2.3, j370) at the counter: characters enlarged with their codes; the
text by POST only (names stay out of URLs and access logs); bad input refused with the reason."""

from __future__ import annotations

from typing import Any

from django.test import Client

URL = "/staff/residents/characters/"


def test_the_characters_are_shown_enlarged_with_their_codes(clerk: Client) -> None:
    assert clerk.get(URL).status_code == 200
    page = clerk.post(URL, {"text": "髙橋 𠮷\ue000"})
    html = page.content.decode()
    assert page.status_code == 200 and "4文字" in html
    assert '<td class="char-big" lang="ja">髙</td>' in html and "U+9AD9" in html and "MJ028902" in html
    assert "U+20BB7" in html and ">吉</td>" in html  # the JIS form by the MJ degeneration map
    assert "外字（私用領域）" in html and "U+E000" in html


def test_empty_or_too_long_text_is_refused_with_the_reason(clerk: Client) -> None:
    empty = clerk.post(URL, {"text": "  "})
    assert empty.status_code == 400 and "照会する文字を入力してください" in empty.content.decode()
    long = clerk.post(URL, {"text": "あ" * 65})
    assert (
        long.status_code == 400
        and "64文字以内" in long.content.decode()
        and 'id="characters"' not in (long.content.decode())
    )


def test_the_record_page_sends_the_name_by_post(clerk: Client, tenant_a: Any, make_resident: Any) -> None:
    person = make_resident(tenant_a)
    html = clerk.get(f"/staff/residents/{person.id}/", {"purpose": "確認"}).content.decode()
    start = html.index('id="character-lookup"')
    form = html[html.rindex("<form", 0, start) : html.index("</form>", start)]
    assert 'method="post"' in form and f'value="{person.family_name}{person.given_name}' in form
    assert URL in form


def test_signed_out_users_cannot_look_up(db: None) -> None:
    response = Client().post(URL, {"text": "髙"})
    assert response.status_code in (302, 403) and "U+9AD9" not in response.content.decode()
