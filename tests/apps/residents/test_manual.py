"""The counter's online manual (標準仕様書 10.5 ヘルプ機能, j1400): each page links (Alt+H) to the topic explaining
it, opened from the page; the topics together are the manual; staff only."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import get_resolver

from kiban.apps.residents import manual, urls
from kiban.apps.residents.models import Resident

BASE = "/staff/residents"
# The counter's URLs no topic explains: JSON for the wizards' fields, and the manual itself.
WITHOUT_TOPIC = {"resident-address-lookup", "resident-building-candidates", "resident-manual", "resident-manual-topic"}


def _assert_links(client: Client, pages: dict[str, str]) -> None:
    """Each page's Help link (Alt+H) opens its own topic."""
    for url, slug in pages.items():
        assert _help_link(client.get(url).content.decode()) == f"{BASE}/manual/{slug}/", url


def _help_link(html: str) -> str:
    match = re.search(r'<a href="([^"]+)" accesskey="h"', html)
    assert match, html[:2000]
    return match.group(1)


def test_every_topic_is_a_page_of_the_manual(clerk: Client) -> None:
    contents = clerk.get(f"{BASE}/manual/")
    assert contents.status_code == 200
    for topic in manual.TOPICS:
        assert f'href="{BASE}/manual/{topic.slug}/"' in contents.content.decode()
        page = clerk.get(f"{BASE}/manual/{topic.slug}/")
        html = page.content.decode()
        assert page.status_code == 200 and f"{topic.ja} <small" in html and 'aria-current="page"' in html
        assert "この画面でできること" in html  # each topic says what its page does
    assert clerk.get(f"{BASE}/manual/no-such-topic/").status_code == 404
    assert Client().get(f"{BASE}/manual/").status_code in (302, 403)  # signed-in staff only


def test_the_topics_name_pages_that_exist() -> None:
    names = {name for name in get_resolver().reverse_dict if isinstance(name, str)}
    for topic in manual.TOPICS:
        for url_name in topic.url_names:
            assert url_name in names, (topic.slug, url_name)


def test_every_counter_page_has_a_topic() -> None:
    """A new page needs a topic of the manual (or a place in ``WITHOUT_TOPIC``), or this fails."""
    covered = {name for topic in manual.TOPICS for name in topic.url_names}
    names = {pattern.name for pattern in urls.urlpatterns}
    assert names - covered == WITHOUT_TOPIC
    assert not covered & WITHOUT_TOPIC
    slugs = [topic.slug for topic in manual.TOPICS]
    assert len(slugs) == len(set(slugs))
    assert sum(len(topic.url_names) for topic in manual.TOPICS) == len(covered)  # each page in one topic


def test_each_page_links_to_its_own_topic(clerk: Client, person: Resident) -> None:
    pages = {
        f"{BASE}/": "search",
        f"{BASE}/{person.id}/?purpose=確認": "record",
        f"{BASE}/procedures/": "procedures",
        f"{BASE}/procedures/move-in/": "procedures",
        f"{BASE}/provisional/": "provisional",
        f"{BASE}/{person.id}/certificate/": "certificates",
        f"{BASE}/buildings/": "buildings",
        f"{BASE}/notices/": "notices",
        f"{BASE}/{person.id}/memos/?purpose=確認": "memos",
        f"{BASE}/{person.id}/remarks/?purpose=確認": "remarks",
        f"{BASE}/characters/": "characters",
    }
    _assert_links(clerk, pages)
    # A page without a topic of its own opens the manual's contents.
    assert _help_link(clerk.get(f"{BASE}/manual/").content.decode()) == f"{BASE}/manual/"


def test_supervisors_pages_link_to_their_topics(supervisor: Client, person: Resident) -> None:
    pages = {
        f"{BASE}/{person.id}/support/": "support",
        f"{BASE}/support/": "support",
        f"{BASE}/{person.id}/personal-notice/?purpose=確認": "personal-notice",
        f"{BASE}/personal-notices/": "personal-notice",
        f"{BASE}/euc/": "euc",
        f"{BASE}/visibility/": "visibility",
        f"{BASE}/certifiers/": "certifiers",
    }
    _assert_links(supervisor, pages)
