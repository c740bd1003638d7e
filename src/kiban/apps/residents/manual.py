"""The counter's online manual (住民記録システム標準仕様書 10.5 ヘルプ機能, j1400): 操作画面上から、当該画面の機能説明・
操作方法等が確認できるオンラインマニュアル. Every counter page links (Alt+H) to the topic that explains it; the topics
together, in ``TOPICS`` order, are the manual (``/staff/residents/manual/``). A printed booklet is 実装しない機能: the
manual is these pages (printable from the browser like any page).

A topic is a template ``residents/manual/<slug>.html``; ``url_names`` are the pages it explains (Django URL names;
a PDF with the page that offers it). Every URL name of ``urls.urlpatterns`` is in one topic except the JSON endpoints
of the wizards' fields and the manual's own pages (``tests/apps/residents/test_manual.py`` fails otherwise)."""

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
    Topic("record", "住民票の画面", "The record",
          ("resident-detail", "resident-issued", "resident-other-businesses", "resident-acceptance-notice")),
    Topic("memos", "メモ", "Memos", ("resident-memos",)),
    Topic("remarks", "統合記載欄（留意事項・備考）", "Notes and remarks", ("resident-remarks",)),
    Topic("mail-name", "郵便物送付コード", "Name on mail", ("resident-mail-name",)),
    Topic("characters", "文字コード照会", "Character lookup", ("resident-characters",)),
    Topic("procedures", "届出の受付（入力・確認・完了）", "Entering a procedure",
          ("resident-procedures", "resident-procedure", "resident-procedure-done")),
    Topic("provisional", "仮登録と本登録", "Provisional entries and registration", ("resident-provisional",)),
    Topic("notices", "転入予定（転出証明書情報）", "Advance notices", ("resident-notices",)),
    Topic("householder-requests", "世帯主変更依頼", "Households without a householder",
          ("resident-householder-requests", "resident-householder-request-notice",
           "resident-householder-change-notice")),
    Topic("move-in-notices", "転入通知未着者一覧", "Move-in notices not received",
          ("resident-move-in-notices", "resident-move-in-notice-inquiry")),
    Topic("external-notices", "附票通知・入管への市町村通知・CSへの送信",
          "Notices to the 本籍地, the immigration agency and over the CS",
          ("resident-external-notices",)),
    Topic("certificates", "証明書の交付", "Issuing certificates",
          ("resident-certificate", "resident-certificate-done", "resident-certificate-pdf",
           "resident-move-out-certificate")),
    Topic("resident-code", "住民票コードの変更・修正と通知票", "Resident record code",
          ("resident-code", "resident-code-notice")),
    Topic("support", "支援措置", "Support measures", ("resident-support", "resident-support-alerts")),
    Topic("guardianship", "成年被後見人", "Adult guardianship", ("resident-guardianship",)),
    Topic("personal-notice", "本人通知", "Personal notices",
          ("resident-personal-notice", "resident-personal-notices")),
    Topic("special-permanent", "特別永住者証明書", "Special permanent resident certificates",
          ("resident-special-permanent", "resident-special-permanent-list", "resident-special-permanent-counts")),
    Topic("buildings", "方書マスタ・住居表示・地番", "Buildings, housing and lot numbers",
          ("resident-buildings", "resident-address-numbers")),
    Topic("bulk-change", "住所一括変更", "Bulk change of addresses", ("resident-bulk-change",)),
    Topic("euc", "EUC（データ抽出）", "Drawing a list", ("resident-euc",)),
    Topic("input-places", "入力場所・入力端末", "Places and terminals", ("resident-input-places",)),
    Topic("certifiers", "認証者の管理", "Certifiers", ("resident-certifiers",)),
    Topic("visibility", "操作権限設定（項目の非表示）", "Items hidden from a user", ("resident-visibility",)),
)  # fmt: skip
_BY_URL_NAME = {name: t.slug for t in TOPICS for name in t.url_names}
BY_SLUG = {t.slug: t for t in TOPICS}


def topic_for(request: HttpRequest) -> str:
    """The slug of the topic explaining the page of this request ("" if none: the manual's contents then)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    return _BY_URL_NAME.get(match.url_name or "", "")
