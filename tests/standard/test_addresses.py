"""番地・枝番・部屋番号等の数値コード (住民記録システム標準仕様書 1.3.2): addresses ordered by their numbers as numbers,
whatever the writing (kanji numerals, full-width digits, dashes), with the 方書's room numbers last."""

from __future__ import annotations

from kiban.standard.addresses import number_codes, sort_key


def test_number_codes_read_the_numbers_as_written() -> None:
    assert number_codes("東京都千代田区九段南一丁目2番10号") == (1, 2, 10)
    assert number_codes("九段南１－２－１０") == (1, 2, 10)
    assert number_codes("九段ハイツ２０１号室") == (201,)
    assert number_codes("無番地") == ()
    assert number_codes("1234番地の5") == (1234, 5)


def test_addresses_sort_by_their_numbers_not_as_text() -> None:
    written = [
        "東京都千代田区九段南1丁目10番1号",
        "東京都千代田区九段南2丁目1番",
        "東京都千代田区九段南一丁目2番3号",
        "東京都千代田区九段北1-1-1",
        "東京都千代田区九段南１丁目２番１号",
    ]
    assert sorted(written, key=sort_key) == [
        "東京都千代田区九段北1-1-1",
        "東京都千代田区九段南１丁目２番１号",
        "東京都千代田区九段南一丁目2番3号",
        "東京都千代田区九段南1丁目10番1号",
        "東京都千代田区九段南2丁目1番",
    ]
    address = "東京都千代田区九段南1丁目2番1号"
    rooms = [(address, "九段ハイツ1001"), (address, "九段ハイツ201")]
    assert sorted(rooms, key=lambda r: sort_key(*r)) == rooms[::-1]  # room 201 before 1001
