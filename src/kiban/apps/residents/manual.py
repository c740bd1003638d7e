"""The counter's online manual (住民記録システム標準仕様書 10.5 ヘルプ機能, j1400): 操作画面上から、当該画面の機能説明・
操作方法等が確認できるオンラインマニュアル. Every counter page links (Alt+H) to the topic that explains it; the topics
together, in ``TOPICS`` order, are the manual (``/staff/residents/manual/``). A printed booklet is 実装しない機能: the
manual is these pages (printable from the browser like any page).

A topic is a template ``residents/manual/<slug>.html``; ``url_names`` are the pages it explains (Django URL names),
a wizard's by ``procedure:<slug>``."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class Topic:
    slug: str
    ja: str
    en: str
    url_names: tuple[str, ...]


TOPICS: tuple[Topic, ...] = (
    Topic("search", "住民検索", "Finding a person", ("resident-search",)),
    Topic("record", "住民票の画面", "The record", ("resident-detail", "resident-issued")),
    Topic("procedures", "届出の受付（入力・確認・完了）", "Entering a procedure",
          ("resident-procedures", "resident-procedure", "resident-procedure-done")),
    Topic("provisional", "仮登録と本登録", "Provisional entries and registration", ("resident-provisional",)),
    Topic("certificates", "証明書の交付", "Issuing certificates",
          ("resident-certificate", "resident-certificate-done", "resident-move-out-certificate")),
    Topic("buildings", "方書マスタ", "Buildings by address", ("resident-buildings",)),
)  # fmt: skip
_BY_URL_NAME = {name: t.slug for t in TOPICS for name in t.url_names}
BY_SLUG = {t.slug: t for t in TOPICS}


def topic_for(request: HttpRequest) -> str:
    """The slug of the topic explaining the page of this request ("" if none: the manual's contents then)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    return _BY_URL_NAME.get(match.url_name or "", "")
