"""The Zengin 総合振込 file (kiban.platform.payments.zengin): 120-byte records, field positions as in the 全銀協
規定フォーマット, Shift_JIS half-width kana, and refusals. (Lives here until tests/platform/payments exists.)"""

import datetime

import pytest

from kiban.platform.payments import banks, zengin

REQUESTER = zengin.Requester("1310160001", "ﾁﾖﾀﾞｸ", "0001", "001", "1", "7654321", "ﾐｽﾞﾎ", "ﾄｳｷﾖｳ")
TRANSFER = zengin.Transfer("0005", "123", "1", "12345", "ヤマダ　ハナコ", 40_000, "42", "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｪｲ", "ﾎﾝﾃﾝ")


def _file() -> bytes:
    return zengin.write(REQUESTER, datetime.date(2024, 12, 10), [TRANSFER, TRANSFER]).content


def test_records_are_120_bytes_in_the_order_header_data_trailer_end() -> None:
    records = _file().split(b"\r\n")
    assert records[-1] == b""  # every record ends with CR LF
    assert [len(r) for r in records[:-1]] == [120] * 5
    assert [r[:1] for r in records[:-1]] == [b"1", b"2", b"2", b"8", b"9"]


def test_header_fields_at_their_positions() -> None:
    header = _file().split(b"\r\n")[0]

    # 1-indexed positions of the 全銀協 総合振込 header: 1 データ区分, 2-3 種別コード, 4 コード区分,
    # 5-14 振込依頼人コード, 15-54 振込依頼人名, 55-58 振込指定日 MMDD, 59-62 仕向銀行番号, 63-77 仕向銀行名,
    # 78-80 仕向支店番号, 81-95 仕向支店名, 96 預金種目, 97-103 口座番号, 104-120 ダミー.
    def at(first: int, last: int) -> bytes:
        return header[first - 1 : last]

    assert (at(1, 1), at(2, 3), at(4, 4), at(5, 14)) == (b"1", b"21", b"0", b"1310160001")
    assert at(15, 54) == "ﾁﾖﾀﾞｸ".encode("cp932").ljust(40)
    assert (at(55, 58), at(59, 62), at(78, 80), at(96, 96), at(97, 103)) == (b"1210", b"0001", b"001", b"1", b"7654321")
    assert at(63, 77) == "ﾐｽﾞﾎ".encode("cp932").ljust(15) and at(81, 95) == "ﾄｳｷﾖｳ".encode("cp932").ljust(15)
    assert at(104, 120) == b" " * 17


def test_data_record_fields_at_their_positions() -> None:
    data = _file().split(b"\r\n")[1]

    # 1 データ区分, 2-5 被仕向銀行番号, 6-20 銀行名, 21-23 支店番号, 24-38 支店名, 39-42 手形交換所番号,
    # 43 預金種目, 44-50 口座番号, 51-80 受取人名, 81-90 振込金額, 91 新規コード, 92-101 顧客コード1,
    # 102-111 顧客コード2, 112 振込指定区分, 113 識別表示, 114-120 ダミー.
    def at(first: int, last: int) -> bytes:
        return data[first - 1 : last]

    assert (at(1, 1), at(2, 5), at(21, 23), at(39, 42), at(43, 43)) == (b"2", b"0005", b"123", b"    ", b"1")
    assert at(6, 20) == "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ".encode("cp932").ljust(15)  # small ｪ written large
    assert at(44, 50) == b"0012345"
    assert at(51, 80) == "ﾔﾏﾀﾞ ﾊﾅｺ".encode("cp932").ljust(30)  # one byte per half-width kana in Shift_JIS
    assert (at(81, 90), at(91, 91), at(92, 101)) == (b"0000040000", b"0", b"0000000042")
    assert at(102, 120) == b" " * 19


def test_trailer_and_end() -> None:
    trailer, end = _file().split(b"\r\n")[3:5]
    assert (trailer[0:1], trailer[1:7], trailer[7:19], trailer[19:]) == (b"8", b"000002", b"000000080000", b" " * 101)
    assert end == b"9" + b" " * 119


def test_read_gives_back_what_was_written() -> None:
    header, first, _second, trailer, _end = zengin.read(_file())
    assert header["振込依頼人名"] == "ﾁﾖﾀﾞｸ" and first["受取人名"] == "ﾔﾏﾀﾞ ﾊﾅｺ"
    assert (trailer["合計件数"], trailer["合計金額"]) == ("000002", "000000080000")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("やまだ　はなこ", "ﾔﾏﾀﾞ ﾊﾅｺ"),
        ("キョウコ", "ｷﾖｳｺ"),  # small kana are written large
        ("ヴィーナス", "ｳﾞｲ-ﾅｽ"),  # long vowel as hyphen
        ("ｶ)ﾁﾖﾀﾞ", "ｶ)ﾁﾖﾀﾞ"),
        ("ａｂｃ１２３", "ABC123"),
    ],
)
def test_names_are_converted_to_the_bank_character_set(text: str, expected: str) -> None:
    assert zengin.zengin_kana(text) == expected


@pytest.mark.parametrize("text", ["山田", "ヤマダ★", "ア" * 31])
def test_names_the_bank_cannot_take_are_refused(text: str) -> None:
    with pytest.raises(zengin.ZenginError):
        zengin.zengin_kana(text, 30)


@pytest.mark.parametrize(
    "transfer",
    [
        zengin.Transfer("05", "123", "1", "1", "ﾔﾏﾀﾞ", 1),
        zengin.Transfer("0005", "12", "1", "1", "ﾔﾏﾀﾞ", 1),
        zengin.Transfer("0005", "123", "3", "1", "ﾔﾏﾀﾞ", 1),
        zengin.Transfer("0005", "123", "1", "12345678", "ﾔﾏﾀﾞ", 1),
        zengin.Transfer("0005", "123", "1", "1", "ﾔﾏﾀﾞ", 0),
        zengin.Transfer("0005", "123", "1", "1", "ﾔﾏﾀﾞ", 10_000_000_000),
    ],
)
def test_bad_transfers_are_refused(transfer: zengin.Transfer) -> None:
    with pytest.raises(zengin.ZenginError):
        zengin.write(REQUESTER, datetime.date(2024, 12, 10), [transfer])


def test_bank_codes_are_checked_against_the_public_list() -> None:
    assert banks.list_available()
    ok = banks.check("0001", "001")
    assert ok.ok and (ok.bank_kana, ok.branch_kana) == ("ミズホ", "トウキヨウ")
    assert banks.check("9999", "001").problems[0][1] == "unknown"
    assert banks.check("0001", "998").problems[0][:2] == ("branch_code", "unknown")
    assert {p[0] for p in banks.check("1", "x1").problems} == {"bank_code", "branch_code"}
