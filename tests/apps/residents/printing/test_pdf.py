"""The certificate PDF: what is printed, on which page, and what is left out."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date

import pytest

from kiban.apps.residents.printing import pdf
from kiban.apps.residents.printing.pdf import CERTIFICATION_TEXTS, END_MARK, OFFICIAL_USE_MARK, TITLES, render

from .factories import CODE, content, family, history, person
from .pdftext import page_count, page_texts, text


@pytest.mark.parametrize("kind", ["resident_copy", "removed_copy", "recorded_items"])
@pytest.mark.parametrize("layout", ["household", "individual"])
def test_each_kind_and_layout_prints_title_certification_text_and_issue_data(kind: str, layout: str) -> None:
    persons = family(1 if layout == "individual" else 3)
    if kind == "removed_copy":
        persons = tuple(replace(p, removed_on=date(2024, 3, 1), removal_reason="転出") for p in persons)
    printed = text(render(content(kind=kind, layout=layout, persons=persons)))
    assert TITLES[kind] in printed
    assert CERTIFICATION_TEXTS[kind] in printed
    assert "20240401 千代田区 本庁1 001" in printed
    assert CODE in printed
    assert "令和6年4月1日" in printed  # issued_on, in the era calendar
    assert END_MARK in printed
    assert "東京都千代田区長　樋口　高顕" in printed  # the prefecture added to the mayor's title (標準仕様書 5.6)


def test_certification_texts_follow_the_kind() -> None:
    assert CERTIFICATION_TEXTS["resident_copy"] == "この写しは、住民票の原本と相違ないことを証明する。"
    assert CERTIFICATION_TEXTS["removed_copy"] == "この写しは、除票の原本と相違ないことを証明する。"
    assert CERTIFICATION_TEXTS["recorded_items"] == "上記の事項は住民票に記載されていることを証明する。"
    assert "除票の写し" in TITLES["removed_copy"]


def test_household_of_five_takes_two_sheets_with_the_certification_on_the_last_only() -> None:
    document = render(content(persons=family(5)))
    assert page_count(document) == 2
    first, last = page_texts(document)
    assert "1/2" in first and "2/2" in last
    assert first.count("氏名") == 4 and last.count("氏名") == 1
    assert CERTIFICATION_TEXTS["resident_copy"] not in first  # 標準仕様書 5.1: last page only
    assert CERTIFICATION_TEXTS["resident_copy"] in last
    assert END_MARK not in first and END_MARK in last
    for page in (first, last):  # every sheet identifies itself and can be checked on its own
        assert "住民票の写し" in page and CODE in page and "東京都千代田区九段南1丁目2番1号" in page


def test_household_of_four_fits_one_sheet() -> None:
    document = render(content(persons=family(4)))
    assert page_count(document) == 1
    assert "1/1" in text(document)
    assert pdf.page_count(content(persons=family(4))) == 1


def test_individual_form_is_for_one_person() -> None:
    with pytest.raises(ValueError, match="個人票"):
        render(content(layout="individual", persons=family(2)))
    with pytest.raises(ValueError):
        render(content(persons=()))


def test_a_long_history_continues_on_the_next_sheet() -> None:
    document = render(content(layout="individual", persons=(person(history=history(40)),)))
    pages = page_texts(document)
    assert len(pages) >= 2
    assert "（前頁から続く）" in pages[1]
    printed = "\n".join(pages)
    assert "平成12年4月1日" in printed and "令和21年4月8日" in printed  # 2000-04-01 and 2039-04-08
    assert CERTIFICATION_TEXTS["resident_copy"] in pages[-1]
    assert all(CERTIFICATION_TEXTS["resident_copy"] not in page for page in pages[:-1])


def test_dates_are_in_the_era_calendar() -> None:
    printed = text(render(content(persons=(person(),), issued_on=date(2019, 5, 1))))
    assert "昭和55年5月6日" in printed  # birth date
    assert "平成22年4月1日" in printed  # became resident
    assert "令和元年5月1日" in printed  # moved in; and issued on
    assert "1980年" not in printed and "2019年" not in printed


def test_foreign_residents_birth_date_and_stay_are_in_the_western_calendar() -> None:
    resident = person(
        family_name="スミス",
        given_name="ジョン",
        birth_date=date(1990, 1, 2),
        nationality="アメリカ合衆国",
        residence_status="技術・人文知識・国際業務",
        period_of_stay_until=date(2027, 1, 1),
        residence_card_number="AB12345678CD",
        alias="須美寿　譲",
    )
    printed = text(render(content(persons=(resident,))))
    assert "1990年1月2日" in printed and "平成2年1月2日" not in printed  # 標準仕様書 1.1.9
    assert "2027年1月1日" in printed and "令和9年1月1日" not in printed
    assert "アメリカ合衆国" in printed and "AB12345678CD" in printed and "須美寿　譲" in printed
    assert "令和元年5月1日" in printed  # other dates stay in the era calendar


def test_chosen_items_are_printed() -> None:
    chosen = person(
        relationship="世帯主",
        domicile="東京都千代田区千代田1番",
        domicile_head="山田　一郎",
        resident_code="12345678901",
        individual_number="123456789018",
        previous_address="横浜市中区1-1",
        history=history(1),
    )
    printed = text(render(content(persons=(chosen,))))
    for item in (
        "世帯主",
        "東京都千代田区千代田1番",
        "山田　一郎",
        "12345678901",
        "123456789018",
        "横浜市中区1-1",
        "千代田区九段南1-2-1 から転居",
        "平成12年4月8日",
    ):
        assert item in printed
    assert "次の事項は、記載を省略しています" not in printed


def test_items_not_chosen_are_not_printed_and_the_omission_is_noted() -> None:
    plain = person(relationship=None)
    document = render(
        content(persons=(plain,), householder_name=None, omitted_items=("世帯主・続柄", "本籍・筆頭者", "個人番号"))
    )
    printed = text(document)
    assert "次の事項は、記載を省略しています。　世帯主・続柄、本籍・筆頭者、個人番号" in printed
    for label in ("続柄", "本籍", "筆頭者", "住民票コード", "前住所", "異動日", "消除日"):
        assert f"\n{label}\n" not in f"\n{printed}\n"  # no such field on the sheet
    assert "\n世帯主\n" not in f"\n{printed}\n"


def test_individual_number_only_when_given() -> None:
    assert "123456789018" not in text(render(content(persons=(person(),))))
    assert "\n個人番号\n" not in f"\n{text(render(content(persons=(person(),))))}\n"
    assert "123456789018" in text(render(content(persons=(person(individual_number="123456789018"),))))


def test_removed_copy_shows_removal() -> None:
    removed = person(removed_on=date(2024, 3, 1), removal_reason="転出")
    printed = text(render(content(kind="removed_copy", layout="individual", persons=(removed,), householder_name=None)))
    assert "消除日" in printed and "令和6年3月1日" in printed and "転出" in printed


def test_verification_url_is_printed_and_encoded() -> None:
    document = render(content())
    assert f"https://kiban.example/verify/{CODE}/" in text(document)


def test_long_values_shrink_instead_of_overflowing(caplog: pytest.LogCaptureFixture) -> None:
    long_address = "東京都千代田区九段南1丁目2番1号　" + "とても長い建物の名前" * 4 + "101号室"
    with caplog.at_level(logging.WARNING, logger="kiban.apps.residents.printing.pdf"):
        printed = text(render(content(address=long_address)))
    assert long_address in printed.replace("\n", "")


def test_japanese_font_is_embedded_when_installed() -> None:
    chosen = pdf.fonts()
    if not chosen.embedded:
        pytest.skip("fonts-ipaexfont is not installed")
    document = render(content())
    assert b"/FontFile2" in document  # TrueType program embedded (subset)
    assert b"IPAexMincho" in document


def test_falls_back_to_cid_font_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(pdf, "FONT_CANDIDATES", {"mincho": ("/nonexistent.ttf",), "gothic": ("/nonexistent.ttf",)})
    monkeypatch.delenv(pdf.FONT_ENV["mincho"], raising=False)
    pdf.fonts.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="kiban.apps.residents.printing.pdf"):
            document = render(content())
        assert "HeiseiMin-W3" in caplog.text
        assert b"HeiseiMin-W3" in document and b"/FontFile2" not in document
    finally:
        pdf.fonts.cache_clear()


# --- 標準仕様書 5.3 フリガナ (j1020) and 1.3.9 認証者 (j310) ---------------------------------------------------------


def test_furigana_when_chosen_follows_the_name_in_katakana_in_parentheses() -> None:
    printed = text(render(content(persons=(person(),), furigana=True)))
    assert "山田　太郎　（ヤマダ　タロウ）" in printed  # 記載例: 住民　太郎　（ジュウミン　タロウ）


def test_no_furigana_unless_chosen_and_never_above_the_name() -> None:
    printed = text(render(content(persons=(person(),))))
    assert "山田　太郎" in printed
    assert "ヤマダ" not in printed  # formerly printed small above the name: 括弧書き以外 is 実装しない機能


def test_the_alias_has_its_furigana_too_and_no_other_item_does() -> None:
    foreign = person(family_name="ZHANG", given_name="YULIN　張　玉蓮", family_name_kana="チャン",
                     given_name_kana="ユウリン", nationality="156", alias="住民　花子", alias_kana="ジュウミン　ハナコ",
                     domicile="東京都千代田区千代田1番", domicile_head="山田　太郎")  # fmt: skip
    printed = text(render(content(persons=(foreign,), furigana=True)))
    assert "ZHANG　YULIN　張　玉蓮　（チャン　ユウリン）" in printed
    assert "住民　花子　（ジュウミン　ハナコ）" in printed
    assert printed.count("（") == 2  # names and 通称 only


def test_the_deputy_certifies_with_title_and_name_under_the_mayors_seal() -> None:
    deputy = content(mayor="千代田区長職務代理者　千代田区副区長　副区　長子", seal_title="千代田区長")
    printed = text(render(deputy))
    assert "東京都千代田区長職務代理者　千代田区副区長　副区　長子" in printed
    assert "東京都千代田区長之印" in "".join(printed.split())


# --- 標準仕様書 4.1.3.0.3 転出証明書等 (j660) -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["move_out", "move_out_equivalent"])
def test_a_moving_out_certificate_shows_the_destination_and_the_planned_date(kind: str) -> None:
    moving = content(kind=kind, destination_address="大阪府大阪市北区中之島1丁目3番20号", planned_on=date(2024, 4, 8))
    printed = text(render(moving))
    assert TITLES[kind] in printed and "（再交付）" not in printed
    assert "大阪府大阪市北区中之島1丁目3番20号" in printed and "令和6年4月8日" in printed
    assert CERTIFICATION_TEXTS[kind] in "".join(printed.split())


def test_a_reissued_moving_out_certificate_is_marked_as_such() -> None:
    printed = text(
        render(content(kind="move_out", destination_address="大阪市", planned_on=date(2024, 4, 8), reissue=True))
    )
    assert "転出証明書（再交付）" in printed


@pytest.mark.parametrize("kind", ["resident_copy", "removed_copy", "recorded_items"])
def test_official_use_is_printed_on_every_page_only_when_asked(kind: str) -> None:
    """標準仕様書 5.7 (j1060): 「公用」 can be printed; 「附票通知」 and 「規定により免除」 never are."""
    persons = family(6)  # two sheets of the household form
    if kind == "removed_copy":
        persons = tuple(replace(p, removed_on=date(2024, 3, 1), removal_reason="転出") for p in persons)
    official = page_texts(render(content(kind=kind, persons=persons, official_use=True)))
    plain = page_texts(render(content(kind=kind, persons=persons)))
    assert len(official) == len(plain) == 2
    assert all(OFFICIAL_USE_MARK in page for page in official)
    assert not any(OFFICIAL_USE_MARK in page for page in plain)
    for page in (*official, *plain):
        assert "附票通知" not in page and "規定により免除" not in page
